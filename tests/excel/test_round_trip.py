"""Every export that carries the import's columns imports back unchanged: the 台账 and the 登记表 (花名册),
with identifiers masked or in full, and the import template (which holds no student). The school covers every
choice label a cell can carry (each 困境类型, 外出状态, 与儿童关系, 监护类型, 健康状况, boarders, parents with
ID numbers and work places, guardians)."""

from datetime import date
from io import BytesIO

import pytest

from caretrack.validation import make_id_number
from children import exports
from children.importing import read_import
from children.importing.template import import_template
from children.models import AwayStatus, GuardianRelation, GuardianshipLevel, HardshipType, HealthStatus
from children.services import ArchiveData, save_archive
from guardians.models import Region

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
