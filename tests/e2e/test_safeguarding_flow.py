"""Safeguarding on a phone (390×844, no internet): a mentor raises a 心理危机 concern from a talk; at once the
coordinator's home shows it first, with a count, and an e-mail reaches the local SMTP server and a post the local
group robot, neither with the child's full name; the coordinator assigns the case, adds a follow-up, refers it to
乡镇民政 and closes it with an outcome; the principal's audit log shows each step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.caretrack.notify_servers import robot_fixture, smtp_server_fixture  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def crisis_world(world, settings):
    from caretrack.models import Term
    from tests.factories import ChildFactory, ConcernFactory, PairingFactory

    settings.SITE_URL = "https://caretrack.example.edu.cn"
    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )
    addresses = {world.coordinator: "deyu@school.example.cn", world.principal: "xiaozhang@school.example.cn"}
    for user, address in addresses.items():
        user.email = address
        user.save(update_fields=["email"])
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
    # Older, ordinary concerns: the new 紧急 one must still come first.
    for days, category in ((12, "academic"), (9, "other")):
        other = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
        ConcernFactory(child=other, category=category, raised_by=world.mentor, raised_on=today - timedelta(days))
    return child


def _open(page, base, path):
    page.goto(f"{base}{path}")
    page.wait_for_load_state("domcontentloaded")


def _submit(page, name):
    with page.expect_navigation():  # waits for the answer, not for the page already shown
        page.get_by_role("button", name=name).click()


def test_a_crisis_reaches_the_coordinator_at_once_and_is_worked_to_closure_on_a_phone(
    offline_page, browser_login, world, live_server, crisis_world, smtp_server, robot
):
    from caretrack.models import AuditEvent
    from mentoring.models import Concern, ConcernStatus

    child, page, base = crisis_world, offline_page, live_server.url

    # The mentor raises a 心理危机 concern with a talk.
    page = browser_login(page, world.mentor)
    page.locator(f'[data-child="{child.pk}"]').get_by_role("link", name="谈心").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_label("记录内容").fill("孩子在作文里写到“不想活了”，需要尽快干预。")
    flag = page.get_by_label("标记为关注事项（将提交关爱工作负责人处理）")
    page.locator("details", has=flag).locator("summary").click()
    flag.check()
    page.get_by_label("关注类别").select_option(label="心理危机")
    _submit(page, "保存")
    case = Concern.objects.get(child=child)
    assert case.risk == "urgent" and case.assigned_to == world.coordinator

    # Within seconds: an e-mail to the coordinator and the principal, and one post to the group robot.
    page.wait_for_timeout(500)
    recipients = sorted(address for mail in smtp_server for address in mail["to"])
    assert recipients == ["deyu@school.example.cn", "xiaozhang@school.example.cn"]
    (post,) = robot.posts
    outgoing = [mail["subject"] + mail["body"] for mail in smtp_server] + [post["text"]["content"]]
    for text in outgoing:
        assert "王小花" not in text and "王同学" in text
        assert f"/mentoring/concerns/{case.pk}/" in text
    assert "心理危机" not in post["text"]["content"]  # the group chat does not learn the category

    # The coordinator's home: the task first, marked 紧急, and the menu count.
    page.context.clear_cookies()
    page = browser_login(page, world.coordinator)
    first_task = page.locator("[data-task]").first
    assert "紧急" in first_task.inner_text()
    page.get_by_role("button", name="展开菜单").click()
    menu_entry = page.locator("#mainNav").get_by_role("link", name="待处理")
    assert menu_entry.locator(".badge").inner_text() == "3"
    with page.expect_navigation():
        menu_entry.click()
    first_card = page.locator("[data-concern]").first
    assert "紧急" in first_card.inner_text() and "心理危机" in first_card.inner_text()

    # The case page: assign, follow up, refer to 乡镇民政, close with an outcome.
    _open(page, base, f"/mentoring/concerns/{case.pk}/")
    page.get_by_text("指定负责人").click()
    page.get_by_label("负责人").select_option(label=world.class_teacher.get_full_name())
    _submit(page, "保存")
    page.get_by_label("跟进事项").fill("联系心理老师当天面谈，并电话告知监护人")
    page.get_by_label("执行人").select_option(label=world.class_teacher.get_full_name())
    page.get_by_label("完成期限").fill((timezone.localdate() + timedelta(days=2)).isoformat())
    _submit(page, "添加")
    page.get_by_text("转介到校外机构").click()
    page.get_by_label("转介机构").select_option(label="乡镇儿童督导员/民政")
    page.get_by_label("对接人").fill("李督导")
    _submit(page, "登记转介")
    page.get_by_text("结案", exact=True).click()
    page.get_by_label("结案情况").fill("心理老师已面谈三次，监护人已陪同就医，情绪稳定。")
    _submit(page, "记录结案情况并结案")
    case.refresh_from_db()
    assert case.status == ConcernStatus.CLOSED and case.assigned_to == world.class_teacher
    assert case.actions.count() == 1 and case.referrals.get().agency == "child_supervisor"

    # The principal's audit log names each step (no child name in it).
    page.context.clear_cookies()
    page = browser_login(page, world.principal)
    _open(page, base, "/org/audit/")
    log = page.locator("table").inner_text()
    steps = AuditEvent.objects.filter(target__startswith=f"关注事项 #{case.pk}")
    assert steps.count() >= 5
    for label in ("提出", "指定负责人", "添加跟进事项", "转介", "结案"):
        assert label in log, label
    assert "王小花" not in log
    assert page.blocked == [], page.blocked
