"""A mentor on a phone (390×844) in a village with a weak signal: what is typed survives a reload, a 家访
saved with no connection waits in the outbox ("待发送 1 条") and is saved exactly once when the connection
returns, a refused entry is shown and can be fixed, and the pages already visited open offline.

Playwright's set_offline does not cut a service worker's own requests (Playwright issue #2311): with
PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS=1 (set below, before the session's browser starts) they pass
through context.route, which aborts them while the phone is "offline". Playwright fires no Background
Sync event: after going online the test asks the page to send its outbox, as its 'online' handler does.
"""

import io
import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

# Read by Playwright's driver when it starts, which is after collection: this module sets it in time.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

from playwright.sync_api import expect  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VISIT_TEXT = "与奶奶交流孩子在家的学习情况，家中有书桌。"


@pytest.fixture
def paired_child(world):
    from caretrack.models import Term
    from tests.factories import ChildFactory, GuardianFactory, PairingFactory

    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    GuardianFactory(child=child, name="王秀英")
    PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
    return child


class Network:
    """The phone's connection: offline cuts the page's requests (set_offline) and the worker's (routed)."""

    def __init__(self, context):
        self.context = context
        self.offline = False
        self.worker_requests: list[str] = []
        self.lose_next_answer = False
        self.lost: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        if self.lose_next_answer and route.request.method == "POST":
            # The server gets the post and answers; the answer never reaches the phone.
            self.lose_next_answer = False
            route.fetch()
            self.lost.append(route.request.url)
            route.abort("internetdisconnected")
            return
        if route.request.service_worker is not None:
            self.worker_requests.append(route.request.url)
            if self.offline:
                route.abort("internetdisconnected")
                return
        route.continue_()

    def cut(self):
        self.offline = True
        self.context.set_offline(True)

    def restore(self):
        self.offline = False
        self.context.set_offline(False)


@pytest.fixture
def mentor_page(page, browser_login, world, paired_child):
    """Logged in as the mentor, on 我的学生, with the service worker in control of the page."""
    network = Network(page.context)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_login(page, world.mentor)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.network = network
    yield page
    page.context.unroute_all(behavior="ignoreErrors")
    assert errors == [], errors  # no script error on any page on the way


def open_form(page, child, link):
    page.locator(f'[data-child="{child.pk}"]').get_by_role("link", name=link).click()
    page.wait_for_load_state("domcontentloaded")


# The outbox's one entry was tried and is waiting again (not being sent by the page or the worker).
TRIED_AND_WAITING = """async () => {
  const entries = await window.CareTrackOutbox.all();
  return entries.length === 1 && entries[0].attempts >= 1 && entries[0].claimedAt === 0;
}"""


def a_photo() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def drafts(page) -> list[str]:
    return page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('caretrack:draft:'))")


def test_a_visit_saved_with_no_connection_is_queued_then_saved_exactly_once(mentor_page, paired_child, world):
    from mentoring.models import HomeVisit

    page = mentor_page
    open_form(page, paired_child, "家访")
    page.get_by_label("记录内容").fill(VISIT_TEXT)
    page.get_by_label("家访照片").set_input_files([{"name": "书桌.jpg", "mimeType": "image/jpeg", "buffer": a_photo()}])
    page.network.cut()
    page.get_by_role("button", name="保存").click()

    expect(page.locator("#outbox-badge")).to_have_text("待发送 1 条")
    expect(page.locator("#draft-notice")).to_contain_text("恢复网络后将自动发送")
    assert page.get_by_label("记录内容").input_value() == ""  # ready for the next one
    assert drafts(page) == []  # the outbox holds the entry now
    assert not HomeVisit.objects.exists()

    # The connection comes back but drops again after the server saved the visit: the phone never hears
    # "saved", keeps the entry, and sends it again; the key makes the second post a no-op.
    page.network.lose_next_answer = True
    with page.context.expect_event("requestfailed", predicate=lambda request: request.method == "POST"):
        page.network.restore()
        # Chromium's Background Sync, the page's 'online' handler or this call: the first one sends it.
        page.evaluate("() => window.CareTrackOffline.flush()")
    page.wait_for_function(TRIED_AND_WAITING)
    assert page.network.lost and HomeVisit.objects.count() == 1
    expect(page.locator("#outbox-badge")).to_have_text("待发送 1 条")

    page.evaluate("() => window.CareTrackOffline.flush()")
    expect(page.locator("#outbox-badge")).to_be_hidden()
    expect(page.locator("#outbox-sent")).to_have_text("已发送 1 条待发送的记录。")
    visit = HomeVisit.objects.get()
    assert visit.text == VISIT_TEXT and visit.author == world.mentor and visit.child == paired_child
    assert "王秀英" in visit.met_whom and visit.photos.count() == 1  # the photo waited in the outbox too
    # The worker's own requests went through the route: the experimental flag took effect.
    assert page.network.worker_requests


