"""Running manage.py against a database of its own (a SQLite file or a fresh PostgreSQL database), in a
subprocess, so that reliability tests exercise the real commands and not pytest-django's test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else None


def sqlite_env(path: Path) -> dict[str, str]:
    """The database file and its own MEDIA_ROOT beside it: seed_demo writes photos and restore swaps
    the media directory, which must never be the developer's."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SQLITE_PATH=str(path), MEDIA_ROOT=str(path.with_name(path.stem + "-media")))
    env.update(DJANGO_DEBUG="0", PYTHONUNBUFFERED="1")
    return env


def manage(env: dict[str, str], *args: str, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and completed.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed


@contextlib.contextmanager
def fresh_postgres_database(base_url: str, label: str) -> Iterator[str]:
    """Create an empty database next to the one in base_url (the role needs CREATEDB, as pytest-django
    does), yield its URL, drop it afterwards."""
    psycopg = pytest.importorskip("psycopg")
    parts = urlsplit(base_url)
    name = f"caretrack_{label}_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_env(url: str, media_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DATABASE_URL=url, MEDIA_ROOT=str(media_root), DJANGO_DEBUG="0", PYTHONUNBUFFERED="1")
    return env


def copy_sqlite(template: Path, path: Path) -> Path:
    import sqlite3

    with sqlite3.connect(template) as src, sqlite3.connect(path) as dest:
        src.backup(dest)
    return path
