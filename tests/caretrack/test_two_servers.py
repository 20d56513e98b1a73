"""Two app servers behind one load balancer (issue 17, item 5): two gunicorn instances, started the way
production starts them (deploy/gunicorn.conf.py, DEBUG off, a SECRET_KEY of their own, the default cache in
the database), share one PostgreSQL database of their own. A talk a mentor saves through server A shows at
once in the county figures the bureau reads through server B, although B had those figures cached.

It creates and drops its own database, so it runs the same in the SQLite and the PostgreSQL run of the
suite; it is skipped, saying why, when no PostgreSQL answers at DATABASE_URL or 127.0.0.1:5432."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
FIGURE_RE = re.compile(r'data-figure="talk_compliance_term">([^<]*)<')

# The simulated browser (cookies, CSRF token, demo password) of the concurrency check, reused as is.
_spec = importlib.util.spec_from_file_location("concurrency_check", ROOT / "scripts" / "concurrency_check.py")
concurrency_check = sys.modules.setdefault("concurrency_check", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(concurrency_check)
Teacher = concurrency_check.Teacher

# A mentor, a paired child and a whole past week of this term in which the child had no talk: one talk
# dated that week raises the school's 谈心达标率 (a week counts once it has ended, mentoring.periods).
PICK_SCRIPT = """
import json
from datetime import timedelta
from django.utils import timezone
from caretrack.models import Term
from mentoring.models import Pairing, Talk
today = timezone.localdate()
this_monday = today - timedelta(days=today.weekday())
found = None
pairings = Pairing.objects.open_on(today).filter(mentor__isnull=False).select_related("mentor", "child")
for p in pairings.order_by("pk"):
    term = Term.objects.current(p.child.school)
    monday = this_monday - timedelta(days=7)
    while term is not None and found is None and monday >= max(term.start_date, p.start_date):
        if not Talk.objects.filter(child=p.child, date__range=(monday, monday + timedelta(days=6))).exists():
            found = {"mentor": p.mentor.username, "child": p.child_id, "date": monday.isoformat()}
        monday -= timedelta(days=7)
    if found:
        break
print(json.dumps(found))
"""


def _postgres_admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    base = url if url.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES
    return urlunsplit(urlsplit(base)._replace(scheme="postgresql", path="/postgres"))


@contextlib.contextmanager
def _own_database():
    """A new empty PostgreSQL database; dropped afterwards, whatever happened."""
    psycopg = pytest.importorskip("psycopg")
    admin_url = _postgres_admin_url()
    try:
        connection = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        pytest.skip(f"two app servers need PostgreSQL, none answers at {urlsplit(admin_url).netloc}: {error}")
    name = f"caretrack_two_servers_{uuid.uuid4().hex[:8]}"
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _production_env(database_url: str, media_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_DIR", "SQLITE_PATH"}}
    env.update(
        DJANGO_SETTINGS_MODULE="caretrack.settings",  # production's, not the suite's (tests/settings.py)
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(media_root),
        SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1, no nginx in front
        SECURE_COOKIES="0",
        DJANGO_MANIFEST_STATIC="0",  # no collectstatic: the figures are the point here
        GUNICORN_WORKERS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert completed.returncode == 0, f"manage.py {' '.join(args)}:\n{completed.stdout}\n{completed.stderr}"
    return completed.stdout


@contextlib.contextmanager
def _app_servers(env: dict[str, str], log_dir: Path, count: int = 2):
    """`count` gunicorns as deploy/caretrack.service starts them, each on a free port, started together;
    yields their ports and stops them all afterwards."""
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    servers = []
    try:
        for n in range(count):
            port = concurrency_check.free_port()
            with open(log_dir / f"server-{n}.log", "w") as log:
                process = subprocess.Popen(
                    [gunicorn, "-c", "deploy/gunicorn.conf.py", "caretrack.wsgi:application"],
                    cwd=ROOT,
                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            servers.append((port, process, log_dir / f"server-{n}.log"))
        deadline = time.monotonic() + 60
        for port, process, log_path in servers:
            while True:
                assert process.poll() is None, f"gunicorn exited:\n{log_path.read_text()}"
                with contextlib.suppress(OSError):
                    if concurrency_check.request("127.0.0.1", port, "GET", "/healthz", timeout=5)[0] == 200:
                        break
                assert time.monotonic() < deadline, f"gunicorn did not answer:\n{log_path.read_text()}"
                time.sleep(0.2)
        yield [port for port, _, _ in servers]
    finally:
        for _, process, _ in servers:
            process.send_signal(signal.SIGTERM)
        for _, process, _ in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _talk_compliance(bureau: Teacher) -> str:
    status, _, html = bureau._call("GET", "/reports/county/")
    assert status == 200, status
    figures = FIGURE_RE.findall(html)
    assert len(figures) == 1, "the county page shows one school's 谈心达标率"
    return figures[0]


def test_a_talk_saved_through_one_server_counts_at_once_in_the_figures_read_through_another(tmp_path):
    with _own_database() as database_url:
        env = _production_env(database_url, tmp_path / "media")
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "seed_demo", "--schools", "1", "--children", "18", "--teachers", "20")
        pick = json.loads(_manage(env, "shell", "-c", PICK_SCRIPT).strip().splitlines()[-1])
        assert pick, "the demo school has a paired child with a whole past week without a talk"

        with _app_servers(env, tmp_path) as (port_a, port_b):
            bureau = Teacher(port_b, "jiaoyuju", timeout=30)
            assert bureau.login()
            before = _talk_compliance(bureau)  # B computes the figures and caches them
            assert _talk_compliance(bureau) == before

            mentor = Teacher(port_a, pick["mentor"], timeout=30)
            assert mentor.login()
            path = f"/mentoring/children/{pick['child']}/talk/new/"
            status, _, form = mentor._call("GET", path)
            assert status == 200
            body = {
                "csrfmiddlewaretoken": mentor._token(form),
                "date": pick["date"],
                "place": "office",
                "topics": ["study"],
                "mood": "3",
                "text": "两台服务器：在 A 上保存的谈心记录",
            }
            status, location, _ = mentor._call("POST", path, body)
            assert status == 302 and "/accounts/login/" not in location, (status, location)

            after = _talk_compliance(bureau)
            assert float(after.rstrip("%")) > float(before.rstrip("%")), (before, after)
            bureau_on_a = Teacher(port_a, "jiaoyuju", timeout=30)
            assert bureau_on_a.login()
            assert _talk_compliance(bureau_on_a) == after
            server_logs = "".join(path.read_text() for path in tmp_path.glob("server-*.log"))
        assert "Traceback" not in server_logs
        # The figures the servers shared were in the database's cache table, which migrate made.
        import psycopg

        with psycopg.connect(urlunsplit(urlsplit(database_url)._replace(scheme="postgresql"))) as connection:
            keys = [row[0] for row in connection.execute("SELECT cache_key FROM caretrack_cache")]
        assert any("county-figures" in key for key in keys)
        assert any("figures-version" in key for key in keys)
