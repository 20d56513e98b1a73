"""Browser tests: Playwright's Python package driving Debian's chromium on a phone-sized viewport.

Skipped (with the reason printed) when chromium is not installed. Every request to an address other than
127.0.0.1 is aborted and recorded, so a test can prove the app needs no CDN.
"""

import os
import shutil
from urllib.parse import urlparse

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAS_CHROMIUM = os.path.exists(CHROMIUM)


def pytest_collection_modifyitems(config, items):
    if HAS_CHROMIUM:
        return
    skip = pytest.mark.skip(reason="chromium not found: apt-get install -y chromium fonts-wqy-microhei")
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def _plain_http_server():
    """The live server's middleware is built once per session, before function-level settings apply:
    switch off the HTTPS redirect and secure cookies for it here (plain HTTP on 127.0.0.1)."""
    from django.conf import settings

    saved = {k: getattr(settings, k) for k in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")}
    for key in saved:
        setattr(settings, key, False)
    yield
    for key, value in saved.items():
        setattr(settings, key, value)


@pytest.fixture(scope="session")
def live_server(_plain_http_server, live_server):
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }


@pytest.fixture
def offline_page(page):
    """A page on which any request leaving 127.0.0.1 is aborted; page.blocked lists them."""
    blocked: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.blocked = blocked
    return page


@pytest.fixture
def browser_login(live_server):
    """Log a user in through the real login form; returns the page on the landing page."""
    from tests.factories import TEST_PASSWORD

    def _login(page, user):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill(TEST_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        return page

    return _login
