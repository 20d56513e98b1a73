# The browser fixtures of tests/e2e (chromium, phone viewport, offline guard, login through the form).
from tests.e2e.conftest import (  # noqa: F401
    _plain_http_server,
    browser_context_args,
    browser_login,
    browser_type_launch_args,
    live_server,
    offline_page,
    pytest_collection_modifyitems,
)
