"""A school's sheet imports whatever program saved it: the same 34-child roster saved by LibreOffice as .xls,
.ods and .xlsx, and as .csv in UTF-8, UTF-8 with BOM and GBK (tests/excel/fixtures, made by make_fixtures.py),
each ending with a 合计 row and the 填表人/审核人 lines that are listed as skipped, never as errors. Small
hostile .ods and .csv files are refused in Chinese within seconds, like the hostile .xlsx files."""

from __future__ import annotations

import time
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caretrack.sheet_reading import FOOTER_ROW, TOTAL_ROW, ReadLimits, non_data_reason, read_sheets
from children.importing import ImportFileError, commit_import, read_import
from children.models import Child
from tests.excel import hostile
from tests.excel.sheets import build_sheet

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
ROSTERS = ["roster_34.xls", "roster_34.ods", "roster_34.xlsx", "roster_34.utf8.csv", "roster_34.utf8bom.csv",
           "roster_34.gbk.csv"]  # fmt: skip
SKIPPED = ["第37行：合计行", "第39行：填表人、审核人等落款", "第40行：填表人、审核人等落款"]


@pytest.mark.parametrize("name", ROSTERS)
def test_a_roster_saved_by_any_program_imports_its_34_children_and_skips_the_footer(world, name):
    with open(FIXTURES / name, "rb") as source:
        outcome = commit_import(school=world.school, source=source, filename=name, acting_user=world.coordinator)
    assert (outcome.created, outcome.updated, len(outcome.preview.error_rows)) == (34, 0, 0), outcome.preview.errors
    assert [str(s) for s in outcome.preview.skipped] == SKIPPED
    assert Child.objects.filter(school=world.school).count() == 34
    child = Child.objects.get(name=outcome.preview.rows[0].name)
    assert len(child.id_number) == 18 and child.school_class == world.other_class  # 四(1)班, ID kept as text

    with open(FIXTURES / name, "rb") as source:
        again = commit_import(school=world.school, source=source, filename=name, acting_user=world.coordinator)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 34)


@pytest.mark.parametrize("name", ["roster_34.xls", "roster_34.ods", "roster_34.gbk.csv"])
def test_the_coordinator_uploads_previews_and_confirms_an_xls_ods_or_csv(client, world, name):
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    response = client.post(reverse("children:import"), {"file": upload})
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.to_create, len(preview.error_rows)) == (34, 0), preview.errors
    page = response.content.decode()
    assert "已跳过 3 行（合计、落款等，不导入）" in page and "第37行：合计行" in page
    response = client.post(reverse("children:import_confirm"), {"token": response.context["token"]})
    assert response.status_code == 302 and response["Location"] == reverse("children:list")
    assert Child.objects.filter(school=world.school).count() == 34

    upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    second = client.post(reverse("children:import"), {"file": upload}).context["preview"]
    assert (second.to_create, second.to_update, second.unchanged) == (0, 0, 34)


def test_a_pending_upload_is_stored_with_its_own_suffix(client, world, settings):
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile("名单.ods", (FIXTURES / "roster_34.ods").read_bytes())
    token = client.post(reverse("children:import"), {"file": upload}).context["token"]
    assert [p.name for p in (settings.MEDIA_ROOT / "imports").iterdir()] == [f"{token}.ods"]


@pytest.mark.parametrize("name", ["staff_5.gbk.csv", "staff_5.xls"])
def test_the_staff_list_imports_from_csv_and_xls_and_skips_the_footer(world, login, name):
    client = login(world.principal)
    upload = SimpleUploadedFile(name, (FIXTURES / name).read_bytes())
    response = client.post(reverse("staff:import"), {"file": upload})
    preview = response.context["preview"]
    assert [r.name for r in preview.rows] == ["周文静", "吴海涛", "郑丽娟", "冯志强", "何晓燕"] and not preview.errors
    footer = "填表人、审核人等落款"
    assert [str(s) for s in preview.skipped] == ["第7行：合计行", f"第9行：{footer}", f"第10行：{footer}"]
    assert "已跳过 3 行" in response.content.decode()
    response = client.post(reverse("staff:import_confirm"), {"token": response.context["token"]})
    assert response.status_code == 302
    assert get_user_model().objects.filter(first_name__in=[r.name for r in preview.rows]).count() == 5


