"""Every choice column reads back exactly what the exports write (the get_*_display labels), whole: a label
holding a "/" (脱贫不稳定/边缘易致贫家庭) or full-width brackets (被遣送（驱逐）出境) is one label, and a 困境类型 cell
of several labels is split by finding the labels first."""

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caretrack.models import Gender
from children.importing import Action, read_import
from children.importing.parsers import (
    _AWAY,
    _GENDERS,
    _HEALTH,
    _LEVELS,
    _RELATIONS,
    _YES_NO,
    _choice,
    parse_hardships,
)
from children.models import AwayStatus, GuardianRelation, GuardianshipLevel, HardshipType, HealthStatus
from tests.excel.sheets import build_sheet
from tests.factories import valid_id_number

TODAY = date(2026, 10, 15)
SEPARATORS = ["、", "，", ",", "/", "；", " ", "、 "]
CHOICE_COLUMNS = {
    "性别": (Gender, _GENDERS),
    "健康状况": (HealthStatus, _HEALTH),
    "外出状态": (AwayStatus, _AWAY),
    "与儿童关系": (GuardianRelation, _RELATIONS),
    "监护类型": (GuardianshipLevel, _LEVELS),
}


@settings(max_examples=300, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(HardshipType.values), min_size=1, unique=True),
    separator=st.sampled_from(SEPARATORS),
)
def test_any_set_of_hardship_labels_joined_in_any_order_reads_back_as_that_set(kinds, separator):
    text = separator.join(HardshipType(kind).label for kind in kinds)
    assert parse_hardships(text) == (kinds, [])


@pytest.mark.parametrize(("value", "label"), HardshipType.choices)
def test_each_hardship_label_is_read_whole_even_with_a_slash_in_it(value, label):
    assert parse_hardships(label) == ([value], [])


def test_an_unknown_hardship_is_named_whole_not_cut_around_a_label_inside_it():
    assert parse_hardships("残疾人家庭、孤儿") == ([HardshipType.ORPHAN], ["残疾人家庭"])


@settings(max_examples=300, deadline=None)
@given(
    column=st.sampled_from(sorted(CHOICE_COLUMNS)),
    data=st.data(),
    padding=st.sampled_from(["", " ", "\n", "\u3000"]),
)
def test_every_label_of_a_choice_column_is_read_whole_with_spaces_or_full_width_forms(column, data, padding):
    choices, mapping = CHOICE_COLUMNS[column]
    value, label = data.draw(st.sampled_from(choices.choices))
    written = data.draw(st.sampled_from([label, unicodedata.normalize("NFKC", label), f"{padding}{label}{padding}"]))
    assert _choice(written, mapping, column, tuple(choices.labels)) == value


def test_the_boarder_column_reads_what_the_exports_write():
    assert [_choice(v, _YES_NO, "是否住校", ("是", "否")) for v in ("是", "否")] == [True, False]


@pytest.mark.django_db
def test_a_sheet_carrying_every_label_of_every_choice_column_is_read_without_an_error(world):
    header = ["姓名", "性别", "出生日期", "身份证号", "班级", "是否住校", "健康状况", "困境类型", "父亲姓名",
              "父亲外出状态", "母亲姓名", "母亲外出状态", "母亲务工地", "监护人姓名", "与儿童关系",
              "监护类型"]  # fmt: skip
    count = len(AwayStatus.choices)
    rows, expected = [], []
    for i in range(count):
        birth = date(2015, 1 + i, 3)
        gender = Gender.values[i % 2]
        health = HealthStatus.choices[i % len(HealthStatus.choices)]
        away = AwayStatus.choices[i]
        relation = GuardianRelation.choices[i % len(GuardianRelation.choices)]
        level = GuardianshipLevel.choices[i % len(GuardianshipLevel.choices)]
        kinds = HardshipType.values if i == 0 else [HardshipType.values[i % len(HardshipType.values)]]
        rows.append([
            f"学生{i}", Gender(gender).label, birth.isoformat(), valid_id_number(birth, gender, 30 + i), "三(2)班",
            "是" if i % 2 else "否", health[1], "、".join(HardshipType(k).label for k in kinds), f"父亲{i}", away[1],
            f"母亲{i}", "外出务工", "广东东莞", f"监护人{i}", relation[1], level[1],
        ])  # fmt: skip
        expected.append((gender, i % 2 == 1, health[0], kinds, away[0], relation[0], level[0]))
    preview = read_import(
        school=world.school, source=build_sheet([header, *rows]), filename="全部选项.xlsx", today=TODAY
    )
    assert [str(e) for e in preview.errors] == []
    assert [r.action for r in preview.rows] == [Action.CREATE] * count
    read = [
        (
            r.data.child["gender"],
            r.data.child["is_boarder"],
            r.data.child["health_status"],
            r.data.hardships,
            r.data.parents["father"]["away_status"],
            r.data.guardian["relation"],
            r.data.assessment["guardianship_level"],
        )
        for r in preview.rows
    ]
    assert read == expected
