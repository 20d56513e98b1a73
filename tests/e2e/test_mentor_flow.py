"""A mentor on a phone (390×844, no internet) logs a talk and a home visit from 我的学生 and sees the
badges change: at most three screens and under 30 seconds for the talk."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paired_child(world):
    from caretrack.models import Term
    from tests.factories import ChildFactory, GuardianFactory, PairingFactory

    today = timezone.localdate()
    # Whatever day the suite runs, today is in term (so the badges are not 假期中).
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    GuardianFactory(child=child, name="王秀英")
    PairingFactory(child=child, mentor=world.mentor, start_date=today - timedelta(days=30))
    return child


def badge(page, child, key):
    return page.locator(f'[data-child="{child.pk}"] [data-badge="{key}"]')


def test_mentor_logs_a_talk_in_three_screens_and_a_visit_on_a_phone_offline(
    offline_page, browser_login, world, live_server, paired_child
):
    page = offline_page
    screens = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and screens.append(frame.url))

    page = browser_login(page, world.mentor)
    started = time.monotonic()
    screens.clear()
    # Screen 1: 我的学生, the teacher's home after login.
    assert page.url.endswith("/mentoring/")
    assert badge(page, paired_child, "talk").get_attribute("data-state") != "done"
    assert badge(page, paired_child, "visit").inner_text() == "本学期家访 ✗"

    # Screen 2: the talk form, with today's date and the child filled in.
    page.locator(f'[data-child="{paired_child.pk}"]').get_by_role("link", name="谈心").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_label("日期").input_value() == timezone.localdate().isoformat()
    assert page.get_by_text("王小花").first.is_visible()
    page.get_by_text("学习", exact=True).click()
    page.get_by_text("开心", exact=True).click()
    page.get_by_label("记录内容").fill("数学测验有进步，约定每天先写作业。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")

    # Screen 3: back on 我的学生, the badge has turned green.
    talk = badge(page, paired_child, "talk")
    assert talk.inner_text() == "本周谈心 1/1" and talk.get_attribute("data-state") == "done"
    elapsed = time.monotonic() - started
    talk_screens = len(screens) + 1  # + the first screen, reached by logging in
    assert talk_screens <= 3, screens
    assert elapsed < 30, f"logging a talk took {elapsed:.1f} s"
    print(f"talk logged in {elapsed:.1f} s over {talk_screens} screens")
    assert page.get_by_text("已保存 王小花 的谈心记录").is_visible()

    # A home visit: the guardian is suggested as the person met.
    page.locator(f'[data-child="{paired_child.pk}"]').get_by_role("link", name="家访").click()
    page.wait_for_load_state("domcontentloaded")
    assert "王秀英" in page.get_by_label("接待人").input_value()
    page.get_by_label("记录内容").fill("与奶奶交流孩子在家的学习情况，家中有书桌。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("domcontentloaded")
    assert badge(page, paired_child, "visit").inner_text() == "本学期家访 ✓"
    assert page.blocked == [], page.blocked

    from mentoring.models import HomeVisit, Talk

    assert Talk.objects.filter(child=paired_child, author=world.mentor, topics=["study"], mood=4).count() == 1
    assert HomeVisit.objects.filter(child=paired_child, met_whom__contains="王秀英").count() == 1
