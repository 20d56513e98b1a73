from pathlib import Path

import pytest

from tests.reliability.helpers import manage, sqlite_env


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty, migrated SQLite file made once per session; tests copy it (migrate takes seconds)."""
    path = tmp_path_factory.mktemp("migrated") / "template.sqlite3"
    manage(sqlite_env(path), "migrate", "--noinput", "-v0")
    return path
