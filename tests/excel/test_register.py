"""The official 农村留守儿童基本情况登记表 (two-level header, the 台账's values) and the 统计表 sheet the 登记表 and
the 台账 carry: the exported children counted by grade, sex, age band, 留守类型 and 监护类型."""

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from children import exports
from children.models import Child
from tests.excel.archives import make_archive
from tests.factories import HomeVisitFactory, PairingFactory, SchoolClassFactory, TalkFactory, valid_id_number

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 2)

GROUPS = {
    "儿童基本情况": [
        "序号", "姓名", "性别", "民族", "出生日期", "年龄", "身份证号", "户籍地址", "现居住地址", "就读学校", "班级",
        "学籍号", "就学情况", "是否住校", "健康状况", "困境类型", "留守类型",
    ],
    "父亲情况": ["姓名", "身份证号", "联系电话", "外出状态", "务工地", "务工单位"],
    "母亲情况": ["姓名", "身份证号", "联系电话", "外出状态", "务工地", "务工单位"],
    "委托照护人情况": ["姓名", "与儿童关系", "年龄", "联系电话", "住址", "监护类型"],
    "关爱帮扶情况": ["班主任", "帮扶责任人", "本学期谈心次数", "本学期家访次数"],
}  # fmt: skip


@pytest.fixture
def archives(world):
    first = make_archive(world, "张小明", hardships=["low_income", "orphan"])
    make_archive(world, "李小红", birth=date(2016, 5, 8), gender="F", seq=3, school_class=world.other_class)
    PairingFactory(child=first, mentor=world.mentor)
    TalkFactory(child=first, author=world.mentor, date=date(2026, 10, 9))
    TalkFactory(child=first, author=world.mentor, date=date(2026, 10, 16))
    HomeVisitFactory(child=first, author=world.mentor, date=date(2026, 10, 20))
    return first


def _sheet(content: bytes, name: str):
    return load_workbook(BytesIO(content))[name]


def _by_name(ws, header_row: int = 4) -> dict[str, list]:
    """Data rows by the child's name (column B), as cells."""
    return {row[1].value: row for row in ws.iter_rows(min_row=header_row + 1) if row[1].value}


def test_the_register_has_the_official_two_level_header_with_merged_groups(world, archives):
    result = exports.export_register(school=world.school, acting_user=world.principal, today=TODAY)
    ws = _sheet(result.content, "登记表")
    groups, subs = [c.value for c in ws[3]], [c.value for c in ws[4]]
    merged = {str(r) for r in ws.merged_cells.ranges}
    col = 0
    for group, headers in GROUPS.items():
        assert groups[col] == group and subs[col : col + len(headers)] == headers
        assert f"{_letter(col)}3:{_letter(col + len(headers) - 1)}3" in merged  # the group over its sub-headers
        col += len(headers)
    assert groups[col] == "备注" and f"{_letter(col)}3:{_letter(col)}4" in merged  # 备注 down both rows
    assert len(groups) == col + 1
    assert ws.freeze_panes == "C5" and ws.print_title_rows == "$1:$4"


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def test_the_register_writes_the_values_as_the_roster_does(world, archives):
    result = exports.export_register(school=world.school, acting_user=world.principal, today=TODAY)
    row = _by_name(_sheet(result.content, "登记表"))["张小明"]
    values = [c.value for c in row]
    assert row[0].value == 1 and row[0].data_type == "n"  # 序号
    assert values[4] == datetime(2017, 3, 2) and row[4].number_format == "yyyy-mm-dd"  # 出生日期, a date
    assert values[5] == 9 and row[5].data_type == "n"  # 年龄 on the export day
    assert values[6] == "4312**********" + valid_id_number()[-4:] and row[6].data_type == "s"
    assert values[9:11] == ["思蒙镇中心小学", "三年级(2)班"]
    assert values[13] == "否" and values[15] == "低保家庭、孤儿" and values[16] == "父母均外出"
    assert values[17] == "张建国" and values[19] == "139****5678" and values[20] == "外出务工"
    assert values[21] == "广东省东莞市" and values[27] == "浙江省金华市义乌市"
    assert values[29:32] == ["张秀英", "祖母", 66] and values[32] == "0745-***1234" and values[34] == "监护情况一般"
    assert values[36:39] == ["刘老师", 2, 1]  # 帮扶责任人, the term's talks and visits
    assert values[39] is None and len(values) == 40  # 备注, left for the school to fill in
    assert result.rows == 2


