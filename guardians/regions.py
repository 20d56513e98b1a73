"""Administrative divisions of China (2020) and free-text matching of 务工地.

Pure Python, no Django: the Region model's data migration calls :func:`load_region_rows`, forms and
imports call :func:`match_place`.  The data file is ``guardians/data/adcodes.csv`` (see the README
next to it for its source and licence).

Structure of the tree built here:

* level 1 — the 34 provincial units (省, 自治区, 直辖市, 特别行政区);
* level 2 — prefecture-level units (地级市, 地区, 自治州, 盟);
* level 3 — county-level units (市辖区, 县级市, 县, 自治县, 旗, 林区, 特区).

The source list carries statistical placeholders that are not places: "市辖区" at city and county
level, "县" (重庆) and "省直辖县级行政区划" / "自治区直辖县级行政区划" at city level.  They are
skipped, so the districts of 北京/上海/天津/重庆 and the 省直辖 county-level cities (仙桃, 济源, 石河子 …)
hang directly under their province (``parent_code`` is the province, ``city_code`` of a match is None).
Cities without districts (东莞, 中山, 儋州, 嘉峪关) are level-2 rows without children.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PlaceMatch", "RegionRow", "display_name", "load_region_rows", "match_place", "province_of"]

DATA_FILE = Path(__file__).resolve().parent / "data" / "adcodes.csv"

PROVINCE, CITY, COUNTY = 1, 2, 3

# Statistical groupings in the source list that are not places of their own.
_PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Suffixes stripped to get the short names people write ("广东", "东莞", "义乌").  Longest first.
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "特区",
    "省",
    "市",
    "盟",
    "县",
    "区",
    "旗",
)
_AUTONOMOUS_SUFFIXES = {"自治区": "", "自治州": "州", "自治县": "县", "自治旗": "旗"}

# The 56 民族 as they appear in names of autonomous units ("海西蒙古族藏族自治州", "伊犁哈萨克自治州",
# "隆林各族自治县").  Names of two or more characters also occur without 族.
_NATIONALITIES = (
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "高山",
    "各",
)
_ETHNIC_SUFFIXES = tuple(
    sorted({n + "族" for n in _NATIONALITIES} | {n for n in _NATIONALITIES if len(n) >= 2}, key=len, reverse=True)
)

# Common names that suffix stripping cannot produce.
_EXTRA_ALIASES = {"内蒙": "150000", "神农架": "429021"}

# Characters people put between the parts of a place ("广东 深圳", "广东-东莞", "广东/东莞").
_SEPARATORS = re.compile(r"[\s,，、;；:：/\\|\-—–_·・.。()（）\[\]【】<>《》\"'“”‘’]+")
# A trailing part below county level, which the list does not hold: "广东省东莞市长安镇".
_BELOW_COUNTY = re.compile(r".+(镇|乡|街道|村|社区)")

_MIN_ALIAS_LEN = 2


@dataclass(frozen=True)
class RegionRow:
    code: str  # 6-digit adcode
    name: str  # official full name: 广东省, 东莞市, 义乌市
    level: int  # 1 province, 2 city, 3 county
    parent_code: str | None


@dataclass(frozen=True)
class PlaceMatch:
    province_code: str
    city_code: str | None
    county_code: str | None

    @property
    def code(self) -> str:
        """The most specific code matched."""
        return self.county_code or self.city_code or self.province_code


@dataclass(frozen=True)
class _Index:
    rows: tuple[RegionRow, ...]
    by_code: dict[str, RegionRow]
    ancestors: dict[str, frozenset[str]]  # proper ancestors of each code
    aliases: dict[str, tuple[str, ...]]  # name as written -> codes
    max_alias_len: int


def load_region_rows() -> list[RegionRow]:
    """All provinces, cities and counties, sorted by code (so every parent precedes its children)."""
    return list(_index().rows)


def _read_rows() -> tuple[RegionRow, ...]:
    raw: dict[str, str] = {}
    with DATA_FILE.open(encoding="utf-8-sig", newline="") as fh:
        for rec in csv.DictReader(fh):
            adcode, name = rec["adcode"].strip(), rec["name"].strip()
            if not re.fullmatch(r"\d{12}", adcode) or not name:
                raise ValueError(f"{DATA_FILE.name}: bad row {rec!r}")
            if adcode[6:] != "000000":  # below county level (none in the 2020 file)
                continue
            code = adcode[:6]
            if code in raw:
                raise ValueError(f"{DATA_FILE.name}: duplicate adcode {code}")
            raw[code] = name

    rows: list[RegionRow] = []
    for code in sorted(raw):
        name = raw[code]
        province = code[:2] + "0000"
        if code == province:
            rows.append(RegionRow(code, name, PROVINCE, None))
            continue
        if name in _PLACEHOLDER_NAMES:
            continue
        if province not in raw:
            raise ValueError(f"{DATA_FILE.name}: {code} {name} has no province {province}")
        city = code[:4] + "00"
        if code == city:
            rows.append(RegionRow(code, name, CITY, province))
        else:
            real_city = city in raw and raw[city] not in _PLACEHOLDER_NAMES
            rows.append(RegionRow(code, name, COUNTY, city if real_city else province))
    return tuple(rows)


def _short_names(name: str) -> set[str]:
    """Names people write for an official name: 广东省 -> 广东, 延边朝鲜族自治州 -> 延边 / 延边州."""
    names = {name}
    for suffix in _SUFFIXES:
        if not name.endswith(suffix):
            continue
        core = name[: -len(suffix)]
        if suffix in _AUTONOMOUS_SUFFIXES:
            stripped = True
            while stripped:
                stripped = False
                for eth in _ETHNIC_SUFFIXES:
                    if core.endswith(eth) and len(core) - len(eth) >= _MIN_ALIAS_LEN:
                        core = core[: -len(eth)]
                        stripped = True
                        break
            if _AUTONOMOUS_SUFFIXES[suffix]:
                names.add(core + _AUTONOMOUS_SUFFIXES[suffix])
        if len(core) >= _MIN_ALIAS_LEN:
            names.add(core)
        break
    return {n for n in names if len(n) >= _MIN_ALIAS_LEN}


@functools.cache
def _index() -> _Index:
    rows = _read_rows()
    by_code = {r.code: r for r in rows}
    ancestors: dict[str, frozenset[str]] = {}
    for r in rows:  # parents come first in code order
        ancestors[r.code] = frozenset() if r.parent_code is None else ancestors[r.parent_code] | {r.parent_code}
    alias_sets: dict[str, set[str]] = {}
    for r in rows:
        for alias in _short_names(r.name):
            alias_sets.setdefault(alias, set()).add(r.code)
    for alias, code in _EXTRA_ALIASES.items():
        if code in by_code:
            alias_sets.setdefault(alias, set()).add(code)
    aliases = {a: tuple(sorted(codes)) for a, codes in alias_sets.items()}
    return _Index(rows, by_code, ancestors, aliases, max(map(len, aliases)))


def _normalize(text: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))


def _resolve(idx: _Index, codes: set[str]) -> str | None:
    """One code out of the interpretations of a text, or None when it is genuinely ambiguous.

    A code whose ancestor is also a reading is dropped ("长沙" is 长沙市, not 长沙县 under it; "吉林" is
    the province, not 吉林市).  A bare province name wins over same-named lower units elsewhere
    ("河北" is the province, not 天津市河北区; "海南" not 海南藏族自治州).  Anything else with more than
    one reading ("朝阳": 北京市朝阳区 / 长春市朝阳区 / 辽宁省朝阳市) is ambiguous.
    """
    top = {c for c in codes if not (idx.ancestors[c] & codes)}
    if len(top) == 1:
        return next(iter(top))
    provinces = [c for c in top if idx.by_code[c].level == PROVINCE]
    if len(provinces) == 1:
        return provinces[0]
    return None


@functools.lru_cache(maxsize=65536)
def _match_normalized(text: str) -> PlaceMatch | None:
    if not text:
        return None
    idx = _index()
    n = len(text)
    # spans[i]: (end, codes) for every known name starting at i
    spans: list[list[tuple[int, tuple[str, ...]]]] = []
    for i in range(n):
        here = []
        for j in range(i + _MIN_ALIAS_LEN, min(n, i + idx.max_alias_len) + 1):
            codes = idx.aliases.get(text[i:j])
            if codes:
                here.append((j, codes))
        spans.append(here)

    # Readings: sequences of names, each one a descendant of the one before ("浙江 金华 义乌",
    # "浙江 义乌").  ends[j] holds the last code of every reading of text[:j].
    ends: dict[int, set[str]] = {}

    def walk(i: int, prev: str | None) -> None:
        if i >= n:
            return
        for j, codes in spans[i]:
            for code in codes:
                if prev is None or prev in idx.ancestors[code]:
                    ends.setdefault(j, set()).add(code)
                    if idx.by_code[code].level < COUNTY:
                        walk(j, code)

    walk(0, None)
    if n in ends:
        found = _resolve(idx, ends[n])
    else:
        # Tolerate a trailing town/village ("东莞市长安镇"), taking the longest prefix read.
        found = None
        for j in sorted(ends, reverse=True):
            if _BELOW_COUNTY.fullmatch(text[j:]):
                found = _resolve(idx, ends[j])
                break
    if found is None:
        return None
    row = idx.by_code[found]
    lineage = [idx.by_code[c] for c in idx.ancestors[found]] + [row]
    by_level = {r.level: r.code for r in lineage}
    return PlaceMatch(by_level[PROVINCE], by_level.get(CITY), by_level.get(COUNTY))


def match_place(text: str) -> PlaceMatch | None:
    """Match a free-text place ("广东东莞", "浙江省金华市义乌市", "北京朝阳") to the list.

    Returns the most specific unambiguous match, or None for unknown or ambiguous text; it never
    guesses between two different places.
    """
    if not text:
        return None
    return _match_normalized(_normalize(text))


def _row(code: str) -> RegionRow:
    try:
        return _index().by_code[code]
    except KeyError:
        raise KeyError(f"unknown region code {code!r}") from None


def display_name(code: str) -> str:
    """Full name from the province down: "浙江省金华市义乌市", "上海市浦东新区"."""
    row = _row(code)
    idx = _index()
    lineage = sorted(idx.ancestors[code], key=lambda c: idx.by_code[c].level)
    return "".join(idx.by_code[c].name for c in lineage) + row.name


def province_of(code: str) -> str:
    """Code of the province containing ``code`` (a province is its own province)."""
    row = _row(code)
    while row.parent_code is not None:
        row = _index().by_code[row.parent_code]
    return row.code
