"""Page benchmarks (not part of the test suite): `make bench` or

    .venv/bin/python bench/run.py                      # school scale: 1 school × 1,500 children, SQLite
    .venv/bin/python bench/run.py --county --database-url postgres://postgres@127.0.0.1:5432/postgres
                                                       # county scale: 100 schools × 500 children, PostgreSQL

School scale builds the demo data set (seed_demo: archives, pairings and a term of logs) in a temporary
SQLite file; county scale builds it in a PostgreSQL database named caretrack_bench_county beside the
--database-url (reused on later runs when it already holds the same data set; --rebuild to start over).

Each page is requested in-process with Django's test Client as the persona who uses it; the table shows
the median and p95 latency over --repeat requests, the number of SQL queries, and the ratio to two floors
measured in the same run: `healthz` (a trivial Django view: the framework floor) and an empty page
rendered with the site's base template for a logged-in teacher (the floor of any page of this site).
Targets: each school page within 4× the empty-page floor with at most 12 queries of its own (beyond the
empty page's five: session, user, roles, the menu's count, the bell), the term report PDF within 10×
(issue 17); the county overview under 500 ms on PostgreSQL (issue 8). The plain pages are requested in
rounds (every page once per round, the floors included), so that a burst of load on a shared machine slows
the floor and the pages alike instead of one page's run. Pages whose URL does not exist yet are skipped.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
import types
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COUNTY_DB = "caretrack_bench_county"


@dataclass
class Row:
    name: str
    url_name: str
    status: int
    median_ms: float
    p95_ms: float
    queries: int
    target_ms: float | None
    ratio_target: float | None = None  # × the empty-page floor (school scale)
    query_target: int | None = None
    floor_queries: int | None = None  # the empty page's queries for the same user (what every page pays)


@dataclass
class Page:
    """A page to measure: as a tuple of the first six fields in _pages(), or with the school targets."""

    name: str
    url_name: str
    args: list
    username: str | None
    method: str
    target_ms: float | None
    ratio_target: float | None = None
    query_target: int | None = None
    query: str = ""  # a query string (a search on the board)


SCHOOL_RATIO, PDF_RATIO, SCHOOL_QUERIES = 4.0, 10.0, 12  # issue 17


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _prepare_environment(args) -> str:
    """Point the settings at the benchmark database before Django starts; returns a label."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caretrack.settings")
    os.environ.update(SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0", DJANGO_MANIFEST_STATIC="0", DJANGO_DEBUG="0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    # Production settings refuse to start without a key of their own; a throwaway one for this local run.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    # seed_demo writes demo photos: into a directory of the benchmark's own, never the project's media/.
    os.environ["MEDIA_ROOT"] = args.media_root or tempfile.mkdtemp(prefix="caretrack-bench-media-")
    if args.county:
        if not args.database_url:
            sys.exit("--county needs --database-url postgres://… (a PostgreSQL server)")
        parts = urlsplit(args.database_url)
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{COUNTY_DB}"))
        return f"PostgreSQL {COUNTY_DB}"
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        return "PostgreSQL (given URL)"
    path = Path(args.sqlite or Path(tempfile.mkdtemp(prefix="caretrack-bench-")) / "school.sqlite3")
    os.environ["SQLITE_PATH"] = str(path)
    return f"SQLite {path}"


def _ensure_county_database(args) -> None:
    import psycopg

    parts = urlsplit(args.database_url)
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [COUNTY_DB]).fetchone()
        if exists and args.rebuild:
            conn.execute(f'DROP DATABASE "{COUNTY_DB}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{COUNTY_DB}"')


