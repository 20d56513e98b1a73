"""Reading a whole file: the upload checks, every sheet with a header (the core's one reader takes .xlsx,
.xls, .ods, WPS .et and .csv, bounded), and read_import(), which validates the rows against the archive and
writes nothing. Rows that are not data (合计, 填表人/审核人 落款) are listed as skipped, never as errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from caretrack import spreadsheets
from caretrack.models import School, SchoolClass
from caretrack.sheet_reading import ReadLimits, SheetFileError, SheetRows, SkippedRow, non_data_reason, read_sheets
from children.importing.columns import EXAMPLE_MARK, LEVEL_CHOICES, MAX_DATA_ROWS
from children.importing.headers import HEADER_SCAN_ROWS, Header, find_header
from children.importing.matching import resolve_rows
from children.importing.parsers import _LEVELS, _choice, parse_class
from children.importing.rows import ImportPreview, RowError, _Context, _read_child, _read_parent, _RowReader
from children.models import ParentRole

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# What a file may ask of the server before a single row is parsed. A small .xlsx can declare a sheet of
# 16,384 columns × 1,048,576 rows, hold a million one-letter shared strings, or unpack to gigabytes; each
# of these tied a worker for minutes. The caps sit well above the largest real school sheet (the template
# has 29 columns; MAX_DATA_ROWS children over a few sheets with titles, headers and footers).
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # all members together, as unpacked
MAX_SHEET_COLUMNS = 60
MAX_SHEET_ROWS = MAX_DATA_ROWS + 1_000  # physical rows, blank ones included: titles, headers, footers
MAX_SHARED_STRINGS = 200_000
# The roster's ImportFileError is the core's sheet error: the bounded reading lives in caretrack/sheet_reading.py
# (also used by the staff import), and the pages catch either name.
ImportFileError = SheetFileError


def roster_limits() -> ReadLimits:
    """The caps above as the core's reader takes them (read at call time, so a test may lower one)."""
    return ReadLimits(
        max_data_rows=MAX_DATA_ROWS,
        what="学生名单",
        max_upload_bytes=MAX_UPLOAD_BYTES,
        max_unpacked_bytes=MAX_UNPACKED_BYTES,
        max_columns=MAX_SHEET_COLUMNS,
        max_shared_strings=MAX_SHARED_STRINGS,
        extra_rows=MAX_SHEET_ROWS - MAX_DATA_ROWS,
    )


def _locate_sheets(sheets: Iterator[SheetRows]) -> Iterator[tuple[SheetRows, Header, Iterator[tuple]]]:
    """Every sheet with a recognisable header (schools often keep one sheet per grade or class), with
    its rows after the header. A sheet without one (instructions, a summary) is passed over."""
    found = False
    for sheet in sheets:
        rows = sheet.rows
        head: list[tuple] = []
        for row in rows:
            head.append(tuple(row))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = find_header(head)
        if header is not None:
            found = True
            yield sheet, header, _chain(head[header.row :], rows)
    if not found:
        raise ImportFileError(
            "没有找到表头：请确认表格前几行中有“姓名”“性别”“出生日期”“班级”等列名（可下载导入模板对照）。"
        )


def check_upload(name: str, size: int) -> None:
    spreadsheets.check_upload(name, size, limits=roster_limits())


def read_import(*, school: School, source, filename: str, today: date | None = None) -> ImportPreview:
    """Validate a sheet against the school's archive. Reads only; raises ImportFileError for a file
    that cannot be used at all."""
    today = today or timezone.localdate()
    parsed: list[tuple[_RowReader, dict, list[str] | None, dict, dict]] = []
    ctx = _Context(
        school=school,
        today=today,
        classes={(c.grade, c.number): c for c in SchoolClass.objects.filter(school=school)},
    )
    sheets: list[tuple[SheetRows, Header]] = []
    skipped: list[SkippedRow] = []
    for sheet, header, rows in _locate_sheets(read_sheets(source, limits=roster_limits(), filename=filename)):
        sheets.append((sheet, header))
        parsed.extend(_parse_rows(sheet.title, header, rows, ctx, already=len(parsed), skipped=skipped))
    if len(sheets) == 1:  # row numbers alone are clear; name sheets only when there are several
        for reader, *_ in parsed:
            reader.sheet = ""
            reader.errors[:] = [RowError(e.row, e.column, e.message) for e in reader.errors]
        skipped = [SkippedRow(s.row, s.reason) for s in skipped]
    rows, elsewhere = resolve_rows(school=school, parsed=parsed)
    columns: list[str] = []
    ignored: list[str] = []
    for _sheet, header in sheets:
        for i in sorted(header.keys):
            if header.keys[i] != "seq" and header.names[i] not in columns:
                columns.append(header.names[i])
        ignored += [name for name in header.ignored if name not in ignored]
    return ImportPreview(
        filename=filename,
        sheet="、".join(sheet.title for sheet, _ in sheets),
        header_row=sheets[0][1].row,
        columns=columns,
        ignored_columns=ignored,
        rows=rows,
        registered_elsewhere=elsewhere,
        skipped=skipped,
    )


def _class_from_sheet_name(sheet: str) -> str | None:
    """A sheet named 三(2)班 in a workbook kept one sheet per class, when the sheet has no 班级 column."""
    try:
        parse_class(sheet)
    except ValidationError:
        return None
    return sheet


def _parse_rows(
    sheet: str, header: Header, rows: Iterator[tuple], ctx: _Context, *, already: int, skipped: list[SkippedRow]
) -> Iterator:
    names = {header.keys[i]: header.names[i] for i in header.keys}
    data_columns = [i for i, key in header.keys.items() if key not in ("seq", "name")]
    sheet_class = None if "school_class" in names else _class_from_sheet_name(sheet)
    if sheet_class:
        names["school_class"] = "工作表名"
    row_number = header.row
    count = already
    for row in rows:
        row_number += 1  # past MAX_SHEET_ROWS, the reader has refused the sheet already
        cells = {key: row[i] if i < len(row) else None for i, key in header.keys.items()}
        reason = non_data_reason(
            row, name=cells.get("name"), others=[row[i] if i < len(row) else None for i in data_columns]
        )
        if reason is not None:
            skipped.append(SkippedRow(row_number, reason, sheet))
            continue
        if _skip(cells):
            continue
        if sheet_class:
            cells["school_class"] = sheet_class
        count += 1
        if count > MAX_DATA_ROWS:
            raise ImportFileError(f"一次最多导入 {MAX_DATA_ROWS} 行，请分成几个文件导入。")
        reader = _RowReader(row_number, cells, names, sheet)
        child, hardships, meta = _read_child(reader, ctx)
        parents = {}
        for role in (ParentRole.FATHER, ParentRole.MOTHER):
            values = _read_parent(reader, ctx, role)
            if values:
                parents[role] = values
        level = reader.parse("guardianship_level", lambda v: _choice(str(v), _LEVELS, "监护类型", LEVEL_CHOICES))
        yield reader, child, hardships, parents, {"level": level, **meta}


def _chain(buffered: list[tuple], rest: Iterator[tuple]) -> Iterator[tuple]:
    yield from buffered
    yield from rest


def _skip(cells: dict) -> bool:
    """Blank rows (also those with text only in columns the import does not read) and the template's
    example row."""
    seq = cells.get("seq")
    if isinstance(seq, str) and seq.strip().startswith(EXAMPLE_MARK):
        return True
    return all(v is None or (isinstance(v, str) and not v.strip()) for k, v in cells.items() if k != "seq")