def test_an_unsaved_form_is_restored_after_a_reload_and_a_saved_one_leaves_no_draft(mentor_page, paired_child):
    page = mentor_page
    open_form(page, paired_child, "谈心")
    page.get_by_text("学习", exact=True).click()
    page.get_by_label("记录内容").fill("数学测验有进步。")
    page.reload()
    expect(page.locator("#draft-notice")).to_contain_text("已恢复您上次未保存的草稿")
    assert page.get_by_label("记录内容").input_value() == "数学测验有进步。"
    assert page.locator('input[name="topics"][value="study"]').is_checked()

    # 丢弃草稿 empties the form; typing again makes a new draft, which 保存 clears once the server saved it.
    page.get_by_role("button", name="丢弃草稿").click()
    assert page.get_by_label("记录内容").input_value() == "" and drafts(page) == []
    page.get_by_label("记录内容").fill("约定每天先写作业。")
    assert len(drafts(page)) == 1
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存 王小花 的谈心记录")).to_be_visible()
    assert drafts(page) == []
    open_form(page, paired_child, "谈心")
    assert page.get_by_label("记录内容").input_value() == ""
    expect(page.locator("#draft-notice")).to_be_hidden()


def test_a_refused_entry_is_shown_and_fixed_from_its_form(mentor_page, paired_child):
    from mentoring.models import HomeVisit

    page = mentor_page
    open_form(page, paired_child, "家访")
    page.get_by_label("接待人").fill("")
    page.get_by_label("记录内容").fill(VISIT_TEXT)
    page.network.cut()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#outbox-badge")).to_have_text("待发送 1 条")

    page.network.restore()
    page.evaluate("() => window.CareTrackOffline.flush()")
    note = page.locator("#outbox-rejected")
    expect(note).to_contain_text("1 条未能发送，请打开修改")
    note.get_by_role("link").click()
    expect(page.locator("#draft-notice")).to_contain_text("请填写接待人")
    assert page.get_by_label("记录内容").input_value() == VISIT_TEXT
    page.get_by_label("接待人").fill("奶奶王秀英")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存 王小花 的家访记录")).to_be_visible()
    expect(page.locator("#outbox-badge")).to_be_hidden()
    expect(note).to_be_hidden()
    assert HomeVisit.objects.filter(text=VISIT_TEXT).count() == 1


def test_pages_already_visited_open_offline_and_logging_out_forgets_them(mentor_page, paired_child, live_server):
    page = mentor_page
    form_url = f"{live_server.url}/mentoring/children/{paired_child.pk}/visit/new/"
    child_url = f"{live_server.url}/children/{paired_child.pk}/"
    for url in (form_url, child_url, f"{live_server.url}/mentoring/"):
        page.goto(url)
    page.network.cut()
    page.goto(form_url)
    expect(page.get_by_role("heading", name="家访记录 · 王小花")).to_be_visible()
    page.goto(child_url)
    expect(page.get_by_text("王小花").first).to_be_visible()
    page.goto(f"{live_server.url}/mentoring/children/{paired_child.pk}/chronology/")  # a page never kept
    expect(page.get_by_text("当前没有网络连接")).to_be_visible()

    page.network.restore()
    page.goto(f"{live_server.url}/mentoring/")
    page.get_by_role("button", name="展开菜单").click()
    # The menu's opening transition over (a busy machine draws it slowly), then the user's own menu.
    expect(page.locator("#mainNav")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_role("button", name="刘老师").click()
    expect(page.get_by_role("button", name="刘老师")).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/**")
    assert page.evaluate("() => caches.has('caretrack-pages')") is False


def test_a_save_whose_connection_drops_on_the_way_is_queued_by_the_service_worker(mentor_page, paired_child):
    """The phone shows a signal (navigator.onLine) but the request never arrives: the worker catches the
    failed 保存, queues it and brings the teacher back to the form, which says so."""
    from mentoring.models import GuardianContact

    page = mentor_page
    open_form(page, paired_child, "监护人")
    page.get_by_label("记录内容").fill("电话告知奶奶下周开家长会。")
    page.network.offline = True  # only the worker's requests fail; the page believes it is online
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#draft-notice")).to_contain_text("网络中断，这条记录已保存在本机")
    expect(page.locator("#outbox-badge")).to_have_text("待发送 1 条")
    assert drafts(page) == [] and not GuardianContact.objects.exists()

    page.network.offline = False
    page.evaluate("() => window.CareTrackOffline.flush()")
    expect(page.locator("#outbox-badge")).to_be_hidden()
    assert GuardianContact.objects.filter(child=paired_child, text="电话告知奶奶下周开家长会。").count() == 1
