"""A principal opens the dashboard on a phone and on a laptop, edits the narrative and exports the PDF,
with no request leaving 127.0.0.1."""

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
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=工作总结已保存")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出 PDF").click()
    text = pdf_text(download.value.path().read_bytes())
    assert "我校地处山区" in text and "建档率" in text
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