# --- Rows that are not data -------------------------------------------------------------------------------

HEADER = ["序号", "姓名", "性别", "出生日期", "班级", "备注"]
CHILD = ["张小明", "男", "2017.3.2", "三(2)班"]


def _preview(world, *rows):
    return read_import(school=world.school, source=build_sheet([HEADER, *rows]), filename="x.xlsx",
                       today=date(2026, 10, 15))  # fmt: skip


@pytest.mark.parametrize(
    ("row", "reason"),
    [(["合计", "34人"], TOTAL_ROW), ([None, "合 计", None, None, None, "34人"], TOTAL_ROW),
     ([None, None, None, None, None, "共计：34人"], TOTAL_ROW), (["总计34人"], TOTAL_ROW),
     (["填表人：张老师", None, None, "审核人：李校长"], FOOTER_ROW), (["填表人 张老师"], FOOTER_ROW),
     ([None, "制表日期2026年9月1日"], FOOTER_ROW), ([None, None, None, None, None, "填报日期：2026-09-01"], FOOTER_ROW),
     (["负责人", "王校长"], FOOTER_ROW), (["经办人:"], FOOTER_ROW)],
)  # fmt: skip
def test_totals_and_signature_lines_are_skipped_not_errors(world, row, reason):
    preview = _preview(world, [1, *CHILD], row)
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.errors
    assert [(s.row, s.reason) for s in preview.skipped] == [(3, reason)]


def test_a_childs_row_is_never_skipped_for_what_another_cell_says(world):
    preview = _preview(world, [1, *CHILD, "填表日期：2026年9月1日"], [2, "李小红", "女", "2016.5.8", "三(2)班", "合计"])
    assert [r.name for r in preview.rows] == ["张小明", "李小红"] and not preview.skipped


def test_blank_rows_and_the_example_row_are_passed_over_silently(world):
    preview = _preview(world, ["示例", "王小二", "男", "2017.1.1", "三(2)班"], [None] * 6, [1, *CHILD], [None] * 6)
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.skipped and not preview.errors


def test_a_staff_members_title_in_the_role_column_is_not_a_signature():
    role_only = ("张三", None, None, None, "负责人")
    assert non_data_reason(role_only, name="张三", others=role_only[1:]) is None
    assert non_data_reason(("负责人", "王校长"), name="王校长", others=()) == FOOTER_ROW


# --- Values as each format gives them -----------------------------------------------------------------------


def test_every_format_gives_the_same_values(world):
    rows = {}
    for name in ROSTERS:
        sheet = next(read_sheets(FIXTURES / name, limits=ReadLimits(max_data_rows=100), filename=name))
        rows[name] = list(sheet.rows)
    first = rows["roster_34.xlsx"]
    assert first[0][0].startswith("测试小学") and first[0][1] is None  # the merged title: top-left only
    assert first[2][:3] == (1, first[2][1], first[2][2]) and isinstance(first[2][3], date)
    for name in ROSTERS:
        assert len(rows[name]) == 40 and all(len(r) <= 15 for r in rows[name])
        assert [r[4] for r in rows[name][2:36]] == [r[4] for r in first[2:36]], name  # ID numbers as text


def test_an_id_number_saved_as_a_number_by_excel_in_a_csv_is_an_error_with_the_reason(world):
    content = "姓名,性别,出生日期,班级,身份证号\n张小明,男,2017-03-02,三(2)班,4.31224E+17\n".encode()
    preview = read_import(school=world.school, source=BytesIO(content), filename="x.csv", today=date(2026, 10, 15))
    assert [e.message for e in preview.errors] == [
        "身份证号被 Excel 当成了数字保存，后几位已经丢失。"
        "请把表格中身份证号这一列设置为“文本”格式，然后重新输入完整的18位身份证号"
    ]


