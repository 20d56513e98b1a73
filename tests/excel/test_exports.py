"""The Excel downloads: 台账, 花名册, the bureau's summary, the term's logs, the template; masking, audit,
and the round trip (export the 台账, import it into an empty school, get the same archive back)."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent
from children import exports
from children import importing as importers
from children.models import Child, Parent
from children.sheets import CONTENT_TYPE
from mentoring import exports as log_exports
from tests.excel.archives import make_archive
from tests.excel.sheets import sheet_rows
from tests.factories import (
    HomeVisitFactory,
    PairingFactory,
    SchoolClassFactory,
    SchoolFactory,
    TalkFactory,
    TermFactory,
    valid_id_number,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)


@pytest.fixture
def archives(world):
    first = make_archive(world, "张小明", hardships=["low_income", "orphan"])
    second = make_archive(
        world, "李小红", birth=date(2016, 5, 8), gender="F", seq=3, school_class=world.other_class, guardian="王外婆"
    )
    third = make_archive(
        world, "王小刚", birth=date(2015, 9, 1), seq=11, mother_place=("320000", "320500", None), with_id=False
    )
    make_archive(world, "赵在家", seq=13, father_place=None, mother_place=None)  # not left-behind
    PairingFactory(child=first, mentor=world.mentor)
    TalkFactory(child=first, author=world.mentor, date=date(2026, 10, 9))
    TalkFactory(child=first, author=world.mentor, date=date(2026, 10, 16))
    HomeVisitFactory(child=first, author=world.mentor, date=date(2026, 10, 20))
    return [first, second, third]


def table(content: bytes, header_row: int) -> list[dict]:
    rows = sheet_rows(content)
    header = rows[header_row - 1]
    return [dict(zip(header, r, strict=False)) for r in rows[header_row:]]


def test_roster_has_one_row_per_left_behind_child_masked_by_default_and_is_audited(world, archives):
    result = exports.export_roster(school=world.school, acting_user=world.coordinator, today=TODAY)
    rows = sheet_rows(result.content)
    assert rows[0][0] == "思蒙镇中心小学留守儿童台账（2026-2027学年第一学期）"
    assert "已隐去部分数字" in rows[1][0]
    data = table(result.content, 3)
    assert [r["姓名"] for r in data] == ["王小刚", "张小明", "李小红"]  # by class, then pinyin
    first = data[1]
    assert first["身份证号"] == "4312**********" + valid_id_number()[-4:]
    assert first["父亲联系电话"] == "139****5678" and first["监护人联系电话"] == "0745-***1234"
    assert first["父亲务工地"] == "广东省东莞市" and first["母亲务工地"] == "浙江省金华市义乌市"
    assert first["留守类型"] == "父母均外出" and first["困境类型"] == "低保家庭、孤儿"
    assert first["帮扶教师"] == "刘老师" and first["建档完整度"] == 1  # 100%, a number
    assert (first["本学期谈心次数"], first["本学期家访次数"]) == (2, 1)
    assert data[0]["建档完整度"] == 1  # no pairing, yet a complete archive: 结对 is 结对率's
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["kind"] == "roster" and event.detail["rows"] == 3 and event.detail["full_identifiers"] is False
    workbook = __import__("openpyxl").load_workbook(BytesIO(result.content))
    sheet = workbook.active
    assert sheet.freeze_panes == "C4" and sheet.column_dimensions["F"].width >= 18  # the ID number fits
    assert "A1:" in str(sheet.merged_cells)


def test_roster_query_count_does_not_grow_with_the_school(world, django_assert_max_num_queries):
    make_archive(world, "张小明")
    with django_assert_max_num_queries(9):
        assert len(exports.roster_rows(school=world.school, term=None, today=TODAY)) == 1
    for i in range(12):
        make_archive(world, f"学生{i:02d}", seq=20 + i, birth=date(2016, 1, 1 + i))
    with django_assert_max_num_queries(9):
        assert len(exports.roster_rows(school=world.school, term=None, today=TODAY)) == 13


def test_full_identifiers_only_for_school_managers_who_ask(client, world, archives):
    client.force_login(world.coordinator)
    masked = client.post(reverse("children:export_roster"))
    full = client.post(reverse("children:export_roster"), {"full": "on"})
    assert masked["Content-Type"] == CONTENT_TYPE and "attachment" in masked["Content-Disposition"]
    assert table(masked.content, 3)[1]["身份证号"].startswith("4312****")
    assert table(full.content, 3)[1]["身份证号"] == valid_id_number()
    assert table(full.content, 3)[1]["父亲联系电话"] == "13912345678"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=world.coordinator).count() == 2
    client.force_login(world.class_teacher)
    assert client.post(reverse("children:export_roster"), {"full": "on"}).status_code == 403


def test_register_uses_the_official_columns(world, archives):
    result = exports.export_register(school=world.school, acting_user=world.principal, today=TODAY)
    rows = sheet_rows(result.content)
    assert rows[0][0] == "农村留守儿童基本情况登记表"
    assert rows[1][0].startswith("填报单位：思蒙镇中心小学（溆浦县）")
    assert rows[2][0] == "儿童基本情况"  # a two-level header (tests/excel/test_register.py)
    assert rows[3][:6] == ("序号", "姓名", "性别", "民族", "出生日期", "年龄")
    data = table(result.content, 4)
    assert len(data) == 3 and data[1]["就读学校"] == "思蒙镇中心小学" and data[1]["帮扶责任人"] == "刘老师"
    assert data[1]["姓名"] == "张秀英" and data[1]["与儿童关系"] == "祖母"  # the last 姓名: 委托照护人情况


def test_bureau_downloads_the_summary_of_its_schools_without_child_data(client, world, archives):
    client.force_login(world.bureau)
    assert client.get(reverse("children:export_summary")).status_code == 405  # a link cannot write the audit row
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    response = client.post(reverse("children:export_summary"))
    assert response.status_code == 200
    data = table(response.content, 3)
    by_school = {r["学校"]: r for r in data}
    assert set(by_school) == {"思蒙镇中心小学", "桥江镇第一小学"}
    assert by_school["思蒙镇中心小学"]["留守儿童数"] == 3
    # 建档 is the archive alone: the two children without a mentor have complete archives too.
    assert by_school["思蒙镇中心小学"]["已建档"] == 3 and by_school["思蒙镇中心小学"]["建档率"] == 1.0
    assert by_school["思蒙镇中心小学"]["父母均外出"] == 3
    assert "张小明" not in str(sheet_rows(response.content))
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).user == world.bureau


def test_term_talks_and_visits_export(world, archives):
    talks = log_exports.export_logs(school=world.school, acting_user=world.coordinator, kind="talks", today=TODAY)
    data = table(talks.content, 2)
    assert [r["日期"] for r in data] == [datetime(2026, 10, 9), datetime(2026, 10, 16)]  # real dates
    assert data[0]["学生"] == "张小明" and data[0]["谈心主题"] == "学习" and data[0]["记录人"] == "刘老师"
    visits = log_exports.export_logs(school=world.school, acting_user=world.coordinator, kind="visits", today=TODAY)
    assert [r["接待人"] for r in table(visits.content, 2)] == ["奶奶王秀英"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2


def _snapshot(school) -> list[tuple]:
    out = []
    for child in Child.objects.filter(school=school).order_by("name"):
        parents = tuple(
            (p.role, p.name, p.phone, p.away_status, p.work_province_id, p.work_city_id, p.work_county_id, p.employer)
            for p in child.parents.order_by("role")
        )
        g = child.guardians.filter(until__isnull=True).first()
        out.append(
            (
                child.name, child.gender, child.birth_date, child.ethnicity, child.id_number,
                (child.school_class.grade, child.school_class.number), child.hukou_address, child.current_address,
                child.is_boarder, child.health_status, child.left_behind_type,
                tuple(sorted(child.hardships.values_list("kind", flat=True))), parents,
                (g.name, g.relation, g.phone, g.age, g.address) if g else None,
                child.assessment.guardianship_level if hasattr(child, "assessment") else None,
            )
        )  # fmt: skip
    return out


def test_round_trip_export_the_roster_and_import_it_into_an_empty_school_reproduces_the_archive(world, archives):
    result = exports.export_roster(
        school=world.school, acting_user=world.coordinator, full_identifiers=True, today=TODAY
    )
    expected = [s for s in _snapshot(world.school) if s[0] != "赵在家"]
    Child.objects.filter(school=world.school).delete()  # ID numbers are unique across schools
    empty = SchoolFactory(name="新建学校")
    TermFactory(school=empty)
    SchoolClassFactory(school=empty, grade=3, number=2)
    SchoolClassFactory(school=empty, grade=4, number=1)
    outcome = importers.commit_import(
        school=empty, source=BytesIO(result.content), filename="台账.xlsx", acting_user=None, today=TODAY
    )
    assert (outcome.created, outcome.updated) == (3, 0)
    assert _snapshot(empty) == expected


def test_the_template_has_dropdowns_an_example_row_and_instructions_and_imports_cleanly(client, world):
    client.force_login(world.coordinator)
    response = client.get(reverse("children:import_template"))
    assert response["Content-Type"] == CONTENT_TYPE
    workbook = __import__("openpyxl").load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["学生信息", "填写说明"]
    sheet = workbook["学生信息"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["序号", "姓名", "性别", "出生日期", "民族"]
    assert sheet["A2"].value == "示例"
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"男,女"' in formulas and any("外出务工" in f for f in formulas)
    assert sheet.column_dimensions["F"].number_format == "@"  # 身份证号 typed as text keeps 18 digits
    sheet.append(["1", "刘小燕", "女", "2016-04-05", "汉族", "", "三(2)班"])
    out = BytesIO()
    workbook.save(out)
    out.seek(0)
    preview = importers.read_import(school=world.school, source=out, filename="模板.xlsx", today=TODAY)
    assert [(r.row, r.name, r.action) for r in preview.rows] == [(3, "刘小燕", "create")]


def test_export_command_writes_the_file(world, archives, tmp_path):
    path = tmp_path / "台账.xlsx"
    term = world.school.terms.get()
    call_command("export_children", "--school", str(world.school.pk), "--term", str(term.pk), "-o", str(path))
    assert len(table(path.read_bytes(), 3)) == 3
    call_command("export_children", "--school", str(world.school.pk), "-o", str(path), "--kind", "register")
    assert sheet_rows(path.read_bytes())[0][0] == "农村留守儿童基本情况登记表"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=None).count() == 2


def test_a_masked_roster_whose_numbers_changed_since_cannot_be_imported_back_and_says_why(world, archives):
    result = exports.export_roster(school=world.school, acting_user=world.coordinator, today=TODAY)
    # A masked cell that masks the archive's value the same way is no change (tests/excel/test_round_trip.py).
    Parent.objects.update(phone="13800000000")
    Child.objects.filter(pk=archives[0].pk).update(id_number=valid_id_number(date(2017, 3, 2), "M", 99))
    preview = importers.read_import(school=world.school, source=BytesIO(result.content), filename="x.xlsx", today=TODAY)
    assert not preview.can_commit
    first = preview.errors[0]
    assert (first.row, first.column) == (4, "父亲联系电话")
    assert first.message.startswith("电话中有 * 号，是导出时隐去的部分数字，无法导入")
    assert any(e.column == "身份证号" and "身份证号中有 * 号" in e.message for e in preview.errors)


@pytest.mark.parametrize("url_name", ["children:export_roster", "children:export_register", "mentoring:export_talks"])
def test_an_export_with_a_term_that_is_not_an_id_gets_400_and_one_of_another_school_404_writing_nothing(
    client, world, url_name
):
    from caretrack.models import Term
    from tests.factories import TermFactory

    other_term = Term.objects.filter(school=world.other_school).first() or TermFactory(school=world.other_school)
    client.force_login(world.coordinator)
    response = client.post(reverse(url_name), {"term": "abc"})
    assert response.status_code == 400 and "学期参数不正确" in response.content.decode()
    assert client.post(reverse(url_name), {"term": other_term.pk}).status_code == 404
    assert not AuditEvent.objects.exists()


def test_the_summary_counts_enrolled_students_as_the_school_pages_do(world, archives):
    """Once classes carry their own 在校学生数, the school's figure is their sum, in the 汇总表 too."""
    world.school.enrolled_students = 900
    world.school.save(update_fields=["enrolled_students"])
    world.school_class.enrolled_students = 41
    world.school_class.save(update_fields=["enrolled_students"])
    world.other_class.enrolled_students = 38
    world.other_class.save(update_fields=["enrolled_students"])
    summary = exports.export_summary(schools=[world.school, world.other_school], acting_user=world.bureau, today=TODAY)
    by_school = {r["学校"]: r for r in table(summary.content, 3)}
    assert by_school["思蒙镇中心小学"]["在校学生数"] == 79
    assert by_school["桥江镇第一小学"]["在校学生数"] == world.other_school.enrolled_students
