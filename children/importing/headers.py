"""Finding the header of a sheet: a title row or two above it, a two-level header with merged group cells."""

from __future__ import annotations

import re
from dataclasses import dataclass

from children.importing.columns import (
    _GROUPS,
    _is_known_extra,
    _normalize_header,
    _without_remarks,
    column_key,
    group_owns,
)

HEADER_SCAN_ROWS = 15
MIN_HEADER_COLUMNS = 3


@dataclass
class Header:
    row: int  # 1-based row number of the (lower) header row
    keys: dict[int, str]  # column index -> column key
    names: dict[int, str]  # column index -> header as written (for error messages)
    ignored: list[str]  # headers that mean nothing to the import
    levels: int = 1  # 2 for a two-level header (group cells in the row above)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _combine(upper: tuple, lower: tuple) -> list[str]:
    """Header texts for a two-level header: the group of a merged cell above (merged cells are empty except
    the first, so a group carries to the right until the next header) joined to the sub-header below; a cell
    merged down (empty below) keeps the text above."""
    width = max(len(upper), len(lower))
    out: list[str] = []
    group: str | None = None  # the prefix of the group above; None under no group the import knows
    for i in range(width):
        up = _text(upper[i]) if i < len(upper) else ""
        low = _text(lower[i]) if i < len(lower) else ""
        if up:
            group = _group_prefix(up)
        if not low:
            out.append(up)
        elif group is None:
            out.append(low)
        else:
            out.append(_sub_header(group, low))
    return out


def _group_prefix(text: str) -> str | None:
    normalized = _normalize_header(text)
    prefix = _GROUPS.get(normalized)
    return prefix if prefix is not None else _GROUPS.get(_without_remarks(normalized))


def _sub_header(prefix: str, low: str) -> str:
    """A sub-header under a known group: "姓名" under 父亲情况 is 父亲姓名. One that makes no known column with
    its group is not read as the bare sub-header when that means another group's column: "身份证号" or "住址"
    under 父亲情况 is the father's, never the child's."""
    if not prefix:
        return low
    combined = prefix + low
    if column_key(combined):
        return combined
    key = column_key(low)
    if key is not None and group_owns(prefix, key):
        return low  # written in full already: "父亲姓名" under 父亲情况
    return combined


def _map_headers(texts: list[str]) -> dict[int, str]:
    keys: dict[int, str] = {}
    seen: set[str] = set()
    for i, text in enumerate(texts):
        key = column_key(text)
        if key and key not in seen:
            keys[i] = key
            seen.add(key)
    return keys


def find_header(rows: list[tuple]) -> Header | None:
    """The header among the first rows: the row (alone, or with the row above as group headers) that
    names the most known columns, including 姓名. None when no row names at least three."""
    best: Header | None = None
    best_score = 0
    for i, row in enumerate(rows):
        candidates = [(1, [_text(v) for v in row])]
        if i > 0:
            candidates.append((2, _combine(rows[i - 1], row)))
        for levels, texts in candidates:
            keys = _map_headers(texts)
            if "name" not in keys.values() or len(keys) < MIN_HEADER_COLUMNS:
                continue
            if len(keys) > best_score:
                best_score = len(keys)
                ignored = [t for j, t in enumerate(texts) if t and j not in keys and not _is_known_extra(t)]
                best = Header(
                    row=i + 1,
                    keys=keys,
                    names={j: re.sub(r"\s+", "", texts[j]) for j in keys},
                    ignored=ignored,
                    levels=levels,
                )
    return best
