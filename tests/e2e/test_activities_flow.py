"""A coordinator on a phone (390×844, no internet) records a 节日慰问 for all left-behind children of a
grade — 40 of them — with one tick and one tap on 保存, well under a minute."""

import time

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def grade_four(world):
    from caretrack.models import SchoolClass
    from tests.factories import ChildFactory

    classes = [world.other_class, SchoolClass.objects.create(school=world.school, grade=4, number=2)]
    for i in range(46):
        left = "both_away" if i < 40 else "none"
        ChildFactory(school_class=classes[i % 2], left_behind_type=left)


def test_coordinator_records_a_festival_visit_for_a_whole_grade_on_a_phone_in_under_a_minute(
    offline_page, browser_login, world, live_server, grade_four, settings, tmp_path
):
    from activities.models import Activity

    settings.MEDIA_ROOT = tmp_path
    page = browser_login(offline_page, world.coordinator)
    started = time.monotonic()
    page.goto(f"{live_server.url}/activities/")
    page.get_by_role("link", name="登记活动").click()
    page.get_by_label("活动名称").fill("重阳节慰问留守儿童")
    page.get_by_label("活动类型").select_option(label="节日慰问")
    page.get_by_label("日期").first.fill(timezone.localdate().isoformat())
    page.get_by_label("合作单位").fill("县妇联")
    page.get_by_role("checkbox", name="四年级", exact=True).check()
    page.get_by_role("button", name="保存活动").click()
    page.wait_for_load_state("networkidle")
    elapsed = time.monotonic() - started
    assert page.get_by_text("参加学生 40 人").is_visible()
    assert Activity.objects.get().participations.count() == 40
    assert elapsed < 60
    assert page.blocked == []
