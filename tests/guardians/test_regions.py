"""Tests for guardians.regions (pure Python, no database)."""

import time

import pytest

from guardians.regions import (
    PlaceMatch,
    RegionRow,
    display_name,
    load_region_rows,
    match_place,
    province_of,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("广东东莞", PlaceMatch("440000", "441900", None)),
        ("广东省东莞市", PlaceMatch("440000", "441900", None)),
        ("东莞", PlaceMatch("440000", "441900", None)),
        ("中山市", PlaceMatch("440000", "442000", None)),
        ("浙江义乌", PlaceMatch("330000", "330700", "330782")),
        ("浙江省金华市义乌市", PlaceMatch("330000", "330700", "330782")),
        ("义乌", PlaceMatch("330000", "330700", "330782")),
        ("上海", PlaceMatch("310000", None, None)),
        ("上海市浦东新区", PlaceMatch("310000", None, "310115")),
        ("北京朝阳", PlaceMatch("110000", None, "110105")),
        ("福建省厦门市思明区", PlaceMatch("350000", "350200", "350203")),
        ("广州", PlaceMatch("440000", "440100", None)),
        (" 广东 深圳 ", PlaceMatch("440000", "440300", None)),
        ("新疆乌鲁木齐", PlaceMatch("650000", "650100", None)),
        ("内蒙古包头", PlaceMatch("150000", "150200", None)),
        ("湖南长沙县", PlaceMatch("430000", "430100", "430121")),
        ("湖南长沙", PlaceMatch("430000", "430100", None)),
        ("重庆市忠县", PlaceMatch("500000", None, "500233")),
        ("仙桃", PlaceMatch("420000", None, "429004")),
        ("辽宁朝阳", PlaceMatch("210000", "211300", None)),
        ("延边州", PlaceMatch("220000", "222400", None)),
        ("广东省东莞市长安镇", PlaceMatch("440000", "441900", None)),
        ("广东", PlaceMatch("440000", None, None)),
        ("广东省", PlaceMatch("440000", None, None)),
        ("吉林", PlaceMatch("220000", None, None)),
        ("吉林市", PlaceMatch("220000", "220200", None)),
        ("河北", PlaceMatch("130000", None, None)),
        ("天津河北", PlaceMatch("120000", None, "120105")),
    ],
)
def test_match_place(text, expected):
    assert match_place(text) == expected


@pytest.mark.parametrize("text", ["朝阳", "朝阳区", "通州", "鼓楼", "中山", "西安"])
def test_ambiguous_returns_none(text):
    assert match_place(text) is None


@pytest.mark.parametrize("text", ["火星", "", "   ", "外地", "广东火星", "东莞广东"])
def test_unknown_returns_none(text):
    assert match_place(text) is None


def test_row_counts_and_shape():
    rows = load_region_rows()
    levels = [r.level for r in rows]
    assert levels.count(1) == 34
    assert levels.count(2) == 334
    assert levels.count(3) == 2851
    assert all(isinstance(r, RegionRow) and len(r.code) == 6 and r.code.isdigit() for r in rows)
    assert len({r.code for r in rows}) == len(rows)
    assert not any(r.name in {"市辖区", "县", "省直辖县级行政区划"} for r in rows)
    assert load_region_rows() == rows


def test_parents_precede_children_and_every_county_has_a_province():
    rows = load_region_rows()
    by_code = {r.code: r for r in rows}
    seen = set()
    for r in rows:
        if r.level == 1:
            assert r.parent_code is None
        else:
            assert r.parent_code in seen
            assert by_code[r.parent_code].level < r.level
        seen.add(r.code)
    for r in rows:
        if r.level == 3:
            node = r
            while node.parent_code is not None:
                node = by_code[node.parent_code]
            assert node.level == 1
            assert node.code == province_of(r.code) == r.code[:2] + "0000"


def test_known_rows():
    by_code = {r.code: r for r in load_region_rows()}
    assert by_code["440000"] == RegionRow("440000", "广东省", 1, None)
    assert by_code["441900"] == RegionRow("441900", "东莞市", 2, "440000")
    assert by_code["330782"] == RegionRow("330782", "义乌市", 3, "330700")
    assert by_code["310115"] == RegionRow("310115", "浦东新区", 3, "310000")


def test_display_name_and_province_of():
    assert display_name("330782") == "浙江省金华市义乌市"
    assert display_name("441900") == "广东省东莞市"
    assert display_name("310115") == "上海市浦东新区"
    assert display_name("440000") == "广东省"
    assert province_of("330782") == "330000"
    assert province_of("440000") == "440000"
    with pytest.raises(KeyError):
        display_name("999999")


def test_every_full_path_matches_itself():
    for r in load_region_rows():
        match = match_place(display_name(r.code))
        assert match is not None and match.code == r.code, r


def test_match_place_is_fast():
    names = [r.name for r in load_region_rows()]
    texts = [f"{names[i % len(names)]}{names[(i * 7) % len(names)]}" for i in range(10_000)]
    start = time.perf_counter()
    for text in texts:
        match_place(text)
    assert time.perf_counter() - start < 1.0