@pytest.mark.parametrize(
    ("content", "delimiter"),
    [("姓名\t性别\t出生日期\t班级\n张小明\t男\t2017-03-02\t三(2)班\n", "tab"),
     ("姓名;性别;出生日期;班级\n张小明;男;2017-03-02;三(2)班\n", "semicolon")],
)  # fmt: skip
def test_a_csv_separated_by_tabs_or_semicolons_is_read(world, content, delimiter):
    preview = read_import(school=world.school, source=BytesIO(content.encode("gbk")), filename="x.csv")
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.errors, delimiter


def test_a_wps_et_file_that_cannot_be_read_gets_the_save_as_message(world):
    with pytest.raises(ImportFileError, match="无法读取该 WPS 表格（.et）文件：请在 WPS 中“另存为” .xlsx 或 .xls"):
        read_import(school=world.school, source=BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
                    filename="名单.et")  # fmt: skip


def test_an_xls_renamed_to_xlsx_is_read_by_its_content(world):
    content = (FIXTURES / "roster_34.xls").read_bytes()
    preview = read_import(school=world.school, source=BytesIO(content), filename="名单.xlsx")
    assert preview.to_create == 34 and not preview.errors


# --- Hostile .ods and .csv ------------------------------------------------------------------------------

HOSTILE = {
    "ods: a row with values repeated 1048576 times": ("名单.ods", hostile.ods_repeated_rows, "超过 11000 行（含空行）"),
    "ods: a value repeated over 16384 columns and 1048576 rows": (
        "名单.ods", hostile.ods_repeated_cells, "超过 11000 行（含空行）"),
    "ods: zip bomb": ("名单.ods", hostile.ods_zip_bomb, "解压后超过 50 MB"),
    "csv: 1500000 rows": ("名单.csv", hostile.csv_many_rows, "工作表超过 11000 行（含空行）"),
    "csv: one field of 4 MB": ("名单.csv", lambda: hostile.csv_huge_field(4), "有一个单元格超过 32767 个字"),
    "csv: one field of 10 MB": ("名单.csv", hostile.csv_huge_field, "文件过大（10.0 MB），请不超过 5 MB"),
    "csv: binary junk": ("名单.csv", hostile.binary_junk, "也不是能识别编码（UTF-8 或 GBK）的 CSV 文本"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_ods_or_csv_is_refused_in_chinese_within_seconds(client, world, settings, kind):
    filename, build, message = HOSTILE[kind]
    content = build()
    client.force_login(world.coordinator)
    started = time.perf_counter()
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile(filename, content)})
    elapsed = time.perf_counter() - started
    assert message in response.content.decode()
    assert elapsed < 5, f"refused after {elapsed:.1f} s"
    assert not Child.objects.exists()
    assert not list((settings.MEDIA_ROOT / "imports").glob("*"))  # the upload is not kept


def test_an_ods_with_the_empty_repeats_libreoffice_writes_imports(world):
    preview = read_import(school=world.school, source=BytesIO(hostile.ods_ordinary()), filename="x.ods")
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.errors


@pytest.mark.parametrize(
    ("ref", "message"),
    [('r="XFD1048576"', "工作表“留守儿童”超过 11000 行"), ('r = "A1048576"', "工作表“留守儿童”超过 11000 行"),
     ('r="XFD11000"', "工作表“留守儿童”的范围过大（11000 行 × 16384 列）")],
)  # fmt: skip
def test_an_xlsx_cell_far_away_is_refused_before_the_sheet_is_read(world, ref, message):
    """One cell at XFD1048576 made the sheet parser ask for 17 billion cells and abort the worker."""
    far = f'<row r="2"><c {ref} t="inlineStr"><is><t>x</t></is></c></row>'
    content = hostile.workbook(hostile.sheet(hostile.header_row() + far))
    with pytest.raises(ImportFileError, match=message):
        read_import(school=world.school, source=BytesIO(content), filename="x.xlsx")


def test_an_xlsx_cell_a_little_to_the_right_is_read_and_ignored(world):
    stray = '<row r="2"><c r="BZ2" t="inlineStr"><is><t>x</t></is></c></row>'
    content = hostile.workbook(hostile.sheet(hostile.header_row() + hostile.child_row(3) + stray))
    preview = read_import(school=world.school, source=BytesIO(content), filename="x.xlsx")
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.errors