def _build(schools: int, children: int, teachers: int) -> float:
    """migrate + seed_demo unless the database already holds this data set; returns seconds spent."""
    from django.core.management import call_command

    from caretrack.models import School
    from children.models import Child

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if School.objects.exists():
        have = (School.objects.count(), Child.objects.count())
        if have == (schools, schools * children):
            print(f"Reusing the data set already in the database: {have[0]} schools, {have[1]} children.")
            _analyze()
            return 0.0
        sys.exit(f"The database holds another data set ({have}); use --rebuild or another database.")
    print(f"Building {schools} school(s) × {children} children (seed_demo) …", flush=True)
    call_command("seed_demo", schools=schools, children=children, teachers=teachers, verbosity=0)
    _analyze()
    return time.perf_counter() - started


def _add_history(terms: int) -> float:
    """Past terms of logs (PostgreSQL, server-side copies of this term's logs shifted back by half a year
    each), so that the tables are as large as a county's after some years (about 2 million logs for 100
    schools and 10 terms) while the current term's figures stay those of the demo."""
    from django.db import connection

    from caretrack.models import Term
    from mentoring.models import LOG_MODELS

    if connection.vendor != "postgresql":
        return 0.0
    start = Term.objects.filter(is_current=True).order_by("start_date").values_list("start_date", flat=True).first()
    talk = LOG_MODELS["talk"]
    if talk.all_objects.filter(date__lt=start - timedelta(days=200)).exists():
        return 0.0
    print(f"Adding {terms} past terms of logs …", flush=True)
    started = time.perf_counter()
    shifted = {"date", "created_at", "updated_at"}
    with connection.cursor() as cursor:
        for model in LOG_MODELS.values():
            table = connection.ops.quote_name(model._meta.db_table)
            columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
            for k in range(1, terms + 1):
                select = []
                for column in columns:
                    quoted = connection.ops.quote_name(column)
                    if column in shifted:
                        select.append(f"{quoted} - interval '{182 * k} days'")
                    elif column == "concern_id":
                        select.append("NULL")  # one concern per log: the copies raise none
                    else:
                        select.append(quoted)
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(map(connection.ops.quote_name, columns))}) "
                    f"SELECT {', '.join(select)} FROM {table} WHERE date >= %s",
                    [start],
                )
    _analyze()
    return time.perf_counter() - started


def _analyze() -> None:
    """PostgreSQL's autovacuum analyses freshly bulk-loaded tables within minutes; measuring before that
    would time plans made without statistics. (SQLite never analyses by itself, so it is left alone.)"""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _sizes() -> str:
    from caretrack.models import School
    from children.models import Child
    from mentoring.models import LOG_MODELS

    logs = sum(model.all_objects.count() for model in LOG_MODELS.values())
    talks = LOG_MODELS["talk"].all_objects.count()
    return (
        f"{School.objects.count()} schools, {Child.objects.count()} children, "
        f"{logs} logs (talks {talks}, visits and contacts {logs - talks})"
    )


def _install_floor_page() -> None:
    """The site's URLs plus an empty page rendered with base.html (navigation and roles included)."""
    from django.conf import settings
    from django.shortcuts import render
    from django.urls import clear_url_caches, path

    import caretrack.urls

    def empty_page(request):
        return render(request, "base.html", {})

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [*caretrack.urls.urlpatterns, path("__bench/empty-page/", empty_page, name="bench_floor")]
    sys.modules["bench_urls"] = module
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


def _floor_queries(client, floor_url: str) -> int:
    """The empty page's queries for this client's user: what every page of theirs pays (the session, the
    user, the roles, the bell, and the menu's 待处理 count for who handles concerns)."""
    return _measure(client, "get", floor_url, repeat=0, warmup=1)[2]


