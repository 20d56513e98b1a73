"""A teacher's first visit on a phone with an empty cache (log in, 我的学生, one child's page) transfers at
most 150 KB compressed: every response the browser fetches counts, the service worker's own fetches too.

How bytes are counted: the live server's static handler sends files uncompressed, while production serves
them through whitenoise's pre-compressed copies (gzip/brotli) and gunicorn behind nginx gzips the pages.
So the test compresses each response body itself with gzip level 6 (what whitenoise and nginx do, brotli
being smaller still) and adds the response headers as sent. A redirect has no body: its headers count.

Service workers: Playwright reports a worker's own fetches (its precache, its network-first page loads)
only with PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS=1 in the driver's environment. The driver starts
after collection, so setting it here covers this module (and the other browser tests of the same run, on
which it has no effect other than making those fetches visible). A page response answered from the worker
(response.from_service_worker) is not counted: its network fetch is, once, as the worker's request.
"""

import gzip
import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BUDGET = 150 * 1024


@pytest.fixture
def mentor_with_children(world):
    from caretrack.models import Term
    from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory, TalkFactory

    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )
    children = []
    for name in ("王小花", "向嘉懿", "谢语嫣", "杨子涵", "罗梓轩", "黄雨桐"):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=name)
        ParentFactory(child=child, work_province_id=None, work_city_id=None)
        GuardianFactory(child=child)
        PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
        children.append(child)
    for days in (0, 7, 14):
        TalkFactory(child=children[0], author=world.mentor, date=today - timedelta(days=days))
    return children


def _transferred(response) -> tuple[int, int, str]:
    """(compressed body bytes, header bytes, note) of one response, read as it arrives (a page's bodies
    are dropped once the browser navigates on). A response from the browser's cache transferred nothing:
    chromium reports its encoded length as 0, which Playwright gives as a body size of minus the headers."""
    sizes = response.request.sizes()
    headers, wire_body = sizes["responseHeadersSize"], sizes["responseBodySize"]
    if headers + wire_body <= 0:
        return 0, 0, " (cache)"
    if 300 <= response.status < 400 or wire_body == 0:
        return 0, headers, ""
    try:
        body = response.body()
    except Exception:  # noqa: BLE001 - body no longer held by the browser: count it uncompressed
        return wire_body, headers, " (uncompressed: body unavailable)"
    return len(gzip.compress(body, compresslevel=6)), headers, ""


def test_a_teachers_first_load_on_a_phone_transfers_at_most_150_kb(
    browser, browser_context_args, browser_login, live_server, world, mentor_with_children
):
    context = browser.new_context(**browser_context_args)  # a fresh context: empty cache, no worker yet
    rows = []

    def record(response):
        if response.from_service_worker:
            return
        body, headers, note = _transferred(response)
        worker = " (service worker)" if response.request.service_worker else ""
        path = response.url.removeprefix(live_server.url)
        rows.append((body + headers, body, headers, f"{response.status} {path}{worker}{note}"))

    context.on("response", record)
    page = context.new_page()

    browser_login(page, world.mentor)
    assert page.url.endswith(reverse("mentoring:my_students"))
    page.get_by_text("王小花").first.wait_for()
    page.goto(live_server.url + reverse("children:detail", args=[mentor_with_children[0].pk]))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)  # a service worker's precache, started after load, finishes
    page.wait_for_load_state("networkidle")

    context.close()
    total = sum(r[0] for r in rows)
    breakdown = "\n".join(f"{t:>8,} = {b:>8,} body (gzip -6) + {h:>5,} headers  {what}" for t, b, h, what in rows)
    print(f"\nA teacher's first load: {total:,} bytes ({total / 1024:.1f} KB) in {len(rows)} responses\n{breakdown}")
    assert total <= BUDGET, f"{total:,} bytes > {BUDGET:,}:\n{breakdown}"
