"""What the bureau copy must not carry, and how it is taken out.

`scrub(text, known)` is pure: it reads only the text and a `SchoolKnowledge` (every name and stored address
the school holds, built by `reports.privacy_selectors.school_knowledge`), and returns the scrubbed text
with the list of replacements, so the preview the principal reads and the PDF the bureau gets come from
the same call."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from caretrack.names import adult_alias, child_alias

# Digits as schools type them: ASCII or full-width (１３８…).
_D = "[0-9０-９]"
# One optional separator between digits: one or two spaces (also ideographic ones), a dash or a dot, in
# ASCII or full-width forms.
_SEP = "(?:[ \u3000]{1,2}|[\\-－‐—.．·])?"


def _spaced(*parts: str) -> str:
    """Digit patterns joined so that a separator (_SEP) may stand between any two of them."""
    return _SEP.join(parts)


# An ID number: 17 digits and a check character, typed in one run or in groups ("431224 20170302 0071").
_ID_NUMBER = re.compile(r"(?<![0-9０-９])" + _spaced(*[_D] * 17, "[0-9０-９XxＸｘ]") + r"(?![0-9０-９])")
# A mobile number: 1[3-9] and nine more digits, in groups or not ("138 1234 5678", "138-1234-5679").
_MOBILE = re.compile(r"(?<![0-9０-９])" + _spaced("[1１]", "[3-9３-９]", *[_D] * 9) + r"(?![0-9０-９])")
# A landline with its area code: 0745-1234567, (0745)12345678, 0745 1234567.
_LANDLINE = re.compile(r"(?<![0-9０-９])[(（]?[0０]" + _D + r"{2,3}[)）]?" + _SEP + _D + r"{7,8}(?![0-9０-９])")

_NUMERAL = "(?:[0-9０-９]+|[一二三四五六七八九十百零〇两]+)"
# Characters that end the run before a village's name: the county, town and words such as 家住/位于.
_BEFORE_PLACE = "省市县区镇乡街道住在于到的是和与从去回往自家了向至及为们个名位"
_PLACE_NAME = f"[\u4e00-\u9fff](?<![{_BEFORE_PLACE}])"
# "青山村3组15号", "青山村三组", "幸福社区5号": a village or community followed by a 组 or a house number.
_VILLAGE_RUN = re.compile(
    f"(?:{_PLACE_NAME}){{1,4}}(?P<place>村|社区|居委会)(?:{_NUMERAL}(?:组|队|社)(?:{_NUMERAL}号)?|{_NUMERAL}号)"
)
# "3组15号" without its village: a 组 followed by a house number is an address whatever comes before.
_GROUP_HOUSE = re.compile(f"{_NUMERAL}(?:组|队){_NUMERAL}号")
# A flat in town: "5栋302室", "3幢2单元401号".
_FLAT = re.compile(f"{_NUMERAL}(?:栋|幢)(?:{_NUMERAL}单元)?{_NUMERAL}(?:室|号)")
# Where the part of a stored address below the town begins (溆浦县龙潭镇|白马岭村2组8号).
_BELOW_TOWN = re.compile("^.*(?:县|镇|乡|街道)")
# Words ending in 村 that name no village.
_NOT_VILLAGES = {"农村", "乡村", "本村", "全村", "该村", "各村", "邻村", "同村", "外村", "新农村", "山村", "村村"}
_VILLAGE_NAME = re.compile(f"(?:{_PLACE_NAME}){{2,4}}(?:村|社区)")

# Surnames of two characters: 欧阳娜娜 becomes 欧阳同学, not 欧同学.


class Kind:
    CHILD_NAME = "child_name"
    ADULT_NAME = "adult_name"
    ADDRESS = "address"
    VILLAGE = "village"
    PHONE = "phone"
    ID_NUMBER = "id_number"


KIND_LABELS = {
    Kind.CHILD_NAME: "学生姓名",
    Kind.ADULT_NAME: "家长/监护人姓名",
    Kind.ADDRESS: "住址",
    Kind.VILLAGE: "村组门牌",  # also a flat's 栋/单元/室
    Kind.PHONE: "电话号码",
    Kind.ID_NUMBER: "身份证号",
}


@dataclass(frozen=True)
class SchoolKnowledge:
    """Every name and address the school keeps: its children's, and their parents', grandparents' and
    guardians' (current and past)."""

    child_names: frozenset[str] = frozenset()
    adult_names: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()

    # Built once per school and reused for every piece of the report (a school has thousands of names).
    @functools.cached_property
    def names_pattern(self) -> re.Pattern | None:
        return _names_pattern(set(self.child_names) | set(self.adult_names))

    @functools.cached_property
    def villages_pattern(self) -> re.Pattern | None:
        villages = _known_villages(self.addresses)
        if not villages:
            return None
        return re.compile("|".join(re.escape(v) for v in sorted(villages, key=len, reverse=True)))

    @functools.cached_property
    def sorted_addresses(self) -> list[str]:
        """The stored addresses, and their part below the town when it carries a number (a narrative says
        白马岭村2组8号 more often than 溆浦县龙潭镇白马岭村2组8号), longest first."""
        found = set()
        for address in self.addresses:
            address = address.strip()
            tail = _BELOW_TOWN.sub("", address)
            found.update(a for a in (address, tail) if len(a) >= 4 and (a == address or re.search(_NUMERAL, a)))
        return sorted(found, key=len, reverse=True)


