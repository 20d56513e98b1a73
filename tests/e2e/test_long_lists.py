"""Long lists on a phone (390×844, touch): 新建结对 finds the child as one types, the activity form adds a whole
class at one tap and shows its participants as chips 44 px tall with a 移除 as large, and the class teacher's
home shows her class in one card. Nothing tapped on these pages is smaller than 24×24 CSS px."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_tap_targets import small_targets

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()


@pytest.fixture
def school(world):
    from caretrack.models import Term
    from children.models import LeftBehindPeriod
    from tests.factories import ChildFactory, PairingFactory

    Term.objects.filter(school=world.school).update(
        start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60)
    )
    made = {}
    for name, school_class in (("张三", world.school_class), ("李四", world.school_class),
                               ("赵小燕", world.school_class), ("王小花", world.other_class)):  # fmt: skip
        made[name] = ChildFactory(school_class=school_class, left_behind_type="both_away", name=name)
        LeftBehindPeriod.objects.create(child=made[name], kind="both_away", start_date=TODAY - timedelta(days=365))
    made["非留守"] = ChildFactory(school_class=world.school_class, name="非留守")
    PairingFactory(child=made["李四"], mentor=world.mentor, start_date=TODAY - timedelta(days=30))
    PairingFactory(child=made["赵小燕"], mentor=world.class_teacher, start_date=TODAY - timedelta(days=30))
    return made


def test_new_pairing_finds_the_child_as_one_types_and_saves(page, browser_login, world, live_server, school):
    from mentoring.models import Pairing

    browser_login(page, world.coordinator)
    page.goto(live_server.url + reverse("mentoring:pairing_create"))
    options = page.locator("#child-options input[name=child]")
    assert options.count() == 2  # the children waiting for a mentor: 张三 and 王小花
    assert page.locator("select[name=child]").count() == 0
    page.get_by_label("学生姓名/拼音首字母").fill("zs")
    expect(options).to_have_count(1)
    assert "张三" in page.locator("#child-options").inner_text()
    assert "王小花" not in page.locator("#child-options").inner_text()
    page.locator("#child-options label", has_text="张三").tap()
    page.get_by_label("帮扶教师").select_option(label="刘老师")
    # Another search keeps the chosen child on top.
    page.get_by_label("学生姓名/拼音首字母").fill("wxh")
    expect(page.locator("#child-options")).to_contain_text("王小花")
    assert page.locator("#child-options input[name=child]:checked").count() == 1
    assert small_targets(page) == []
    page.screenshot(path="/tmp/new_pairing.png", full_page=True)
    page.get_by_role("button", name="保存").tap()
    page.wait_for_url(f"**{reverse('mentoring:pairings')}")
    assert Pairing.objects.get(child=school["张三"]).mentor == world.mentor


def test_the_pairing_board_is_searched_on_a_phone(page, browser_login, world, live_server, school):
    browser_login(page, world.coordinator)
    page.goto(live_server.url + reverse("mentoring:pairings"))
    assert "共 2 对" in page.locator("[data-pair-count]").inner_text()
    page.get_by_label("学生/拼音首字母/帮扶人").fill("ls")
    page.get_by_role("button", name="查找").tap()
    expect(page.locator("[data-pair-count]")).to_contain_text("找到 1 对")
    assert page.locator("[data-mentor]").count() == 1 and "李四" in page.locator("[data-mentor]").inner_text()
    assert small_targets(page) == []


def _box(locator):
    box = locator.bounding_box()
    return box["width"], box["height"]


def test_a_whole_class_is_added_at_one_tap_and_a_child_removed_from_the_chips(
    page, browser_login, world, live_server, school
):
    from activities.models import Activity

    browser_login(page, world.coordinator)
    page.goto(live_server.url + reverse("activities:create"))
    page.get_by_label("活动名称").fill("感恩主题班会")
    page.get_by_label("活动类型").select_option("class_meeting")
    page.locator("input[name=date]").fill(TODAY.isoformat())
    page.get_by_label("按班级加入（加入后可逐个移除）").select_option(label=str(world.school_class))
    page.get_by_role("button", name="加入全班").tap()
    chips = page.locator("[data-chip]")
    chips.nth(2).wait_for()
    assert chips.count() == 3  # 张三, 李四, 赵小燕: the children in our care, not 非留守
    assert page.locator("[data-chip-count]").inner_text() == "3"
    for i in range(chips.count()):
        assert _box(chips.nth(i))[1] >= 44
        width, height = _box(chips.nth(i).locator(".chip-remove"))
        assert width >= 44 and height >= 44, (width, height)
    page.locator("[data-chip]", has_text="李四").get_by_role("button", name="移除 李四").tap()
    assert chips.count() == 2 and page.locator("[data-chip-count]").inner_text() == "2"
    page.get_by_label("搜索学生").fill("wxh")
    page.locator("[data-suggestion]").first.wait_for()
    page.locator("[data-suggestion]", has_text="王小花").tap()
    assert chips.count() == 3 and "王小花" in page.locator("[data-chips]").inner_text()
    assert small_targets(page) == []
    page.locator("[data-participant-picker]").screenshot(path="/tmp/participant_picker.png")
    page.locator("[data-chips]").screenshot(path="/tmp/participant_chips.png")
    page.get_by_role("button", name="保存活动").tap()
    page.wait_for_url(re.compile(r".*/activities/\d+/$"))
    names = set(Activity.objects.get().participants.values_list("name", flat=True))
    assert names == {"张三", "赵小燕", "王小花"}


def test_the_chips_of_a_saved_activity_are_large_enough_to_tap(page, browser_login, world, live_server, school):
    from tests.factories import ActivityFactory, ActivityParticipantFactory

    activity = ActivityFactory(school=world.school, school_class=world.school_class, date=TODAY)
    for name in ("张三", "李四"):
        ActivityParticipantFactory(activity=activity, child=school[name])
    browser_login(page, world.coordinator)
    page.goto(live_server.url + reverse("activities:edit", args=[activity.pk]))
    chip = page.locator("[data-chip]").first
    assert _box(chip)[1] >= 44
    width, height = _box(chip.locator(".chip-remove"))
    assert width >= 44 and height >= 44
    assert small_targets(page) == []
    # On the activity's page each participant is a link to the child at least 24 px tall.
    page.goto(live_server.url + reverse("activities:detail", args=[activity.pk]))
    links = page.locator(".card", has_text="参加学生").locator("a.badge")
    assert links.count() == 2
    for i in range(2):
        assert _box(links.nth(i))[1] >= 24


def test_the_class_teachers_home_shows_her_class_in_one_card(page, browser_login, world, live_server, school):
    browser_login(page, world.class_teacher)
    page.goto(live_server.url + reverse("mentoring:my_students"))
    assert page.locator(".card-child").count() == 1  # 赵小燕, her own mentee
    summary = page.locator("[data-class-summary]")
    assert "班级：三年级(2)班" in summary.inner_text()
    assert "4 名" in summary.locator("[data-figure=students]").inner_text()
    rows = summary.locator("[data-who-mentors] li")
    assert rows.count() == 3
    assert "未结对" in summary.locator("li", has_text="张三").inner_text()
    assert "刘老师" in summary.locator("li", has_text="李四").inner_text()
    assert small_targets(page) == []
    page.screenshot(path="/tmp/class_teacher_home.png", full_page=True)
