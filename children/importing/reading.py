"""Reading a whole file: the upload checks, opening the workbook safely, every sheet with a header, and
read_import(), which validates the rows against the archive and writes nothing."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO
from zipfile import BadZipFile, ZipFile

from django.core.exceptions import ValidationError
from django.utils import timezone

from caretrack.models import School, SchoolClass
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
MAX_CELLS = MAX_SHEET_ROWS * MAX_SHEET_COLUMNS  # over every sheet of the workbook

_CHUNK = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>")
_COUNT_ATTRS = re.compile(rb"\b(?:count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


class ImportFileError(Exception):
    """The file as a whole cannot be read: one clear Chinese message, nothing written."""


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _declared_extent(ref: str) -> tuple[int, int] | None:
    """(columns, rows) of a <dimension ref="A1:XFD1048576">, None when it cannot be read."""
    ends = [_REF.fullmatch(part.strip()) for part in ref.split(":")]
    if not ends or not all(ends):
        return None
    return _column_number(ends[-1].group(1)), int(ends[-1].group(2))


def _too_big(what: str) -> ImportFileError:
    return ImportFileError(f"{what}，系统无法处理。请只保留学生名单所在的工作表和列，删除多余的行、列和格式后重试。")


def _check_limits(source) -> None:
    """Bound the work before openpyxl parses anything: the unpacked sizes as the zip declares them (zipfile
    never reads past them), each sheet's declared <dimension>, the shared strings' declared count, and then
    one pass over the XML counting rows, cells and shared strings as they really are. Regular expressions
    over bytes: a 50 MB sheet is scanned in a fraction of a second and in flat memory."""
    try:
        archive = ZipFile(source)
    except (BadZipFile, OSError, ValueError):
        return  # load_workbook below gives the clear message
    try:
        members = archive.infolist()
        if sum(item.file_size for item in members) > MAX_UNPACKED_BYTES:
            raise ImportFileError(
                f"文件内容过大（解压后超过 {MAX_UNPACKED_BYTES // 1024 // 1024} MB），请删除无关的工作表、图片后重试。"
            )
        rows = cells = strings = 0
        for item in members:
            if not item.filename.lower().endswith(".xml"):
                continue
            r, c, s = _scan_member(archive, item)
            rows, cells, strings = rows + r, cells + c, strings + s
            if rows > MAX_SHEET_ROWS or cells > MAX_CELLS:
                raise _too_big(f"表格内容过多（超过 {MAX_SHEET_ROWS} 行或 {MAX_CELLS} 个单元格）")
            if strings > MAX_SHARED_STRINGS:
                raise _too_big(f"表格中的文字条目过多（超过 {MAX_SHARED_STRINGS} 条）")
    except (BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return  # a broken member: load_workbook below gives the clear message
    finally:
        archive.close()
        if hasattr(source, "seek"):
            source.seek(0)


def _scan_member(archive: ZipFile, item) -> tuple[int, int, int]:
    """Rows, cells and shared strings in one XML member, refusing as soon as a declared or counted figure
    is beyond the caps (a row with more cells than MAX_SHEET_COLUMNS too)."""
    rows = cells = strings = 0
    carry = b""
    first = True
    with archive.open(item) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = carry + chunk
            if first:
                first = False
                _check_declarations(data[:65536])
            if chunk:
                cut = data.rfind(b"<")  # every pattern starts with "<": none spans the cut
                if cut <= 0 or len(data) - cut > _CHUNK:
                    cut = len(data)
                data, carry = data[:cut], data[cut:]
            pieces = _ROW.split(data)  # the first piece ends the previous chunk's last row
            rows += len(pieces) - 1
            for piece in pieces:
                in_row = len(_CELL.findall(piece))
                if in_row > MAX_SHEET_COLUMNS:
                    raise _too_big(f"工作表中有一行超过 {MAX_SHEET_COLUMNS} 列")
                cells += in_row
            strings += len(_SHARED_STRING.findall(data))
            if rows > MAX_SHEET_ROWS or cells > MAX_CELLS or strings > MAX_SHARED_STRINGS:
                break  # the caller says which
            if not chunk:
                break
    return rows, cells, strings


def _check_declarations(head: bytes) -> None:
    found = _DIMENSION.search(head)
    if found:
        extent = _declared_extent(found.group(1).decode("ascii", "replace"))
        if extent is not None:
            columns, rows = extent
            if columns > MAX_SHEET_COLUMNS:
                raise _too_big(f"工作表的范围有 {columns} 列（最多 {MAX_SHEET_COLUMNS} 列）")
            if rows > MAX_SHEET_ROWS:
                raise _too_big(f"工作表的范围有 {rows} 行（最多 {MAX_SHEET_ROWS} 行）")
    found = _SST.search(head)
    if found:
        declared = max((int(n) for n in _COUNT_ATTRS.findall(found.group(1))), default=0)
        if declared > MAX_SHARED_STRINGS:
            raise _too_big(f"表格中的文字条目过多（{declared} 条，最多 {MAX_SHARED_STRINGS} 条）")


def _open_workbook(source: str | Path | BinaryIO):
    from openpyxl import load_workbook

    _check_limits(source)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise ImportFileError("无法读取该文件：请上传用 Excel 或 WPS 保存的 .xlsx 文件（不支持 .xls 或 .csv）。") from e
    except Exception as e:  # openpyxl raises assorted errors on broken files
        raise ImportFileError("无法读取该文件：文件已损坏或不是 .xlsx 格式。") from e


def _locate_sheets(workbook) -> Iterator[tuple[object, Header, Iterator[tuple]]]:
    """Every sheet with a recognisable header (schools often keep one sheet per grade or class), with
    its rows after the header. A sheet without one (instructions, a summary) is passed over."""
    found = False
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # chart sheets
        sheet.reset_dimensions()
        # A file without a <dimension> (or with a false one) is bounded here too: columns past the cap are
        # never built, and reading stops one row past the cap (_parse_rows refuses it).
        rows = sheet.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS, max_row=MAX_SHEET_ROWS + 1)
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
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError("只能导入 .xlsx 格式的 Excel 文件。若是 .xls 或 WPS 的 .et 文件，请先“另存为” .xlsx。")
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），请不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
        )
    if size == 0:
        raise ImportFileError("文件是空的。")


def read_import(*, school: School, source, filename: str, today: date | None = None) -> ImportPreview:
    """Validate a sheet against the school's archive. Reads only; raises ImportFileError for a file
    that cannot be used at all."""
    today = today or timezone.localdate()
    workbook = _open_workbook(source)
    parsed: list[tuple[_RowReader, dict, list[str] | None, dict, dict]] = []
    ctx = _Context(
        school=school,
        today=today,
        classes={(c.grade, c.number): c for c in SchoolClass.objects.filter(school=school)},
    )
    sheets: list[tuple[object, Header]] = []
    try:
        for sheet, header, rows in _locate_sheets(workbook):
            sheets.append((sheet, header))
            parsed.extend(_parse_rows(sheet.title, header, rows, ctx, already=len(parsed)))
    finally:
        workbook.close()
    if len(sheets) == 1:  # row numbers alone are clear; name sheets only when there are several
        for reader, *_ in parsed:
            reader.sheet = ""
            reader.errors[:] = [RowError(e.row, e.column, e.message) for e in reader.errors]
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
    )


def _class_from_sheet_name(sheet: str) -> str | None:
    """A sheet named 三(2)班 in a workbook kept one sheet per class, when the sheet has no 班级 column."""
    try:
        parse_class(sheet)
    except ValidationError:
        return None
    return sheet


def _parse_rows(sheet: str, header: Header, rows: Iterator[tuple], ctx: _Context, *, already: int) -> Iterator:
    names = {header.keys[i]: header.names[i] for i in header.keys}
    sheet_class = None if "school_class" in names else _class_from_sheet_name(sheet)
    if sheet_class:
        names["school_class"] = "工作表名"
    row_number = header.row
    count = already
    for row in rows:
        row_number += 1
        if row_number > MAX_SHEET_ROWS:
            raise _too_big(f"工作表“{sheet}”超过 {MAX_SHEET_ROWS} 行（含空行）")
        cells = {key: row[i] if i < len(row) else None for i, key in header.keys.items()}
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
    """Blank rows, footers ("填表人：…" in a column the import does not read) and the template's
    example row."""
    seq = cells.get("seq")
    if isinstance(seq, str) and seq.strip().startswith(EXAMPLE_MARK):
        return True
    return all(v is None or (isinstance(v, str) and not v.strip()) for k, v in cells.items() if k != "seq")