def _measure(client, method: str, url: str, repeat: int, warmup: int) -> tuple[int, list[float], int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cold = method.endswith("-cold")  # figures cache emptied before every request (not timed)
    call = client.post if method.startswith("post") else client.get
    status = 0
    for _ in range(warmup):
        status = call(url).status_code
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        status = call(url).status_code
    queries = len(captured.captured_queries)
    timings = []
    for _ in range(repeat):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = call(url)
        timings.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return status, timings, queries


def _measure_rounds(targets: list, repeat: int, warmup: int) -> list[tuple[int, list[float], int]]:
    """Like _measure for several (client, url) GETs at once, in `repeat` rounds of one request to each: a
    slow moment of a shared machine then slows every page of that round, the floor's too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses, counts, timings = [], [], [[] for _ in targets]
    for client, url in targets:
        for _ in range(warmup):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            statuses.append(client.get(url).status_code)
        counts.append(len(captured.captured_queries))
    for _ in range(repeat):
        for k, (client, url) in enumerate(targets):
            started = time.perf_counter()
            response = client.get(url)
            timings[k].append((time.perf_counter() - started) * 1000)
            statuses[k] = max(statuses[k], response.status_code)
    return list(zip(statuses, timings, counts, strict=True))


def _pages(*, county: bool):
    """(label, url name, args, persona username, method, target ms or None) for each page."""
    from django.contrib.auth.models import User
    from django.db.models import Count

    from children.models import Child, LeftBehindType

    principal = User.objects.filter(profile__is_principal=True).order_by("pk").first()
    child = (
        Child.objects.filter(school_id=principal.profile.school_id)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .annotate(n=Count("talks"))
        .order_by("-n", "pk")
        .first()
    )
    if county:
        return [
            # Issue 17: warm ≤ 50 ms; cold (cache emptied, the figures engine's rows present) ≤ 300 ms.
            ("county overview (100 schools, warm)", "reports:county", [], "jiaoyuju", "get", 50.0),
            ("county overview (100 schools, cold)", "reports:county", [], "jiaoyuju", "get-cold", 300.0),
            # A school's own pages must not slow as the county grows: the first school's, same targets.
            *_school_pages(principal.username, child, county=True),
        ]
    return _school_pages(principal.username, child)


def _school_pages(principal: str, child, county: bool = False) -> list[Page]:
    """The pages a school uses every day (issue 17): each within 4× the floor with at most 12 queries. On the
    county database the bureau's own pages are measured apart (above), so they are left out here."""
    searched = child.name_initials[:2] or child.name[:1]  # a search on the board that finds a few children
    mentored = _mentored_child()

    def page(name, url_name, username, args=(), method="get", ratio=SCHOOL_RATIO, query=""):
        return Page(name, url_name, list(args), username, method, None, ratio, SCHOOL_QUERIES, query)

    return [
        page("我的学生 (mentor)", "mentoring:my_students", "bangfu"),
        page("我的学生 (class teacher)", "mentoring:my_students", "banzhuren"),
        page("child list (principal)", "children:list", principal),
        page("child list (class teacher)", "children:list", "banzhuren"),
        page("child page (principal, audited)", "children:detail", principal, [child.pk]),
        *([page("child page (mentor)", "children:detail", "bangfu", [mentored])] if mentored else []),
        page("archive sections (principal)", "children:archive", principal, [child.pk]),
        page("结对帮扶 board (coordinator)", "mentoring:pairings", "deyu"),
        page("结对帮扶 board, searched", "mentoring:pairings", "deyu", query=f"q={searched}"),
        page("dashboard (principal)", "reports:dashboard", principal),
        page("工作总结 page (principal)", "reports:term_report", principal),
        page("activity list (principal)", "activities:list", principal),
        page("activity list (class teacher)", "activities:list", "banzhuren"),
        page("term report PDF (principal)", "reports:term_report_pdf", principal, method="post", ratio=PDF_RATIO),
        *(
            []
            if county
            else [
                Page("county overview (bureau, 1 school)", "reports:county", [], "jiaoyuju", "get", 150.0),
                Page("county overview (bureau, 1 school, cold)", "reports:county", [], "jiaoyuju", "get-cold", 150.0),
            ]
        ),
    ]


def _mentored_child() -> int | None:
    """A child the demo mentor (bangfu) may open, for the child page as a mentor sees it: one paired to her,
    else any she may see; None when a small data set gives her none (the row is then left out)."""
    from django.contrib.auth.models import User

    from children.permissions import children_visible_to

    user = User.objects.filter(username="bangfu").first()
    if user is None:
        return None
    visible = children_visible_to(user).order_by("pk")
    paired = visible.filter(pairings__mentor=user, pairings__end_date__isnull=True)
    return paired.values_list("pk", flat=True).first() or visible.values_list("pk", flat=True).first()


def run(args) -> int:
    label = _prepare_environment(args)
    if args.county:
        _ensure_county_database(args)
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    schools, children = (args.schools, args.county_children) if args.county else (1, args.children)
    built = _build(schools, children, args.teachers)
    if args.county and args.history_terms:
        built += _add_history(args.history_terms)
    _install_floor_page()
    print(f"Database: {label} ({connection.vendor}); data set built in {built:.0f} s.")
    print(f"Data set: {_sizes()}")

    clients: dict[str, Client] = {}

    def client_for(username: str | None) -> Client:
        if username not in clients:
            client = Client(raise_request_exception=False)  # a page that fails is a row with its HTTP 500
            if username:
                client.force_login(User.objects.get(username=username))
            clients[username] = client
        return clients[username]

    floors = [
        ("floor: healthz (trivial view)", "healthz", [], None, "get", None),
        ("floor: empty page with base.html", "bench_floor", [], "bangfu", "get", None),
    ]
    pages, urls = [], []
    for page in (p if isinstance(p, Page) else Page(*p) for p in floors + _pages(county=args.county)):
        try:
            url = reverse(page.url_name, args=page.args)
        except NoReverseMatch:
            print(f"  skipped (no URL yet): {page.name} [{page.url_name}]")
            continue
        pages.append(page)
        urls.append(f"{url}?{page.query}" if page.query else url)
    # School scale: the plain GETs (floors included) in rounds; downloads and cold pages one after the other.
    in_rounds = [
        i
        for i, page in enumerate(pages)
        if page.method == "get"
        and page.url_name != "healthz"
        and not (args.county and page.url_name == "reports:county")
    ]
    results = dict(
        zip(
            in_rounds,
            _measure_rounds([(client_for(pages[i].username), urls[i]) for i in in_rounds], args.repeat, args.warmup),
            strict=True,
        )
    )
    rows: list[Row] = []
    floor_url = reverse("bench_floor")
    for i, page in enumerate(pages):
        if i not in results:
            repeat = args.repeat
            if page.method.endswith("-cold"):
                repeat = max(3, args.repeat // 5)
            elif page.method.startswith("post"):
                repeat = max(10, args.repeat // 3)
            results[i] = _measure(client_for(page.username), page.method, urls[i], repeat, args.warmup)
        status, timings, queries = results[i]
        median = statistics.median(timings)
        p95, targets = _percentile(timings, 0.95), (page.target_ms, page.ratio_target, page.query_target)
        floor_queries = _floor_queries(client_for(page.username), floor_url) if page.query_target else None
        rows.append(Row(page.name, page.url_name, status, median, p95, queries, *targets, floor_queries))
        print(f"  measured {page.name}: {median:.1f} ms", flush=True)

    trivial = rows[0].median_ms
    page_floor, floor_queries = rows[1].median_ms, rows[1].queries
    print()
    print(f"{'page':<42}{'status':>7}{'median ms':>11}{'p95 ms':>9}{'queries':>9}{'×trivial':>10}{'×page':>8}  target")
    failures = 0
    for row in rows:
        verdicts = []
        if row.target_ms is not None:
            under = row.median_ms < row.target_ms
            verdicts.append(f"<{row.target_ms:.0f} ms {'OK' if under else 'MISS'}")
            failures += not under
        if row.ratio_target is not None:
            within = row.median_ms <= row.ratio_target * page_floor
            verdicts.append(f"≤{row.ratio_target:g}× floor {'PASS' if within else 'FAIL'}")
            failures += not within
        if row.query_target is not None:
            # Its own queries: beyond the empty page's (session, user, roles, 待处理 count, the bell).
            own = row.queries - row.floor_queries
            few = own <= row.query_target
            verdicts.append(f"≤{row.query_target} own queries ({own}) {'PASS' if few else 'FAIL'}")
            failures += not few
        verdict = "; ".join(verdicts)
        if row.status >= 400:  # a page that failed has no timing worth judging
            verdict = f"FAIL: HTTP {row.status}"
            failures += 1
        print(
            f"{row.name:<42}{row.status:>7}{row.median_ms:>11.1f}{row.p95_ms:>9.1f}{row.queries:>9}"
            f"{row.median_ms / trivial:>10.1f}{row.median_ms / page_floor:>8.1f}  {verdict}"
        )
    print()
    print("Ratios: ×trivial = to healthz, ×page = to an empty page with the site's base template (logged in).")
    if args.county:
        failures += _county_figures(args.repeat, page_floor)
    if not args.county:
        print(
            "Own queries: a page's queries less the empty page's for the same user (tests/test_page_queries.py):"
            f" {floor_queries} for the mentor, one more (the menu's 待处理 count) for who handles concerns."
        )
    return 1 if failures and args.strict else 0


def _county_figures(repeat: int, page_floor: float) -> int:
    """The county overview's figures without the page (reports.selectors.county_rows for the bureau's
    schools): scanned (the figures engine's rows dropped: what every cold read cost before it), cold (cache
    emptied, rows present) and warm. Returns the number of targets missed."""
    from django.contrib.auth.models import User
    from django.core.cache import cache

    from caretrack.permissions import require_bureau
    from reports.figures_store import forget_figures
    from reports.selectors import county_rows, county_term_keys

    schools = require_bureau(User.objects.get(username="jiaoyuju"))
    key = county_term_keys(schools)[1]

    def timed(before) -> float:
        before()
        started = time.perf_counter()
        county_rows(schools=schools, key=key)
        return (time.perf_counter() - started) * 1000

    scanned = statistics.median(timed(forget_figures) for _ in range(max(3, repeat // 10)))
    county_rows(schools=schools, key=key)
    cold = statistics.median(timed(cache.clear) for _ in range(repeat))
    warm = statistics.median(timed(lambda: None) for _ in range(repeat))
    print()
    print(f"County figures of {schools.count()} schools (county_rows, no page):")
    failures = 0
    for name, ms, target in (("scanned (no rows)", scanned, None), ("cold", cold, 300.0), ("warm", warm, 50.0)):
        verdict = f"≤{target:.0f} ms {'OK' if ms <= target else 'MISS'}" if target else ""
        failures += bool(target) and ms > target
        print(f"  {name:<20}{ms:>9.1f} ms{ms / page_floor:>7.1f}× page floor  {verdict}")
    print(f"  rows against scanning: {scanned / cold:.0f}× faster cold, {scanned / warm:.0f}× warm")
    return failures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1500, help="school scale: children (default 1500)")
    parser.add_argument("--teachers", type=int, default=60, help="teachers per school (default 60)")
    parser.add_argument("--county", action="store_true", help="county scale on PostgreSQL (needs --database-url)")
    parser.add_argument("--schools", type=int, default=100, help="county scale: schools (default 100)")
    parser.add_argument("--county-children", type=int, default=500, help="county scale: children per school")
    parser.add_argument("--database-url", help="PostgreSQL server URL (county: a database is created beside it)")
    parser.add_argument("--sqlite", help="school scale: SQLite file to build or reuse (default: a temp file)")
    parser.add_argument("--media-root", help="where seed_demo may write demo photos (default: a temp dir)")
    parser.add_argument(
        "--history-terms", type=int, default=10, help="county scale: past terms of logs to add (default 10)"
    )
    parser.add_argument("--rebuild", action="store_true", help="county scale: drop and rebuild the data set")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (default 3)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
