"""The 工作总结's way to the county bureau in the browser, on a phone (390×844, no internet): the principal
saves and submits it, the bureau sees 已提交 with the date and downloads the submitted copy, returns it with a
comment, and the principal sees 已退回 with that comment (issue 17, item 4)."""

import re

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def school_row(page, school):
    return page.locator(f'[data-submission-school="{school.pk}"]')


def test_principal_submits_bureau_sees_it_returns_it_and_principal_sees_the_comment(
    offline_page, browser_login, world, live_server
):
    page = browser_login(offline_page, world.principal)
    page.goto(f"{live_server.url}/reports/term-report/")
    status = page.locator("#submission-heading [data-submission-status]")
    assert status.inner_text() == "未开始"

    # Saves the edited text, then submits it through the confirmation step.
    page.get_by_label("一、基本情况").fill("本学期全校排查留守儿童，建档工作全部完成。")
    page.locator("#report-form button:not([formaction])").click()  # 保存 (not 保存并导出 PDF)
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_text("工作总结已保存。").is_visible()
    assert status.inner_text() == "草稿"
    page.get_by_role("link", name="提交教育局").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_text("作为第1版提交教育局").is_visible()
    page.get_by_role("button", name="确认提交").click()
    page.wait_for_load_state("domcontentloaded")
    today = timezone.localdate()
    submitted = f"已提交（{today.year}年{today.month}月{today.day}日）"
    assert page.get_by_text("已提交教育局：第1版").is_visible()
    assert status.inner_text().strip() == submitted

    # The bureau sees 已提交 with the date, downloads the submitted copy, and returns it with a comment.
    page.context.clear_cookies()
    page = browser_login(page, world.bureau)
    assert "/reports/county/" in page.url
    row = school_row(page, world.school)
    assert row.locator("[data-submission-status]").inner_text().strip() == submitted
    assert school_row(page, world.other_school).locator("[data-submission-status]").inner_text().strip() == "未开始"
    with page.expect_download() as download:
        row.get_by_role("button", name="下载第1版").click()
    assert re.search(r"第1版\.pdf$", download.value.suggested_filename)
    with open(download.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    row.get_by_role("link", name="退回").click()
    page.wait_for_load_state("domcontentloaded")
    page.get_by_role("button", name="确认退回").click()  # without a comment: refused
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_text("请填写退回意见").first.is_visible()
    page.get_by_label("退回意见").fill("请补充本学期家访的具体情况。")
    page.get_by_role("button", name="确认退回").click()
    page.wait_for_load_state("domcontentloaded")
    row = school_row(page, world.school)
    assert row.locator("[data-submission-status]").inner_text().strip() == "已退回"
    assert "请补充本学期家访的具体情况。" in row.locator("[data-return-comment]").inner_text()

    # The principal sees 已退回 and the bureau's comment on the 工作总结 page.
    page.context.clear_cookies()
    page = browser_login(page, world.principal)
    page.goto(f"{live_server.url}/reports/term-report/")
    assert page.locator("#submission-heading [data-submission-status]").inner_text().strip() == "已退回"
    comment = page.locator("[data-return-comment]")
    assert comment.is_visible() and "请补充本学期家访的具体情况。" in comment.inner_text()
    assert page.blocked == []
