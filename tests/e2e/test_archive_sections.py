"""On a phone (390×844): a new archive is one short page, each section of the archive one or two screens; a
wrong phone is summarised in the first screen after the save, with the focus on the summary, and its link
brings the field into view (not under the sticky bar); choosing the grandmother fills the guardian's name."""

import pytest
from django.urls import reverse

from children.archive_sections import SECTIONS
from tests.factories import ChildFactory, valid_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREEN = 844
SCREENS_PER_SECTION = 2.3  # "one or two screens": the page header, the meter and the buttons included


@pytest.fixture
def grandmothers_child(world):
    from children.models import Grandparent

    child = ChildFactory(school_class=world.school_class, name="王小花", left_behind_type="both_away")
    Grandparent.objects.create(child=child, role="pgm", name="张奶奶", birth_year=1959, lives_with_child=True)
    return child


def in_view(page, selector) -> dict:
    return page.evaluate(
        """(sel) => { const box = document.querySelector(sel).getBoundingClientRect();
            const bar = document.querySelector('nav.sticky-top').getBoundingClientRect();
            return {top: box.top, bottom: box.bottom, barBottom: bar.bottom, height: innerHeight}; }""",
        selector,
    )


def test_a_new_archive_is_one_screen_and_each_section_at_most_two(page, browser_login, world, live_server):
    refused = []  # scripts or styles the Content-Security-Policy blocked
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(page, world.class_teacher)
    page.goto(live_server.url + reverse("children:create"))
    heights = {"create": page.evaluate("document.documentElement.scrollHeight")}
    page.get_by_label("姓名").fill("张小明")
    page.get_by_label("性别").select_option("M")
    page.get_by_label("出生日期").fill("2017-03-02")
    page.get_by_label("身份证号").fill(valid_id_number())
    page.get_by_label("班级").select_option(str(world.school_class.pk))
    page.get_by_role("button", name="保存并继续").click()
    page.wait_for_load_state("domcontentloaded")
    assert "已为 张小明 建档" in page.content()
    assert page.locator("[data-archive-percent]").inner_text().endswith("%")
    archive_url = page.url
    for section in SECTIONS:
        page.goto(archive_url)
        page.locator(f'[data-section="{section.key}"]').click()
        page.wait_for_load_state("domcontentloaded")
        heights[section.key] = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=f"/tmp/archive_section_{section.key}.png", full_page=True)
    print({key: round(h / SCREEN, 1) for key, h in heights.items()})  # screens of 844 px, for the report
    too_long = {key: round(h / SCREEN, 1) for key, h in heights.items() if h > SCREENS_PER_SECTION * SCREEN}
    assert not too_long
    assert heights["create"] <= 1.5 * SCREEN
    assert not refused


def test_a_wrong_phone_is_summarised_in_the_first_screen_and_its_link_reaches_the_field(
    page, browser_login, world, live_server, grandmothers_child
):
    browser_login(page, world.class_teacher)
    page.goto(live_server.url + reverse("children:archive_guardian", args=[grandmothers_child.pk]))
    page.get_by_label("张奶奶（祖母）").check()
    assert page.locator('[name="guardian-name"]').input_value() == "张奶奶"  # filled from her record
    page.locator('[name="guardian-phone"]').fill("1391234")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("domcontentloaded")

    summary = in_view(page, "#error-summary")
    # In the first screen, below the sticky bar, without scrolling.
    assert summary["barBottom"] <= summary["top"] and summary["bottom"] <= SCREEN
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "有 1 处需要修改" in page.locator("#error-summary").inner_text()
    page.screenshot(path="/tmp/archive_section_errors.png")

    page.locator('#error-summary a[href="#id_guardian-phone"]').click()
    field = in_view(page, "#id_guardian-phone")
    assert field["barBottom"] <= field["top"] and field["bottom"] <= field["height"]  # in view, not under the bar
    assert page.evaluate("document.activeElement.id") == "id_guardian-phone"

    page.locator("#id_guardian-phone").fill("13700001111")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "已保存 王小花 的委托监护人" in page.content()

    from children.models import Grandparent, Guardian

    assert list(Guardian.objects.values_list("name", "relation", "phone")) == [("张奶奶", "pgm", "13700001111")]
    assert Grandparent.objects.count() == 1
