"""How the exports print: A4 landscape, one page wide, the title and header on every page, a page-number
footer, frozen header, borders; dates, rates and ID numbers typed as a school expects. The plain tests read
the print setup from the file; the LibreOffice test (skipped without soffice) prints a small school's 台账,
登记表 and 谈心记录 to PDF with scripts/check_print.py and reads every page."""

import importlib.util
import shutil
import sys
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from children import exports
from mentoring import exports as log_exports
from tests.excel.archives import make_archive
from tests.factories import HomeVisitFactory, PairingFactory, TalkFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def archives(world):
    first = make_archive(world, "张小明", hardships=["low_income"])
    make_archive(world, "李小红", birth=date(2016, 5, 8), gender="F", seq=3, school_class=world.other_class)
    PairingFactory(child=first, mentor=world.mentor)
    TalkFactory(child=first, author=world.mentor, date=date(2026, 10, 9), text="谈了学习。" * 40)
    HomeVisitFactory(child=first, author=world.mentor, date=date(2026, 10, 20))
    return first


def _exports(world, client) -> dict[str, tuple[bytes, int]]:
    """Each export's file and its header's last row."""
    client.force_login(world.bureau)
    county = client.post(reverse("reports:county_xlsx")).content
    kw = {"school": world.school, "acting_user": world.coordinator, "today": TODAY}
    return {
        "台账": (exports.export_roster(**kw).content, 3),
        "登记表": (exports.export_register(**kw).content, 4),
        "谈心记录": (log_exports.export_logs(kind="talks", **kw).content, 2),
        "家访记录": (log_exports.export_logs(kind="visits", **kw).content, 2),
        "汇总表": (exports.export_summary(schools=[world.school], acting_user=world.bureau, today=TODAY).content, 3),
        "县域统计表": (county, 2),
    }


def test_every_export_prints_a4_landscape_one_page_wide_with_its_header_on_every_page(client, world, archives):
    for name, (content, header_end) in _exports(world, client).items():
        for ws in load_workbook(BytesIO(content)).worksheets:
            setup = ws.page_setup
            assert (setup.orientation, setup.paperSize) == ("landscape", 9), name  # 9: A4
            assert ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToHeight == 0, name
            assert setup.fitToWidth in (None, 1), name  # None: the file format's default, one page
            assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", name
            assert ws.print_options.horizontalCentered, name
            if ws.title != "统计表":
                assert ws.print_title_rows == f"$1:${header_end}", name  # title, subtitle and header
                assert ws.freeze_panes and ws.freeze_panes.endswith(str(header_end + 1)), name
                header = ws.cell(header_end, 2)
                assert header.font.b and header.border.bottom.style == "thin", name


def test_the_roster_types_its_cells_as_a_school_expects(world, archives):
    ws = load_workbook(BytesIO(exports.export_roster(school=world.school, acting_user=world.coordinator,
                                                     today=TODAY).content)).active  # fmt: skip
    header = [c.value for c in ws[3]]
    row = {h: c for h, c in zip(header, next(r for r in ws.iter_rows(min_row=4) if r[1].value == "张小明"),
                                strict=True)}  # fmt: skip
    birth = row["出生日期"]
    assert birth.value == datetime(2017, 3, 2) and birth.is_date and birth.number_format == "yyyy-mm-dd"
    completeness = row["建档完整度"]
    assert completeness.value == 1 and completeness.data_type == "n" and completeness.number_format == "0%"
    assert row["身份证号"].data_type == "s" and row["父亲联系电话"].data_type == "s"
    assert row["序号"].data_type == "n" and row["监护人年龄"].value == 66 and row["本学期谈心次数"].value == 1
    assert row["姓名"].border.left.style == "thin" and row["户籍地址"].alignment.wrap_text
    # widths follow the content, CJK counting double: 帮扶教师 fits its widest name
    widths = {ws.cell(3, i + 1).value: ws.column_dimensions[ws.cell(3, i + 1).column_letter].width
              for i in range(len(header))}  # fmt: skip
    assert widths["帮扶教师"] >= 2 * len("刘老师") and widths["身份证号"] >= 18
    assert ws.freeze_panes == "C4"  # 序号 and 姓名 stay in view


