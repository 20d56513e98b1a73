#!/usr/bin/env python
"""Concurrency check: many teachers log talks at the same time; nothing may be lost, doubled or fail.

Starts gunicorn (sync workers) on 127.0.0.1:<free port> against a fresh database (a SQLite file in a
temporary directory, or a new PostgreSQL database created beside --database-url and dropped afterwards),
seeds a school, logs in N simulated mentors (threads, http.client, cookies and the CSRF token from the
forms) who each open the talk form and post talks for their paired children, then checks:

  * zero 5xx answers,
  * zero "database is locked" (and zero tracebacks) in the server log,
  * every accepted talk is in the database exactly once (each post carries a unique marker text),
  * nothing was refused or lost in transit.

Usage:
    .venv/bin/python scripts/concurrency_check.py                 # 50 clients × 20 talks, SQLite
    .venv/bin/python scripts/concurrency_check.py --short         # 20 × 5, the CI version
    .venv/bin/python scripts/concurrency_check.py --database-url postgres://postgres@127.0.0.1:5432/postgres

Exit status 0 when every check holds. --json prints the summary as one JSON line at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEMO_PASSWORD = "caretrack2026"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# Prints the mentors who have open pairings with their children's ids, as one JSON line.
MENTORS_SCRIPT = """
import json
from collections import defaultdict
from django.utils import timezone
from mentoring.models import Pairing
today = timezone.localdate()
found = defaultdict(list)
for username, child_id in (Pairing.objects.open_on(today).filter(mentor__isnull=False)
        .order_by("mentor__username", "child_id").values_list("mentor__username", "child_id")):
    found[username].append(child_id)
