"""A coordinator on a phone (390×844, no internet) brings the school's own messy sheet in: upload, read
the preview, confirm, and finds the children in the archive; then downloads the 台账."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_imports_a_messy_sheet_and_downloads_the_roster_on_a_phone(
    offline_page, browser_login, world, live_server, settings, tmp_path
):
    from children.models import Child
    from tests.excel.test_import_messy import messy, row

    settings.MEDIA_ROOT = tmp_path
    sheet = tmp_path / "思蒙镇中心小学留守儿童登记表.xlsx"
    sheet.write_bytes(messy([row(), row(name="李小红", gender="女", birth="2016年5月8日", number="")]).getvalue())
    page = browser_login(offline_page, world.coordinator)
    page.goto(f"{live_server.url}/children/import/")
    page.get_by_label("Excel 文件（.xlsx、.xls、.ods、.csv）").set_input_files(str(sheet))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("表头在第3行").is_visible()
    page.get_by_role("button", name="确认导入（新建 2，更新 0）").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("新建 2 人").is_visible()
    assert Child.objects.filter(school=world.school).count() == 2

    page.goto(f"{live_server.url}/children/import/")
    with page.expect_download() as download:
        page.get_by_role("button", name="留守儿童台账").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.blocked == []
