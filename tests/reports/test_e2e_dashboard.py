"""A principal opens the dashboard on a phone and on a laptop, edits the narrative and exports the PDF,
with no request leaving 127.0.0.1."""

import re

import pytest

from tests.reports.helpers import build_known_school, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_principal_sees_charts_on_a_phone_edits_the_report_and_downloads_the_pdf(
    offline_page, browser, browser_login, live_server, world
):
    build_known_school(world)
    page = browser_login(offline_page, world.principal)
    page.goto(f"{live_server.url}/reports/dashboard/")
    page.wait_for_selector("[data-chart='types'] svg")
    assert page.locator("[data-figure='left_behind']").inner_text() == "4"
    assert page.locator("[data-chart] svg").count() >= 3  # types, provinces, grades (+ mentoring charts)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    page.get_by_role("link", name="编辑工作总结").click()
    page.get_by_label("一、基本情况").fill("我校地处山区，留守儿童较多。")
    page.get_by_role("button", name=re.compile(r"保存$")).click()
    page.wait_for_selector("text=工作总结已保存")
    # An edit not yet saved: 保存并导出 saves it, then prints it; the page stays and can be saved again.
    page.get_by_label("三、工作成效").fill("孩子们的作业完成情况明显好转。")
    with page.expect_download() as download:
        page.get_by_role("button", name="保存并导出 PDF").first.click()
    text = pdf_text(download.value.path().read_bytes())
    assert "我校地处山区" in text and "作业完成情况明显好转" in text and "建档率" in text
    page.wait_for_selector("text=已保存并导出。")
    page.get_by_label("四、存在问题与下步打算").fill("下学期，我校将办好留守儿童之家。")
    page.get_by_role("button", name=re.compile(r"保存$")).click()
    page.wait_for_selector("text=工作总结已保存")
    assert page.blocked == []

    # The same dashboard on a laptop: the first four tiles side by side. (One test: a transactional test
    # flushes the administrative divisions that the parents' provinces need.)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    laptop = browser_login(context.new_page(), world.principal)
    laptop.goto(f"{live_server.url}/reports/dashboard/")
    laptop.wait_for_selector("[data-chart='provinces'] svg")
    tops = {round(t.bounding_box()["y"]) for t in laptop.locator("[data-figure]").all()[:4]}
    assert len(tops) == 1
    context.close()