@dataclass(frozen=True)
class Replacement:
    original: str
    replacement: str
    kind: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class ScrubResult:
    text: str
    replacements: tuple[Replacement, ...]


def scrub_identifiers(text: str) -> str:
    """Mask ID and phone numbers however typed (spaces, dashes, full-width digits), one * per character."""
    for pattern in (_ID_NUMBER, _MOBILE, _LANDLINE):
        text = pattern.sub(lambda m: "*" * len(m.group(0)), text)
    return text


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    replacement: str
    kind: str


def _names_pattern(names: set[str]) -> re.Pattern | None:
    """One alternation, longest names first, so 王小明 is taken whole before a shorter 王小 can match inside it.
    One-character names are ignored (they would hit every other word). A name is only matched whole: never
    inside a run of ASCII letters or digits (学生1 in 学生12)."""
    usable = sorted({n for n in names if len(n) >= 2}, key=lambda n: (-len(n), n))
    if not usable:
        return None
    alternatives = "|".join(re.escape(n) for n in usable)
    return re.compile(f"(?<![0-9A-Za-z０-９])(?:{alternatives})(?![0-9A-Za-z０-９])")


def _known_villages(addresses: frozenset[str]) -> set[str]:
    """The villages and communities named in the stored addresses (溆浦县青山村3组 → 青山村)."""
    found = set()
    for address in addresses:
        for match in _VILLAGE_NAME.finditer(address):
            # The name starts after the county or town (县, 镇 … end the run), so 溆浦县青山村 gives 青山村.
            if match.group(0) not in _NOT_VILLAGES:
                found.add(match.group(0))
    return found


def _spans(text: str, known: SchoolKnowledge) -> list[_Span]:
    spans: list[_Span] = []

    def add(pattern: re.Pattern, kind: str, replace) -> None:
        for m in pattern.finditer(text):
            spans.append(_Span(m.start(), m.end(), replace(m), kind))

    add(_ID_NUMBER, Kind.ID_NUMBER, lambda m: "*" * 18)
    add(_MOBILE, Kind.PHONE, lambda m: "*" * 11)
    add(_LANDLINE, Kind.PHONE, lambda m: "*" * len(re.sub(r"\D", "", m.group(0))))
    for address in known.sorted_addresses:
        start = text.find(address)
        while start != -1:
            spans.append(_Span(start, start + len(address), "某地", Kind.ADDRESS))
            start = text.find(address, start + len(address))
    for m in _VILLAGE_RUN.finditer(text):
        name = text[m.start() : m.start("place")] + m.group("place")
        if name not in _NOT_VILLAGES:
            spans.append(_Span(m.start(), m.end(), f"某{m.group('place')}", Kind.VILLAGE))
    add(_GROUP_HOUSE, Kind.VILLAGE, lambda m: "某组")
    add(_FLAT, Kind.VILLAGE, lambda m: "某号")
    if known.villages_pattern is not None:
        add(known.villages_pattern, Kind.VILLAGE, lambda m: "某村" if m.group(0).endswith("村") else "某社区")
    if known.names_pattern is not None:
        for m in known.names_pattern.finditer(text):
            name = m.group(0)
            if name in known.child_names:  # a name both a child's and an adult's is treated as a child's
                end = m.end() + (2 if text.startswith("同学", m.end()) else 0)  # 王小明同学 → 王同学
                spans.append(_Span(m.start(), end, child_alias(name), Kind.CHILD_NAME))
            else:
                spans.append(_Span(m.start(), m.end(), adult_alias(name), Kind.ADULT_NAME))
    return spans


def _merge(spans: list[_Span]) -> list[_Span]:
    """Overlapping finds become one replacement covering all of them (nothing half-replaced leaks), named
    after the longest find: a name inside a stored address goes with the address."""
    merged: list[list[_Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < max(s.end for s in merged[-1]):
            merged[-1].append(span)
        else:
            merged.append([span])
    result = []
    for group in merged:
        main = max(group, key=lambda s: s.end - s.start)
        result.append(_Span(group[0].start, max(s.end for s in group), main.replacement, main.kind))
    return result


def scrub(text: str, known: SchoolKnowledge) -> ScrubResult:
    """The text with every child's name as 王同学, every parent's, grandparent's and guardian's as 王某,
    stored addresses as 某地, villages with their 组/号 as 某村, and ID and phone numbers however typed as
    asterisks; and each replacement made, in the order of the text."""
    if not text:
        return ScrubResult(text or "", ())
    parts, replacements, position = [], [], 0
    for span in _merge(_spans(text, known)):
        parts += [text[position : span.start], span.replacement]
        replacements.append(Replacement(text[span.start : span.end], span.replacement, span.kind))
        position = span.end
    parts.append(text[position:])
    return ScrubResult("".join(parts), tuple(replacements))


def summarize(replacements) -> list[tuple[Replacement, int]]:
    """Each distinct replacement once, with how many times it was made, in order of first appearance."""
    counts: dict[Replacement, int] = {}
    for r in replacements:
        counts[r] = counts.get(r, 0) + 1
    return list(counts.items())
