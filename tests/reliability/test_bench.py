"""The benchmark stays runnable: a tiny data set, one request per page, every page answers 200."""

import subprocess
import sys

from tests.reliability.helpers import ROOT, copy_sqlite, sqlite_env


def test_bench_runs_on_a_tiny_school_and_prints_its_table(tmp_path, migrated_sqlite):
    db = copy_sqlite(migrated_sqlite, tmp_path / "bench.sqlite3")
    command = [sys.executable, "bench/run.py", "--sqlite", str(db), "--children", "36", "--teachers", "20"]
    completed = subprocess.run(
        [*command, "--repeat", "1", "--warmup", "0"],
        cwd=ROOT,
        env=sqlite_env(db),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = completed.stdout
    table = out[out.index("page ") :]
    for page in ("floor: healthz", "floor: empty page", "child list (principal)", "dashboard (principal)"):
        assert page in table
    assert "HTTP" not in table, table  # no page answered with an error status