print(json.dumps(found))
"""

# Prints {marker text: number of talk rows} for the run's markers, as one JSON line.
COUNT_SCRIPT = """
import json
from django.db.models import Count
from mentoring.models import Talk
rows = (Talk.all_objects.filter(text__startswith={prefix!r}).values("text").annotate(n=Count("id")))
print(json.dumps({{row["text"]: row["n"] for row in rows}}))
"""


@dataclass
class Outcome:
    marker: str
    status: int  # 0: no answer (connection error or timeout)
    accepted: bool
    seconds: float
    error: str = ""


@dataclass
class Summary:
    database: str
    clients: int
    requests_per_client: int
    workers: int
    posts: int = 0
    accepted: int = 0
    refused: int = 0
    server_errors: int = 0
    no_answer: int = 0
    login_failures: int = 0
    database_locked_in_log: int = 0
    tracebacks_in_log: int = 0
    missing: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected_rows: list[str] = field(default_factory=list)
    seconds: float = 0.0
    posts_per_second: float = 0.0
    post_median_ms: float = 0.0
    post_p95_ms: float = 0.0
    backups_taken: int = 0
    backup_problems: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


# --- Database and server ---------------------------------------------------------------------------------


def manage(env: dict, *args: str, timeout: int = 600) -> str:
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed.stdout


def last_json_line(output: str):
    return json.loads(output.strip().splitlines()[-1])


def base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(
        DJANGO_DEBUG="0",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1
        SECURE_COOKIES="0",
        DJANGO_MANIFEST_STATIC="0",  # no collectstatic needed
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    # Production settings refuse to start without a key of their own; a throwaway one for this local run.
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    return env


@contextlib.contextmanager
def fresh_database(database_url: str | None, workdir: Path):
    """Yield (env, label) for a new empty database; drop it afterwards (PostgreSQL)."""
    env = base_env()
    env["MEDIA_ROOT"] = str(workdir / "media")  # seed_demo writes demo photos
    if not database_url:
        env["SQLITE_PATH"] = str(workdir / "concurrency.sqlite3")
        yield env, "sqlite"
        return
    import psycopg

    parts = urlsplit(database_url)
    name = f"caretrack_concurrency_{uuid.uuid4().hex[:8]}"
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env, "postgresql"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_path() -> str:
    beside = Path(PYTHON).with_name("gunicorn")
    return str(beside) if beside.exists() else (shutil.which("gunicorn") or "gunicorn")


@contextlib.contextmanager
def gunicorn(env: dict, workers: int, log_path: Path):
    port = free_port()
    command = [
        gunicorn_path(),
        "caretrack.wsgi:application",
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--timeout", "60",
        "--graceful-timeout", "5",
        "--error-logfile", "-",
    ]  # fmt: skip
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
            with contextlib.suppress(OSError):
                if request("127.0.0.1", port, "GET", "/healthz", timeout=5)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- A simulated teacher -------------------------------------------------------------------------------------


def request(host, port, method, path, *, body=None, cookies=None, timeout=30.0):
    """One HTTP request; returns (status, headers as a list, text)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Host": f"{host}:{port}", "User-Agent": "caretrack-concurrency-check"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=urlencode(body, doseq=True) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Teacher:
    def __init__(self, port: int, username: str, timeout: float):
        self.port = port
        self.username = username
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def _call(self, method, path, body=None):
        status, headers, text = request(
            "127.0.0.1", self.port, method, path, body=body, cookies=self.cookies, timeout=self.timeout
        )
        for name, value in headers:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        location = next((v for n, v in headers if n.lower() == "location"), "")
        return status, location, text

    def _token(self, text: str) -> str:
        match = TOKEN_RE.search(text)
        if not match:
            raise RuntimeError("no CSRF token in the form")
        return match.group(1)

    def login(self) -> bool:
        status, _, text = self._call("GET", "/accounts/login/")
        if status != 200:
            return False
        body = {"username": self.username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": self._token(text)}
        status, _, _ = self._call("POST", "/accounts/login/", body)
        return status == 302 and "sessionid" in self.cookies

    def log_talk(self, child_id: int, marker: str, today: date, *, double: bool = False) -> list[Outcome]:
        """Open the talk form and post it (twice at the same moment with double=True: a double tap)."""
        path = f"/mentoring/children/{child_id}/talk/new/"
        started = time.monotonic()
        try:
            status, _, text = self._call("GET", path)
            if status != 200:
                return [Outcome(marker, status, False, time.monotonic() - started, f"GET form: {status}")]
            body = {
                "csrfmiddlewaretoken": self._token(text),
                "date": today.isoformat(),
                "place": "office",
                "topics": ["study", "family"],
                "mood": "3",
                "text": marker,
            }
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            return [Outcome(marker, 0, False, time.monotonic() - started, repr(error))]
        if not double:
            return [self._post(path, body, marker)]
        results: list[Outcome] = []
        taps = [threading.Thread(target=lambda: results.append(self._post(path, body, marker))) for _ in range(2)]
        for tap in taps:
            tap.start()
        for tap in taps:
            tap.join()
        return results

    def _post(self, path: str, body: dict, marker: str) -> Outcome:
        posted = time.monotonic()
        try:
            status, location, _ = self._call("POST", path, body)
        except (OSError, http.client.HTTPException) as error:
            return Outcome(marker, 0, False, time.monotonic() - posted, repr(error))
        accepted = status == 302 and "/accounts/login/" not in location
        return Outcome(marker, status, accepted, time.monotonic() - posted, "" if accepted else f"POST {status}")


# --- Backups while the teachers write --------------------------------------------------------------------------


def take_backups_while(env: dict, out_dir: Path, threads: list[threading.Thread], summary: Summary) -> list[Path]:
    """`manage.py backup` again and again while any client is still posting."""
    taken = []
    while any(thread.is_alive() for thread in threads):
        try:
            output = manage(env, "backup", "-o", str(out_dir), "--no-media", timeout=120)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            summary.backup_problems.append(f"backup failed while the app was busy: {error}")
            break
        taken.append(Path(output.strip().splitlines()[-1]))
        time.sleep(0.5)
    summary.backups_taken = len(taken)
    return taken


def check_backup(path: Path, *, prefix: str, final: int) -> list[str]:
    """A copy taken under load is a valid database holding at most the talks saved by the end."""
    if path.suffix == ".sqlite3":
        import sqlite3

        with contextlib.closing(sqlite3.connect(path)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return [f"{path.name}: integrity check failed"]
            saved = conn.execute("SELECT count(*) FROM mentoring_talk WHERE text LIKE ?", [prefix + "%"]).fetchone()[0]
        return [] if saved <= final else [f"{path.name}: {saved} talks, more than the {final} saved in the end"]
    listing = subprocess.run(["pg_restore", "--list", str(path)], capture_output=True, text=True)
    return [] if listing.returncode == 0 else [f"{path.name}: pg_restore cannot read it"]


# --- The check ------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run_check(
    *,
    clients: int,
    requests_per_client: int,
    workers: int = 4,
    children: int = 300,
    database_url: str | None = None,
    time_limit: float = 300.0,
    request_timeout: float = 30.0,
    double_submit: bool = False,
    backup_during: bool = False,
    log=print,
) -> Summary:
    workdir = Path(tempfile.mkdtemp(prefix="caretrack-concurrency-"))
    try:
        with fresh_database(database_url, workdir) as (env, label):
            summary = Summary(database=label, clients=clients, requests_per_client=requests_per_client, workers=workers)
            log(f"[{label}] migrate + seed_demo --schools 1 --children {children} …")
            manage(env, "migrate", "--noinput", "-v0")
            manage(env, "seed_demo", "--schools", "1", "--children", str(children), "--teachers", "60")
            mentors = last_json_line(manage(env, "shell", "-c", MENTORS_SCRIPT))
            if not mentors:
                raise RuntimeError("the demo school has no paired mentors")
            usernames = sorted(mentors)
            today = date.fromisoformat(
                manage(env, "shell", "-c", "from django.utils import timezone; print(timezone.localdate())")
                .strip()
                .splitlines()[-1]
            )
            log_path = workdir / "gunicorn.log"
            prefix = f"CC-{uuid.uuid4().hex[:10]}-"
            outcomes: list[Outcome] = []
            lock = threading.Lock()
            with gunicorn(env, workers, log_path) as port:
                log(f"[{label}] gunicorn -w {workers} on 127.0.0.1:{port}; {clients} teachers × {requests_per_client}")
                teachers = [Teacher(port, usernames[i % len(usernames)], request_timeout) for i in range(clients)]
                start_line = threading.Barrier(clients)
                deadline = time.monotonic() + time_limit

                def work(index: int, teacher: Teacher):
                    try:
                        logged_in = teacher.login()
                    except (OSError, http.client.HTTPException, RuntimeError):
                        logged_in = False
                    with contextlib.suppress(threading.BrokenBarrierError):
                        start_line.wait(timeout=time_limit)
                    if not logged_in:
                        with lock:
                            summary.login_failures += 1
                        return
                    kids = mentors[teacher.username]
                    for n in range(requests_per_client):
                        if time.monotonic() > deadline:
                            break
                        marker = f"{prefix}{index:03d}-{n:04d}"
                        results = teacher.log_talk(kids[n % len(kids)], marker, today, double=double_submit)
                        with lock:
                            outcomes.extend(results)

                began = time.monotonic()
                threads = [threading.Thread(target=work, args=(i, t), daemon=True) for i, t in enumerate(teachers)]
                for thread in threads:
                    thread.start()
                backups: list[Path] = []
                if backup_during:
                    backups = take_backups_while(env, workdir / "backups", threads, summary)
                for thread in threads:
                    thread.join(timeout=max(1.0, deadline - time.monotonic() + request_timeout))
                summary.seconds = round(time.monotonic() - began, 2)
                if any(thread.is_alive() for thread in threads):
                    summary.failures.append("some clients were still running at the time limit")
            counts = last_json_line(manage(env, "shell", "-c", COUNT_SCRIPT.format(prefix=prefix)))
            server_log = log_path.read_text(errors="replace")
            for path in backups:
                summary.backup_problems += check_backup(path, prefix=prefix, final=sum(counts.values()))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    accepted = {o.marker for o in outcomes if o.accepted}
    summary.posts = len(outcomes)
    summary.accepted = sum(1 for o in outcomes if o.accepted)
    summary.server_errors = sum(1 for o in outcomes if o.status >= 500)
    summary.no_answer = sum(1 for o in outcomes if o.status == 0)
    summary.refused = summary.posts - summary.accepted - summary.server_errors - summary.no_answer
    summary.database_locked_in_log = server_log.lower().count("database is locked")
    summary.tracebacks_in_log = server_log.count("Traceback (most recent call last)")
    summary.missing = sorted(m for m in accepted if counts.get(m, 0) == 0)
    summary.duplicated = sorted(m for m, n in counts.items() if n > 1)
    summary.unexpected_rows = sorted(m for m in counts if m not in accepted)
    post_times = [o.seconds * 1000 for o in outcomes if o.status]
    summary.posts_per_second = round(summary.posts / summary.seconds, 1) if summary.seconds else 0.0
    summary.post_median_ms = round(statistics.median(post_times), 1) if post_times else 0.0
    summary.post_p95_ms = round(percentile(post_times, 0.95), 1)

    expected = clients * requests_per_client * (2 if double_submit else 1)
    # A double tap: one of the two posts is saved, the other refused ("请勿重复提交") — or both answered
    # with the saved talk when the second arrives after the first committed. Never two rows.
    double_ok = summary.accepted + summary.refused == expected and len(accepted) == expected // 2
    checks = [
        (summary.login_failures == 0, f"{summary.login_failures} logins failed"),
        (summary.posts == expected, f"{summary.posts} of {expected} posts were made within the time limit"),
        (summary.server_errors == 0, f"{summary.server_errors} answers were 5xx"),
        (summary.no_answer == 0, f"{summary.no_answer} requests got no answer"),
        (
            double_ok if double_submit else summary.refused == 0,
            f"{summary.refused} posts were refused, {len(accepted)} talks accepted",
        ),
        (summary.database_locked_in_log == 0, f'"database is locked" {summary.database_locked_in_log}× in the log'),
        (summary.tracebacks_in_log == 0, f"{summary.tracebacks_in_log} tracebacks in the server log"),
        (not summary.missing, f"{len(summary.missing)} accepted talks are missing"),
        (not summary.duplicated, f"{len(summary.duplicated)} talks were saved more than once"),
        (not summary.unexpected_rows, f"{len(summary.unexpected_rows)} talks saved although not accepted"),
        (not backup_during or summary.backups_taken > 0, "no backup was taken while the teachers wrote"),
        (not summary.backup_problems, "; ".join(summary.backup_problems)),
    ]
    summary.failures += [message for ok, message in checks if not ok]
    if summary.failures and server_log:
        log("--- server log (last 40 lines) ---\n" + "\n".join(server_log.splitlines()[-40:]))
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent simulated teachers (default 50)")
    parser.add_argument("--requests", type=int, default=20, help="talks each teacher posts (default 20)")
    parser.add_argument("--short", action="store_true", help="the CI version: 20 teachers × 5 talks")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--children", type=int, default=300, help="children in the seeded school (default 300)")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server URL: a fresh database is created beside it and dropped"
    )
    parser.add_argument("--time-limit", type=float, default=300.0, help="seconds for all posts (default 300)")
    parser.add_argument(
        "--double-submit", action="store_true", help="post every form twice at the same moment (a double tap)"
    )
    parser.add_argument(
        "--backup-during", action="store_true", help="run manage.py backup repeatedly while the teachers write"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line at the end")
    args = parser.parse_args(argv)
    if args.short:
        args.clients, args.requests = 20, 5
    summary = run_check(
        clients=args.clients,
        requests_per_client=args.requests,
        workers=args.workers,
        children=args.children,
        database_url=args.database_url,
        time_limit=args.time_limit,
        double_submit=args.double_submit,
        backup_during=args.backup_during,
        log=lambda message: print(message, file=sys.stderr if args.json else sys.stdout, flush=True),
    )
    out = sys.stderr if args.json else sys.stdout
    print(
        f"{summary.database}: {summary.posts} posts in {summary.seconds} s ({summary.posts_per_second}/s), "
        f"accepted {summary.accepted}, 5xx {summary.server_errors}, refused {summary.refused}, "
        f"no answer {summary.no_answer}, 'database is locked' {summary.database_locked_in_log}, "
        f"missing {len(summary.missing)}, duplicated {len(summary.duplicated)}; "
        f"POST median {summary.post_median_ms} ms, p95 {summary.post_p95_ms} ms"
        + (f"; {summary.backups_taken} backups taken meanwhile" if args.backup_during else ""),
        file=out,
    )
    print("PASS" if summary.ok else "FAIL: " + "; ".join(summary.failures), file=out)
    if args.json:
        print(json.dumps({**asdict(summary), "ok": summary.ok}, ensure_ascii=False))
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
