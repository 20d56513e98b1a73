"""reports.privacy.scrub: what the school knows and numbers however typed are taken out of free text."""

import pytest

from reports.privacy import Kind, SchoolKnowledge, scrub, scrub_identifiers, summarize
from reports.privacy_selectors import school_knowledge
from tests.factories import ChildFactory, GuardianFactory, ParentFactory

KNOWN = SchoolKnowledge(
    child_names=frozenset({"王小明", "王小", "学生1", "欧阳娜娜", "李"}),
    adult_names=frozenset({"王建国", "王秀英", "张桂兰"}),
    addresses=frozenset({"溆浦县青山村3组", "溆浦县白马岭村2组8号"}),
)


def test_a_child_becomes_surname_and_tongxue_and_an_adult_surname_and_mou():
    result = scrub("王小明同学的奶奶王秀英和爸爸王建国都来了。", KNOWN)
    assert result.text == "王同学的奶奶王某和爸爸王某都来了。"
    assert [(r.original, r.replacement, r.kind) for r in result.replacements] == [
        ("王小明同学", "王同学", Kind.CHILD_NAME),
        ("王秀英", "王某", Kind.ADULT_NAME),
        ("王建国", "王某", Kind.ADULT_NAME),
    ]


def test_longer_names_win_and_names_are_matched_whole():
    assert scrub("王小明和王小", KNOWN).text == "王同学和王同学"
    assert scrub("学生12不是学生1", KNOWN).text == "学生12不是学同学"
    assert scrub("李老师", KNOWN).text == "李老师"  # one-character names are ignored
    assert scrub("欧阳娜娜", KNOWN).text == "欧阳同学"  # compound surname


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "138 1234 5678",
        "138  1234  5678",
        "138-1234-5679",
        "138.1234.5678",
        "１３８１２３４５６７８",
        "0745-2345678",
    ],
)
def test_phones_however_typed_are_masked(typed):
    result = scrub(f"电话{typed}。", KNOWN)
    assert result.text.startswith("电话*") and not any(c.isdigit() for c in result.text)
    assert [r.kind for r in result.replacements] == [Kind.PHONE]


@pytest.mark.parametrize(
    "typed",
    ["431224201703020071", "431224 20170302 0071", "43122420170302123X", "４３１２２４２０１７０３０２００７１"],
)
def test_id_numbers_however_typed_are_masked(typed):
    result = scrub(f"身份证{typed}。", KNOWN)
    assert result.text == "身份证******************。"
    assert [r.kind for r in result.replacements] == [Kind.ID_NUMBER]


def test_stored_addresses_villages_and_house_numbers_are_taken_out():
    text = "家住青山村3组15号；户籍溆浦县白马岭村2组8号；白马岭村的孩子；住在幸福社区5号；另有3组15号。"
    assert scrub(text, KNOWN).text == "家住某村；户籍某地；某村的孩子；住在某社区；另有某组。"


def test_the_part_of_a_stored_address_below_the_town_and_flats_in_town_are_taken_out():
    known = SchoolKnowledge(addresses=frozenset({"溆浦县龙潭镇幸福小区5栋302室", "溆浦县卢峰镇"}))
    assert scrub("住在幸福小区5栋302室", known).text == "住在某地"
    assert scrub("搬到3幢2单元401号", known).text == "搬到某号"
    assert scrub("卢峰镇的孩子在教学楼3楼活动", known).text == "卢峰镇的孩子在教学楼3楼活动"


def test_ordinary_numbers_and_words_stay():
    text = "2026年共资助40060元，分成5组，农村留守儿童占12.5%，9月1日开学。"
    assert scrub(text, KNOWN).text == text
    assert scrub(text, KNOWN).replacements == ()


def test_summary_counts_each_distinct_replacement_once():
    result = scrub("王小明、王小明和王建国", KNOWN)
    assert [(r.original, n) for r, n in summarize(result.replacements)] == [("王小明", 2), ("王建国", 1)]


def test_scrub_identifiers_keeps_masking_one_star_per_character():
    assert scrub_identifiers("电话138 1234 5678") == "电话*************"


def test_what_the_school_knows_takes_four_queries_and_stays_in_the_school(world, django_assert_num_queries):
    for i in range(3):
        child = ChildFactory(school_class=world.school_class, name=f"王小{i}", current_address=f"青山村{i}组")
        ParentFactory(child=child, name=f"王建{i}")
        GuardianFactory(child=child, name=f"王秀{i}", address="白马岭村2组8号")
    ChildFactory(school_class=world.foreign_class, name="外校生")
    with django_assert_num_queries(4):
        known = school_knowledge(world.school)
    assert {"王小0", "王小1", "王小2"} <= known.child_names and "外校生" not in known.child_names
    assert {"王建0", "王秀2"} <= known.adult_names
    assert {"青山村0组", "白马岭村2组8号", "溆浦县青山村3组"} <= known.addresses