def test_a_full_register_writes_18_digit_id_numbers_and_phones_as_text(world, archives):
    result = exports.export_register(
        school=world.school, acting_user=world.principal, today=TODAY, full_identifiers=True
    )
    row = _by_name(_sheet(result.content, "登记表"))["张小明"]
    assert row[6].value == valid_id_number() and row[6].data_type == "s"
    assert row[19].value == "13912345678" and row[19].data_type == "s"


@pytest.fixture
def varied(world):
    """Children of three grades, both sexes, the three age bands, two 留守 types and several 监护类型."""
    world.school.counts_one_parent_away = True  # 一方外出 counts at this school
    world.school.save(update_fields=["counts_one_parent_away"])
    first_grade = SchoolClassFactory(school=world.school, grade=1, number=1)
    make_archive(world, "一年级甲", birth=date(2021, 1, 1), seq=1, school_class=first_grade, level="good")
    make_archive(world, "一年级乙", birth=date(2020, 12, 1), seq=2, gender="F", school_class=first_grade, level=None)
    make_archive(world, "三年级甲", seq=3, level="fair")  # world.school_class: 三年级, age 9
    make_archive(world, "三年级乙", seq=4, gender="F", level="insufficient", father_place=None)
    make_archive(world, "四年级甲", birth=date(2012, 5, 1), seq=5, school_class=world.other_class, level="fair")
    make_archive(world, "在家的", seq=6, father_place=None, mother_place=None)  # not left-behind: not counted
    return world


def _stats(content: bytes) -> dict[str, dict[str, int]]:
    ws = _sheet(content, "统计表")
    groups = [c.value for c in ws[3]]
    subs = [c.value for c in ws[4]]
    columns, group = [], ""
    for top, sub in zip(groups, subs, strict=True):
        group = top if top else group
        columns.append(sub if sub else top)
    out = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        out[row[0]] = dict(zip(columns[1:], row[1:], strict=True))
    return out


def test_the_statistics_sheet_counts_the_exported_children_against_the_archive(world, varied):
    result = exports.export_register(school=world.school, acting_user=world.principal, today=TODAY)
    stats = _stats(result.content)
    counted = Child.objects.filter(school=world.school).exclude(name="在家的")
    assert {c.left_behind_type for c in counted} == {"both_away", "one_away"}  # as archived
    assert list(stats) == ["一年级", "三年级", "四年级", "合计"]
    total = stats["合计"]
    assert total["合计"] == counted.count() == result.rows == 5
    assert (total["男"], total["女"]) == (3, 2)
    assert (total["0-5岁"], total["6-13岁"], total["14-16岁"]) == (2, 2, 1)
    both_away = counted.filter(left_behind_type="both_away").count()
    assert (total["父母均外出"], total["一方外出"]) == (both_away, 5 - both_away) == (4, 1)
    levels = ("监护情况较好", "监护情况一般", "受委托监护人监护能力不足", "未评估")
    assert tuple(total[level] for level in levels) == (1, 2, 1, 1)
    assert stats["一年级"]["合计"] == 2 and stats["一年级"]["0-5岁"] == 2 and stats["四年级"]["14-16岁"] == 1
    assert all(isinstance(v, int) for row in stats.values() for v in row.values())
    names = {c.name for c in Child.objects.all()}
    texts = {v for row in _sheet(result.content, "统计表").iter_rows(values_only=True) for v in row if v}
    assert not names & texts  # no child's name on the 统计表


def test_the_roster_carries_the_same_statistics_sheet(world, varied):
    roster = exports.export_roster(school=world.school, acting_user=world.coordinator, today=TODAY)
    register = exports.export_register(school=world.school, acting_user=world.coordinator, today=TODAY)
    assert load_workbook(BytesIO(roster.content)).sheetnames == ["留守儿童台账", "统计表"]
    assert _stats(roster.content) == _stats(register.content)
