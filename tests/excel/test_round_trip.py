"""Every export that carries the import's columns imports back unchanged: the 台账 and the 登记表 (花名册),
with identifiers masked or in full, and the import template (which holds no student). The school covers every
choice label a cell can carry (each 困境类型, 外出状态, 与儿童关系, 监护类型, 健康状况, boarders, parents with
ID numbers and work places, guardians)."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.utils import get_column_letter

from caretrack.validation import make_id_number, mask_id_number
from children import exports
from children.importing import find_header, read_import
from children.importing.template import import_template
from children.models import (
    AwayStatus,
    Child,
    GuardianRelation,
    GuardianshipLevel,
    HardshipType,
    HealthStatus,
    Parent,
)
from children.services import ArchiveData, save_archive
from guardians.models import Region
from tests.excel.sheets import build_sheet, sheet_rows

pytestmark = pytest.mark.django_db

TODAY = date(2026, 10, 15)
ON = date(2026, 9, 10)
# Work places at every depth: a province, a city, a county, a municipality's district.
PLACES = [
    ("440000", "441900", None),
    ("330000", "330700", "330782"),
    ("310000", None, "310115"),
    ("320000", None, None),
]
# The import reads these columns of an export; the others are the export's own (known to the import).
NOT_IMPORTED = {"留守类型", "班主任", "帮扶教师", "建档完整度", "本学期谈心次数", "本学期家访次数", "备注", "就读学校",
                "年龄", "就学情况", "帮扶责任人"}  # fmt: skip


def _region(code):
    return Region.objects.get(code=code) if code else None


def _place(place):
    province, city, county = place
    return {"work_province": _region(province), "work_city": _region(city), "work_county": _region(county)}


def _parent(name, status, place, *, phone, id_number):
    values = {"name": name, "away_status": status, "phone": phone, "id_number": id_number}
    if status == AwayStatus.WORKING_AWAY:
        values.update(_place(place), employer="某电子厂")
    return values


def build_school(world, count=12):
    """`count` left-behind children (mother away everywhere) whose values run through every choice label."""
    world.school.counts_one_parent_away = True
    world.school.save(update_fields=["counts_one_parent_away"])
    hardships = list(HardshipType.values)
    statuses = list(AwayStatus.values)
    relations = list(GuardianRelation.values)
    levels = list(GuardianshipLevel.values)
    health = list(HealthStatus.values)
    count = max(count, len(statuses), len(hardships) + 1)
    children = []
    for i in range(count):
        birth = date(2012 + i % 7, 1 + i % 12, 1 + i)
        gender = "M" if i % 2 == 0 else "F"
        if i == 0:
            kinds = hardships  # every kind in one cell, 脱贫不稳定/边缘易致贫家庭 among them
        elif i <= len(hardships):
            kinds = [hardships[i - 1]]
        else:
            kinds = []
        has_guardian = i != count - 1
        data = ArchiveData(
            child={
                "name": f"学生{'甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未'[i]}{'明红'[i % 2]}",
                "gender": gender,
                "birth_date": birth,
                "id_number": make_id_number("431224", birth, 10 + i, gender) if i % 5 != 4 else None,
                "school_class": world.school_class if i % 3 else world.other_class,
                "ethnicity": "苗族" if i % 4 == 1 else "汉族",
                "student_number": f"G43122420{i:08d}" if i % 2 else "",
                "hukou_address": "溆浦县青山村3组",
                "current_address": f"溆浦县思蒙镇{i}号" if i % 3 else "",
                "is_boarder": i % 2 == 1,
                "health_status": health[i % len(health)],
            },
            hardships=kinds,
            hardship_evidence={kind: {"evidence": "民政认定文书", "evidenced_on": ON} for kind in kinds},
            parents={
                "father": _parent(
                    f"父亲{i}", statuses[i % len(statuses)], PLACES[i % len(PLACES)],
                    phone="13912345678" if i % 3 else "0745-3221234",
                    id_number=make_id_number("431224", date(1985, 5, 1 + i), 20 + i, "M") if i % 2 else "",
                ),  # fmt: skip
                "mother": _parent(
                    f"母亲{i}", AwayStatus.WORKING_AWAY, PLACES[(i + 1) % len(PLACES)],
                    phone="13712345678",
                    id_number=make_id_number("431224", date(1987, 6, 1 + i), 30 + i, "F") if i % 3 else "",
                ),  # fmt: skip
            },
            guardian={
                "name": f"监护人{i}",
                "relation": relations[i % len(relations)],
                "phone": "0745-3221234" if i % 2 else "13812345678",
                "age": 50 + i,
                "address": "溆浦县青山村3组" if i % 2 else "",
                "since": ON,
            }
            if has_guardian
            else None,
            assessment={"guardianship_level": levels[i % len(levels)], "assessed_on": ON},
        )
        children.append(save_archive(school=world.school, data=data, acting_user=world.coordinator, on=ON))
    return children


def import_back(world, content: bytes, filename: str):
    return read_import(school=world.school, source=BytesIO(content), filename=filename, today=TODAY)


def assert_unchanged(preview, count):
    assert [str(e) for e in preview.errors] == []
    assert (preview.to_create, preview.to_update, preview.unchanged) == (0, 0, count), [
        (r.name, r.changes) for r in preview.rows if r.changes
    ]
    assert [c for c in preview.ignored_columns if c not in NOT_IMPORTED] == []


@pytest.mark.parametrize("full", [False, True], ids=["masked", "full"])
def test_the_roster_imports_back_with_no_error_and_no_change(world, full):
    children = build_school(world)
    result = exports.export_roster(
        school=world.school, acting_user=world.coordinator, full_identifiers=full, today=TODAY
    )
    assert result.rows == len(children)
    assert_unchanged(import_back(world, result.content, result.filename), len(children))


@pytest.mark.parametrize("full", [False, True], ids=["masked", "full"])
def test_the_register_imports_back_with_no_error_and_no_change(world, full):
    children = build_school(world)
    result = exports.export_register(
        school=world.school, acting_user=world.coordinator, full_identifiers=full, today=TODAY
    )
    assert result.rows == len(children)
    preview = import_back(world, result.content, result.filename)
    assert_unchanged(preview, len(children))


def test_the_import_template_holds_no_student(world, client):
    preview = import_back(world, import_template(), "留守儿童信息导入模板.xlsx")
    assert preview.rows == [] and preview.ignored_columns == []


# The official 农村留守儿童基本情况登记表: merged group cells over sub-headers, 备注 merged down.
REGISTER_GROUPS = {
    "儿童基本情况": ["序号", "姓名", "性别", "民族", "出生日期", "年龄", "身份证号", "户籍地址", "现居住地址",
                     "就读学校", "班级", "学籍号", "就学情况", "是否住校", "健康状况", "困境类型", "留守类型"],
    "父亲情况": ["姓名", "身份证号", "联系电话", "外出状态", "务工地", "务工单位"],
    "母亲情况": ["姓名", "身份证号", "联系电话", "外出状态", "务工地", "务工单位"],
    "委托照护人情况": ["姓名", "与儿童关系", "年龄", "联系电话", "住址", "监护类型"],
    "关爱帮扶情况": ["班主任", "帮扶责任人", "本学期谈心次数", "本学期家访次数"],
}  # fmt: skip


def register_layout(world, roster: bytes) -> BytesIO:
    """The 台账's rows laid out as the official 登记表 (parents' ID numbers from the archive, masked)."""
    rows = sheet_rows(roster)
    at = next(i for i, row in enumerate(rows) if "姓名" in row)
    records = [dict(zip(rows[at], r, strict=False)) for r in rows[at + 1 :] if r[1]]
    parent_ids = {(p.child.name, p.role): p.id_number for p in Parent.objects.select_related("child")}
    groups, subs, merges, column = [], [], [], 1
    for group, names in REGISTER_GROUPS.items():
        groups += [group] + [None] * (len(names) - 1)
        subs += names
        merges.append(f"{get_column_letter(column)}2:{get_column_letter(column + len(names) - 1)}2")
        column += len(names)
    groups.append("备注")
    subs.append(None)
    merges.append(f"{get_column_letter(column)}2:{get_column_letter(column)}3")
    body = []
    for r in records:
        born = r["出生日期"]
        born = date.fromisoformat(born) if isinstance(born, str) else born.date()
        child = [r["序号"], r["姓名"], r["性别"], r["民族"], born, TODAY.year - born.year, r["身份证号"],
                 r["户籍地址"], r["现居住地址"], world.school.name, r["班级"], r["学籍号"], "小学", r["是否住校"],
                 r["健康状况"], r["困境类型"], r["留守类型"]]  # fmt: skip
        parents = []
        for role, p in (("father", "父亲"), ("mother", "母亲")):
            number = mask_id_number(parent_ids.get((r["姓名"], role))) or None
            parents += [r[f"{p}姓名"], number, r[f"{p}联系电话"], r[f"{p}外出状态"], r[f"{p}务工地"], r[f"{p}务工单位"]]
        guardian = [r[k] for k in ("监护人姓名", "与儿童关系", "监护人年龄", "监护人联系电话", "监护人住址")]
        guardian.append(r["监护类型"])
        care = [r["班主任"], r["帮扶教师"], r["本学期谈心次数"], r["本学期家访次数"]]
        body.append([*child, *parents, *guardian, *care, None])
    return build_sheet([subs, *body], title="农村留守儿童基本情况登记表", group_row=groups, merges=merges)


def test_a_sheet_in_the_official_register_layout_imports_back_unchanged(world):
    children = build_school(world)
    roster = exports.export_roster(school=world.school, acting_user=world.coordinator, today=TODAY)
    preview = read_import(
        school=world.school, source=register_layout(world, roster.content), filename="登记表.xlsx", today=TODAY
    )
    assert preview.header_row == 3
    assert "父亲身份证号" in preview.columns and "监护人年龄" in preview.columns and "监护人住址" in preview.columns
    assert_unchanged(preview, len(children))


def test_a_sub_header_under_a_parent_group_is_the_parents_never_the_childs():
    header = find_header(
        [
            ("儿童基本情况", None, None, None, "父亲情况", None, None, "委托照护人情况", None, None, None),
            ("姓名", "年龄", "身份证号", "住址", "姓名", "身份证号", "住址", "姓名", "年龄", "住址", "监护类型"),
        ]
    )
    assert [header.keys.get(i) for i in range(11)] == [
        "name", None, "id_number", "current_address", "father_name", "father_id_number", None, "guardian_name",
        "guardian_age", "guardian_address", "guardianship_level",
    ]  # fmt: skip
    assert header.ignored == ["父亲住址"]  # the child's 年龄 is the export's own column, read past


def test_an_address_column_alone_is_where_the_child_lives():
    header = find_header([("姓名", "性别", "出生日期", "住址", "班级")])
    assert header.keys[3] == "current_address"


def test_the_template_as_downloaded_says_it_holds_no_student(client, world):
    client.force_login(world.coordinator)
    content = client.get(reverse("children:import_template")).content
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile("模板.xlsx", content)})
    page = response.content.decode()
    assert response.context["preview"].rows == []
    assert "表中没有学生" in page and "表中的学生都已在系统中" not in page and "确认导入" not in page


def test_a_masked_export_of_children_no_longer_archived_cannot_be_imported_and_says_why(world):
    build_school(world)
    result = exports.export_roster(school=world.school, acting_user=world.coordinator, today=TODAY)
    Child.objects.all().delete()
    preview = import_back(world, result.content, result.filename)
    assert preview.to_create == 0 and len(preview.error_rows) == len(preview.rows)
    messages = {(e.column, e.message.split("，")[0]) for e in preview.errors}
    assert messages == {
        ("身份证号", "身份证号中有 * 号"),
        ("父亲联系电话", "电话中有 * 号"),
        ("母亲联系电话", "电话中有 * 号"),
        ("监护人联系电话", "电话中有 * 号"),
    }