def test_an_xls_with_one_cell_at_the_last_row_and_column_is_refused_before_it_is_parsed(client, world, settings):
    """6 KB, A1 and IV65536: the sheet parser would build 16 million cells (1 GB) before any check."""
    content = (FIXTURES / "hostile_far_cell.xls").read_bytes()
    client.force_login(world.coordinator)
    started = time.perf_counter()
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("名单.xls", content)})
    elapsed = time.perf_counter() - started
    assert "工作表“留守儿童”超过 11000 行（含空行）" in response.content.decode()
    assert elapsed < 0.5, f"refused after {elapsed:.2f} s"  # the pre-scan, not the 1 GB sheet
    assert not list((settings.MEDIA_ROOT / "imports").glob("*"))


def test_an_xls_is_bounded_by_rows_and_extent_like_an_xlsx(world, monkeypatch):
    from children.importing import reading

    monkeypatch.setattr(reading, "MAX_SHEET_ROWS", 20)
    with pytest.raises(ImportFileError, match="工作表“名单”超过 20 行（含空行）"):
        read_import(school=world.school, source=FIXTURES / "roster_34.xls", filename="x.xls")


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [("名单.xls", "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(),
      "该文件实际是网页（HTML/XML）格式"),
     ("名单.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600,
      "该文件设置了打开密码"),
     ("名单.xlsx", hostile.workbook(hostile.sheet(""))[:200], "文件已损坏"),
     ("名单.xlsx", b"just some text", "无法读取该文件：文件已损坏或不是有效的 .xlsx 表格"),
     ("名单.xls", b"", "文件是空的")],
)  # fmt: skip
def test_a_file_that_is_not_what_its_name_says_gets_a_precise_message(world, filename, content, message):
    with pytest.raises(ImportFileError, match=message):
        read_import(school=world.school, source=BytesIO(content), filename=filename)


def test_a_word_document_is_named_as_one(world):
    out = BytesIO()
    with __import__("zipfile").ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError, match="这是文字文档（Word 或 WPS 文字），不是表格"):
        read_import(school=world.school, source=BytesIO(out.getvalue()), filename="名单.xlsx")


def test_a_csv_saved_as_unicode_text_by_excel_is_read(world):
    content = "姓名\t性别\t出生日期\t班级\r\n张小明\t男\t2017-03-02\t三(2)班\r\n".encode("utf-16")  # BOM, tabs
    preview = read_import(school=world.school, source=BytesIO(content), filename="名单.txt.csv")
    assert [r.name for r in preview.rows] == ["张小明"] and not preview.errors


def test_an_ods_longer_than_one_read_of_its_content_is_scanned_row_by_row_across_the_reads():
    """content.xml is read 1 MB at a time; a row cut by a read is counted once, with its trailing repeat."""
    tail = '<table:table-cell table:style-name="ce1" table:number-columns-repeated="16380"/>'
    rows = "".join(
        f'<table:table-row table:style-name="ro1">{hostile.ods_cell(f"学生{i:05d}")}{hostile.ods_cell("男")}'
        f'{hostile.ods_cell("2017-03-02")}{hostile.ods_cell("三(2)班")}{tail}</table:table-row>'
        for i in range(6000)
    )
    content = hostile.ods_workbook(hostile.ods_row(hostile.HEADER) + rows)
    sheet = next(read_sheets(BytesIO(content), limits=ReadLimits(max_data_rows=6000)))
    assert sum(1 for _ in sheet.rows) == 6001


def test_previews_nobody_confirmed_are_cleaned_up_whatever_their_suffix(client, world, settings):
    import os

    folder = settings.MEDIA_ROOT / "imports"
    folder.mkdir(parents=True)
    old = [folder / f"{'a' * 32}{suffix}" for suffix in (".xls", ".ods", ".csv", ".xlsx.importing")]
    for path in old:
        path.write_bytes(b"x")
        os.utime(path, (time.time() - 2 * 24 * 3600,) * 2)
    client.force_login(world.coordinator)
    upload = SimpleUploadedFile("名单.csv", (FIXTURES / "roster_34.utf8.csv").read_bytes())
    token = client.post(reverse("children:import"), {"file": upload}).context["token"]
    assert [p.name for p in folder.iterdir()] == [f"{token}.csv"]
