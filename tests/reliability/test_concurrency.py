"""The short concurrency check in CI: 20 teachers × 5 talks against gunicorn with 4 workers, on SQLite and
(when DATABASE_URL points to PostgreSQL) on PostgreSQL. See scripts/concurrency_check.py."""

import json
import subprocess
import sys

import pytest

from tests.reliability.helpers import ROOT, postgres_url

SCRIPT = ROOT / "scripts" / "concurrency_check.py"


def _run(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--short", "--json", "--time-limit", "45", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
    )
    lines = completed.stdout.strip().splitlines()
    assert lines, completed.stderr[-4000:]
    summary = json.loads(lines[-1])
    assert completed.returncode == 0 and summary["ok"], (summary["failures"], completed.stderr[-4000:])
    return summary


def _assert_nothing_lost(summary: dict) -> None:
    assert summary["posts"] == summary["accepted"] == 100
    assert summary["server_errors"] == 0
    assert summary["database_locked_in_log"] == 0
    assert summary["missing"] == [] and summary["duplicated"] == []


def test_twenty_teachers_logging_talks_at_once_on_sqlite_lose_nothing():
    _assert_nothing_lost(_run())


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not point to PostgreSQL")
def test_twenty_teachers_logging_talks_at_once_on_postgres_lose_nothing():
    _assert_nothing_lost(_run("--database-url", postgres_url()))
