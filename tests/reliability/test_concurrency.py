"""The short concurrency check in CI: 20 teachers × 5 talks against gunicorn with 4 workers while
`manage.py backup` runs again and again, and a small double-tap run; on SQLite and (when DATABASE_URL
points to PostgreSQL) on PostgreSQL. See scripts/concurrency_check.py."""

import json
import subprocess
import sys

import pytest

from tests.reliability.helpers import ROOT, postgres_url

SCRIPT = ROOT / "scripts" / "concurrency_check.py"


def _run(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--json", "--time-limit", "45", *(args or ["--short"])],
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


def _assert_double_taps_saved_once(summary: dict) -> None:
    assert summary["posts"] == 2 * 40 and summary["accepted"] == 40 and summary["refused"] == 40
    assert summary["server_errors"] == 0 and summary["duplicated"] == [] and summary["missing"] == []


DOUBLE_TAPS = ["--clients", "4", "--requests", "10", "--double-submit", "--children", "120"]


def test_twenty_teachers_logging_talks_at_once_on_sqlite_lose_nothing_while_backups_run():
    summary = _run("--short", "--backup-during")
    _assert_nothing_lost(summary)
    assert summary["backups_taken"] >= 1 and summary["backup_problems"] == []


def test_a_double_tap_on_save_keeps_one_talk_on_sqlite():
    _assert_double_taps_saved_once(_run(*DOUBLE_TAPS))


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not point to PostgreSQL")
def test_twenty_teachers_logging_talks_at_once_on_postgres_lose_nothing_while_backups_run():
    summary = _run("--short", "--backup-during", "--database-url", postgres_url())
    _assert_nothing_lost(summary)
    assert summary["backups_taken"] >= 1 and summary["backup_problems"] == []


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not point to PostgreSQL")
def test_a_double_tap_on_save_keeps_one_talk_on_postgres():
    _assert_double_taps_saved_once(_run(*DOUBLE_TAPS, "--database-url", postgres_url()))