def test_the_summary_and_the_talk_log_type_rates_and_dates(world, archives):
    summary = load_workbook(BytesIO(exports.export_summary(schools=[world.school], acting_user=world.bureau,
                                                           today=TODAY).content)).active  # fmt: skip
    rate = summary.cell(4, 10)
    assert summary.cell(3, 10).value == "建档率" and rate.value == 1.0 and rate.number_format == "0.0%"
    talks = load_workbook(BytesIO(log_exports.export_logs(school=world.school, acting_user=world.principal,
                                                          kind="talks", today=TODAY).content)).active  # fmt: skip
    day, text = talks.cell(3, 1), talks.cell(3, 7)
    assert day.value == datetime(2026, 10, 9) and day.number_format == "yyyy-mm-dd"
    assert text.alignment.wrap_text and talks.column_dimensions["G"].width <= 62  # long text wraps


def test_the_writer_keeps_text_text_numbers_numbers_and_notes_under_the_table():
    from decimal import Decimal

    from caretrack.xlsx import CODE, DATE, DECIMAL, INT, TEXT, Book, Column

    book = Book()
    sheet = book.sheet("表", title="=标题", subtitle="副标题", freeze_columns=1, columns=[
        Column("文字", TEXT), Column("号码", CODE), Column("日期", DATE), Column("数", INT), Column("比例", DECIMAL),
    ])  # fmt: skip
    sheet.row(["a\x01b\r\nc", "0012", date(2026, 1, 2), 3, Decimal("12.5")])
    sheet.row([" =1+1", 4312, None, "无此学期", None], bold=True)
    sheet.note("说明：不含学生个人信息。")
    ws = load_workbook(BytesIO(book.bytes())).active
    assert ws["A1"].value == "=标题" and ws["A1"].data_type == "s" and ws["A1"].quotePrefix
    first, second = ws[4], ws[5]
    assert first[0].value == "ab\nc" and first[1].value == "0012" and first[1].data_type == "s"
    assert first[2].value == datetime(2026, 1, 2) and (first[3].value, first[4].value) == (3, 12.5)
    assert second[0].value == " =1+1" and second[0].quotePrefix and second[0].font.b
    assert second[1].value == "4312" and second[3].value == "无此学期" and second[3].data_type == "s"
    assert second[2].value is None and second[2].border.left.style == "thin"  # empty, still bordered
    assert ws["A6"].value == "说明：不含学生个人信息。" and "A6:E6" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.dimensions == "A1:E6" and ws.freeze_panes == "B4"


# --- Printed by LibreOffice ---------------------------------------------------------------------------


def _check_print():
    spec = importlib.util.spec_from_file_location("check_print", ROOT / "scripts" / "check_print.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_small_schools_exports_print_on_few_landscape_pages_each_with_title_and_header(world, tmp_path):
    from caretrack.demo import build_demo
    from caretrack.models import School

    build_demo(schools=1, children=140, teachers=20, today=TODAY, left_behind_share=1.0)
    school = School.objects.exclude(pk__in=[world.school.pk, world.other_school.pk]).get()
    kw = {"school": school, "acting_user": None, "today": TODAY}
    files = {
        "台账": exports.export_roster(**kw),
        "登记表": exports.export_register(**kw),
        "谈心记录": log_exports.export_logs(kind="talks", **kw),
    }
    assert files["台账"].rows >= 100
    check = _check_print()
    for name, result in files.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(result.content)
        report = check.check_file(path, tmp_path)
        assert not report.error, report.error  # LibreOffice converts it
        assert report.landscape_a4, (name, report.sizes)
        assert not report.missing, (name, report.missing[:5])  # every page: title and header (姓名 …)
        if name != "谈心记录":
            sheet = next(iter(report.pages_by_sheet))
            assert report.pages_by_sheet[sheet] <= 6, (name, report.pages_by_sheet)  # was 20+ portrait pages
            assert report.pages_by_sheet.get("统计表") == 1, (name, report.pages_by_sheet)
            assert "姓名" in check.sheet_texts(path)[0].headers
