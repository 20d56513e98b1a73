"""Reading an uploaded spreadsheet within bounds, whatever program saved it: .xlsx/.xlsm (Excel, WPS), .xls
(Excel 97-2003, also WPS .et), .ods (LibreOffice, WPS) and .csv (UTF-8 with or without BOM, GBK/GB18030,
UTF-16; comma, tab or semicolon). The staff import and the archive's roster import read here.

The format is taken from the file's CONTENT (a school renames 名单.xls to 名单.xlsx, or WPS saves an .et that
is an .xls inside); the name's extension only words the messages. Every sheet comes out as (title, rows of
value tuples at most `max_columns` wide), rows numbered from the sheet's first row, empty cells as None,
whole-number floats as int, dates as date/datetime, merged cells holding their value in the top-left cell
only (the header detection relies on that).

A small file can ask a lot: an .xlsx that declares a sheet of 16,384 columns × 1,048,576 rows, holds a
million one-letter shared strings, puts one cell at XFD1048576 or unpacks to gigabytes; an .ods whose cell
holding a value says it repeats over 16,384 columns and 1,048,576 rows. Each of these tied a worker for
minutes or killed it (a reader materialises every cell of the sheet's extent). So a zip upload is bounded
before the sheet parser sees it (the zip's declared sizes, then one streaming pass over each sheet's XML
counting rows, cells, strings and the extent the cells reach), an .xls by its sheets' extent before any
cell becomes a Python value, a .csv while it is read, and every format by ReadLimits.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from zipfile import BadZipFile, ZipFile

import olefile

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et", ".csv")
FORMATS_LABEL = ".xlsx、.xls、.ods、.csv"  # what the forms and messages name
UPLOAD_ACCEPT = ",".join(UPLOAD_SUFFIXES)  # the file input's accept attribute

ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PASSWORD_MESSAGE = "该文件设置了打开密码：请在 Excel 或 WPS 中取消密码后再导入。"
WPS_MESSAGE = "无法读取该 WPS 表格（.et）文件：请在 WPS 中“另存为” .xlsx 或 .xls 后再导入。"
# Whole-number floats below this become int (序号 1.0 → 1, 出生年月 201503.0 → 201503); an ID number stored as
# a number (4.31224201503021e17) stays a float, which the ID check names as a number that lost its digits.
_EXACT_INT = 1e15


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
    max_field_chars: int = 32_767  # Excel's own limit for one cell

    @property
    def max_rows(self) -> int:
        return self.max_data_rows + self.extra_rows

    @property
    def max_cells(self) -> int:
        return self.max_rows * self.max_columns


@dataclass(frozen=True)
class SheetRows:
    """One sheet of an upload: its title and its rows (an iterator, read once)."""

    title: str
    rows: Iterator[tuple]


def check_upload(name: str, size: int, *, limits: ReadLimits) -> None:
    """The checks made before the file is stored: a spreadsheet's name, not empty, not over the size cap."""
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise SheetFileError(
            f"只能导入 Excel 表格文件（{FORMATS_LABEL}，也可以是 WPS 的 .et）。"
            "若是其他格式，请先用 Excel 或 WPS 打开后“另存为” .xlsx。"
        )
    _check_size(size, limits)


def _check_size(size: int, limits: ReadLimits) -> None:
    if size > limits.max_upload_bytes:
        raise SheetFileError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），请不超过 {limits.max_upload_bytes // 1024 // 1024} MB。"
        )
    if size == 0:
        raise SheetFileError("文件是空的。")


_CHUNK = 1024 * 1024


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


def _too_many_rows(title: str, limits: ReadLimits) -> SheetFileError:
    where = f"工作表“{title}”" if title else "工作表"
    return too_big(f"{where}超过 {limits.max_rows} 行（含空行）", limits)


def _too_wide(title: str, rows: int, columns: int, limits: ReadLimits) -> SheetFileError:
    where = f"工作表“{title}”" if title else "工作表"
    return too_big(f"{where}的范围过大（{rows} 行 × {columns} 列）", limits)


# --- Which format -------------------------------------------------------------------------------------


def sniff_format(source: str | Path | BinaryIO) -> str:
    """"xlsx", "ods", "xls" or "text", from the content; a zip that is neither workbook raises."""
    with _opened(source) as fh:
        head = fh.read(8)
        fh.seek(0)
        if head.startswith(OLE2_SIGNATURE[:4]):
            return "xls"
        if head.startswith(b"PK"):
            try:
                with ZipFile(fh) as archive:
                    names = set(archive.namelist())
                    mimetype = archive.read("mimetype")[:100].strip() if "mimetype" in names else b""
            except (BadZipFile, OSError, ValueError, KeyError, EOFError, zlib.error, NotImplementedError) as e:
                raise SheetFileError("无法读取该文件：文件已损坏（压缩包不完整），请重新保存后再导入。") from e
            finally:
                fh.seek(0)
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "content.xml" in names and mimetype.startswith(ODS_MIME):
                return "ods"
            if "word/document.xml" in names or mimetype.startswith(b"application/vnd.oasis.opendocument.text"):
                raise SheetFileError("这是文字文档（Word 或 WPS 文字），不是表格：请上传 Excel 或 WPS 表格文件。")
            raise SheetFileError(f"无法读取该文件：它不是 Excel 表格（{FORMATS_LABEL}）。")
        return "text"


class _opened:
    """A context giving a binary file object for a path or an already open file (left open, rewound)."""

    def __init__(self, source):
        self.source = source
        self.own = not hasattr(source, "read")

    def __enter__(self) -> BinaryIO:
        self.fh = open(self.source, "rb") if self.own else self.source
        if not self.own:
            self.fh.seek(0)
        return self.fh

    def __exit__(self, *exc) -> None:
        if self.own:
            self.fh.close()
        else:
            self.fh.seek(0)


def _size(source) -> int:
    if hasattr(source, "read"):
        position = source.tell()
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(position)
        return size
    return Path(source).stat().st_size


# --- Reading ------------------------------------------------------------------------------------------


def read_sheets(source: str | Path | BinaryIO, *, limits: ReadLimits, filename: str = "") -> Iterator[SheetRows]:
    """Every worksheet of the upload (chart sheets have no rows), bounded by `limits`. Raises SheetFileError
    for a file that cannot be used, before the first sheet or while its rows are read."""
    _check_size(_size(source), limits)
    kind = sniff_format(source)
    suffix = Path(filename).suffix.lower()
    if kind == "text":
        if suffix in (".xlsx", ".xlsm", ".ods"):  # a zip by its name: text inside is a broken file, not a CSV
            raise _unreadable("ods" if suffix == ".ods" else "xlsx", suffix)
        yield from _text_sheets(source, limits=limits, filename=filename)
        return
    if kind == "xlsx":
        check_limits(source, limits)
    elif kind == "ods":
        check_ods_limits(source, limits)
    elif kind == "xls":
        check_xls_limits(source, limits)
    yield from _calamine_sheets(source, kind, suffix, limits)


def _calamine_sheets(source, kind: str, suffix: str, limits: ReadLimits) -> Iterator[SheetRows]:
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

    try:
        if hasattr(source, "read"):
            source.seek(0)
            workbook = CalamineWorkbook.from_filelike(source)
        else:
            workbook = CalamineWorkbook.from_path(str(source))
    except PasswordError as e:
        raise SheetFileError(PASSWORD_MESSAGE) from e
    except Exception as e:  # the parser raises assorted errors on broken files
        raise _unreadable(kind, suffix) from e
    with workbook:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
            except Exception as e:
                raise _unreadable(kind, suffix) from e
            end = sheet.end
            if end is None:
                yield SheetRows(meta.name, iter(()))
                continue
            height, width = end[0] + 1, end[1] + 1
            if height > limits.max_rows:
                raise _too_many_rows(meta.name, limits)
            if height * width > 4 * limits.max_cells:  # a few stray cells far right are ignored, not refused
                raise _too_wide(meta.name, height, width, limits)
            data = sheet.to_python(skip_empty_area=False)
            del sheet
            yield SheetRows(meta.name, _clean_rows(data, limits.max_columns))


def _unreadable(kind: str, suffix: str) -> SheetFileError:
    if suffix == ".et":
        return SheetFileError(WPS_MESSAGE)
    if kind == "xls":
        return SheetFileError(
            "无法读取该 .xls 文件：文件已损坏或不是 Excel 97-2003 工作簿。"
            "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。"
        )
    label = {"xlsx": ".xlsx", "ods": ".ods"}[kind]
    return SheetFileError(f"无法读取该文件：文件已损坏或不是有效的 {label} 表格，请用 Excel 或 WPS 重新保存后再导入。")


def _clean_rows(data: list[list], width: int) -> Iterator[tuple]:
    for row in data:
        yield tuple(
            [
                None
                if value == ""
                else int(value)
                if type(value) is float and value.is_integer() and -_EXACT_INT < value < _EXACT_INT
                else value
                for value in row[:width]
            ]
        )


# --- CSV and other text -------------------------------------------------------------------------------

_HTML = re.compile(r"\s*<(?:!doctype\s+html|html|table|\?xml)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _decode(data: bytes) -> str:
    """UTF-16 with its BOM, UTF-8 (BOM or not), else GB18030 (which reads GBK and GB2312)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetFileError(
        "无法读取该文件：它不是 Excel 表格，也不是能识别编码（UTF-8 或 GBK）的 CSV 文本。"
        "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。"
    )


def _text_sheets(source, *, limits: ReadLimits, filename: str) -> Iterator[SheetRows]:
    with _opened(source) as fh:
        data = fh.read(limits.max_upload_bytes + 1)
    text = _decode(data)
    del data
    head = text[:4096]
    if _CONTROL.search(head) and len(_CONTROL.findall(head)) * 100 > len(head):
        raise SheetFileError(f"无法读取该文件：它不是 Excel 表格（{FORMATS_LABEL}），也不是 CSV 文本文件。")
    if _HTML.match(head):
        raise SheetFileError(
            "该文件实际是网页（HTML/XML）格式，只是用了表格的扩展名：请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。"
        )
    title = Path(filename).stem if filename else "CSV"
    yield SheetRows(title, _csv_rows(text, _delimiter(text), limits))


def _delimiter(text: str) -> str:
    sample = text[:16384]
    cut = sample.rfind("\n")
    if cut > 0:
        sample = sample[:cut]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        return ","


def _csv_rows(text: str, delimiter: str, limits: ReadLimits) -> Iterator[tuple]:
    width, max_rows, max_field = limits.max_columns, limits.max_rows, limits.max_field_chars
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for row in reader:
            number += 1
            if number > max_rows:
                raise _too_many_rows("", limits)
            cells = row[:width]
            for value in cells:
                if len(value) > max_field:
                    raise too_big(f"第{number}行有一个单元格超过 {max_field} 个字", limits)
            yield tuple([value or None for value in cells])
    except csv.Error as e:  # a field over the csv module's own size cap, a NUL byte
        if "field limit" in str(e):
            raise too_big(f"第{number + 1}行有一个单元格超过 {max_field} 个字", limits) from e
        raise SheetFileError(
            f"无法读取该 CSV 文件（第{number + 1}行格式不正确或单元格过长）："
            "请用 Excel 或 WPS 打开后“另存为” .xlsx 再导入。"
        ) from e


# --- The .xlsx pre-scan -------------------------------------------------------------------------------

_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>")
_COUNT_ATTRS = re.compile(rb"\b(?:count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[\w.-]+:)?c[\s>/]")
_SHARED_STRING = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_PREFIXED_CELL = re.compile(rb"<[\w.-]+:c[\s>/]")


def _count_cells(piece: bytes) -> int:
    """How many <c> elements (what _CELL finds, for XML without a prefix on them)."""
    count = piece.count
    return count(b"<c ") + count(b"<c>") + count(b"<c/") + count(b"<c\n") + count(b"<c\t") + count(b"<c\r")
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_SHEET_ENTRY = re.compile(rb"<(?:[\w.-]+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb"([\w.:-]+)\s*=\s*[\"']([^\"']*)[\"']")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")


@functools.cache
def _far_patterns(digits: int, spaced: bool) -> tuple[re.Pattern, re.Pattern]:
    equals = rb"r\s*=\s*" if spaced else rb"r="
    far_row = re.compile(equals + rb"[\"']\$?[A-Za-z]{0,4}\$?(\d{%d,})" % digits)
    wide = re.compile(equals + rb"[\"']\$?([A-Za-z]{2,4})\$?\d")
    return far_row, wide


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


def _check_unpacked(archive: ZipFile, limits: ReadLimits) -> list:
    members = archive.infolist()
    if sum(item.file_size for item in members) > limits.max_unpacked_bytes:
        raise SheetFileError(
            f"文件内容过大（解压后超过 {limits.max_unpacked_bytes // 1024 // 1024} MB），"
            "请删除无关的工作表、图片后重试。"
        )
    return members


def _sheet_titles(archive: ZipFile) -> dict[str, str]:
    """Member name (xl/worksheets/sheet1.xml) → the sheet's title, for the messages ("" when unknown)."""
    try:
        workbook = archive.read("xl/workbook.xml")[: 4 * _CHUNK]
        rels = archive.read("xl/_rels/workbook.xml.rels")[: 4 * _CHUNK]
    except (KeyError, OSError, BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError):
        return {}
    targets = {}
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace").lstrip("/")
        targets[attrs.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
    titles = {}
    for tag in _SHEET_ENTRY.findall(workbook):
        attrs = {k.split(b":")[-1] if k.endswith(b":id") else k: v for k, v in _ATTR.findall(tag)}
        target = targets.get(attrs.get(b"id", b""))
        if target:
            name = attrs.get(b"name", b"").decode("utf-8", "replace")
            titles[target] = _unescape(name)
    return titles


_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def check_limits(source, limits: ReadLimits) -> None:
    """Refuse an .xlsx whose declared or real size is over `limits`, before it is parsed."""
    try:
        archive = ZipFile(source)
    except (BadZipFile, OSError, ValueError):
        return  # the sheet parser gives the clear message
    try:
        members = _check_unpacked(archive, limits)
        titles = _sheet_titles(archive)
        rows = cells = strings = 0
        for item in members:
            if not item.filename.lower().endswith(".xml"):
                continue
            title = titles.get(item.filename, "")
            r, c, s = _scan_member(archive, item, limits, title, sheet=item.filename.startswith("xl/worksheets/"))
            rows, cells, strings = rows + r, cells + c, strings + s
            if rows > limits.max_rows or cells > limits.max_cells:
                raise too_big(f"表格内容过多（超过 {limits.max_rows} 行或 {limits.max_cells} 个单元格）", limits)
            if strings > limits.max_shared_strings:
                raise too_big(f"表格中的文字条目过多（超过 {limits.max_shared_strings} 条）", limits)
    except (BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return  # a broken member: the sheet parser gives the clear message
    finally:
        archive.close()
        if hasattr(source, "seek"):
            source.seek(0)


def _scan_member(archive: ZipFile, item, limits: ReadLimits, title: str, *, sheet: bool) -> tuple[int, int, int]:
    rows = cells = strings = 0
    last_row = last_column = 0
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
            plain = not _PREFIXED_CELL.search(data)  # cells as <c …>: counted by bytes.count, much faster
            for piece in pieces:
                in_row = _count_cells(piece) if plain else len(_CELL.findall(piece))
                if in_row > limits.max_columns:
                    raise too_big(f"工作表中有一行超过 {limits.max_columns} 列", limits)
                cells += in_row
            strings += len(_SHARED_STRING.findall(data))
            if sheet:
                # The sheet parser makes every cell of the extent the cells reach: one cell at XFD1048576
                # is 17 billion cells. Rows or cells without a reference follow the previous one, which the
                # counts above bound; so only references far down (as many digits as the cap) or right (two
                # letters or more) are looked at, with a literal r= the search is fast.
                spaced = b" =" in data or b"= " in data  # r = "A1" is valid XML too: the slower patterns
                far_row, wide = _far_patterns(len(str(limits.max_rows)), spaced)
                numbers = far_row.findall(data)
                if numbers:
                    last_row = max(last_row, *(int(n) for n in numbers))
                letters = set(wide.findall(data))
                if letters:
                    last_column = max(last_column, *(_column_number(x.decode()) for x in letters))
                if last_row > limits.max_rows:
                    raise _too_many_rows(title, limits)
                if max(last_row, rows) * last_column > 4 * limits.max_cells:
                    raise _too_wide(title, max(last_row, rows), last_column, limits)
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


# --- The .ods pre-scan --------------------------------------------------------------------------------
# One streaming pass over content.xml. A cell says how often it repeats across (number-columns-repeated) and
# its row how often it repeats down (number-rows-repeated); the parser materialises the repeats of every
# cell that holds something. LibreOffice writes repeats of 16,384 columns and a million rows, but only on
# EMPTY cells (self-closing, no value type): those are passed over.

_ODS_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"'](\d{1,12})")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"'](\d{1,12})")
_VALUE_TYPE = re.compile(rb"value-type\s*=")


def check_ods_limits(source, limits: ReadLimits) -> None:
    """Refuse an .ods whose unpacked size, rows, or the cells its repeats make, are over `limits`."""
    try:
        archive = ZipFile(source)
    except (BadZipFile, OSError, ValueError):
        return
    try:
        _check_unpacked(archive, limits)
        with archive.open("content.xml") as stream:
            _scan_ods(stream, limits)
    except (KeyError, BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError):
        return  # the sheet parser gives the clear message
    finally:
        archive.close()
        if hasattr(source, "seek"):
            source.seek(0)


def _scan_ods(stream, limits: ReadLimits) -> None:
    state = _OdsScan(limits)
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        pieces = _ODS_ROW_START.split(carry + chunk)
        carry = pieces.pop() if chunk else b""  # the row still being read (each piece starts a row)
        if len(carry) > 4 * _CHUNK:  # one huge row: its whole tags through the state, the cut one kept
            cut = carry.rfind(b"<")
            state.tags(carry[:cut])
            carry = carry[cut:]
        for piece in pieces:
            # Most rows, as LibreOffice and WPS write them, repeat nothing but their trailing empty cells
            # and start no sheet: one cell per column, counted in C. The others go through every tag.
            if not (piece.startswith(b"<table:table-row") and b"table " not in piece and state.plain_row(piece)):
                state.tags(piece)
        if not chunk:
            break


_ODS_ROW_START = re.compile(rb"(?=<(?:[\w.-]+:)?table-row[\s>/])")
_EMPTY_REPEATED_CELL = re.compile(
    rb'<table:table-cell(?: table:style-name="[^"]*")? table:number-columns-repeated="\d+"/>'
)


class _OdsScan:
    """The extent of one .ods's sheets as its rows are read: the last row and the widest row holding
    something, with their repeats, and the cells all that makes."""

    def __init__(self, limits: ReadLimits):
        self.limits = limits
        self.title = ""
        self.total_cells = 0
        self.row_at = 0  # rows passed in the current table
        self.last_row = self.widest = 0  # the extent of the cells holding something
        self.row_repeat = self.column_at = self.row_width = 0

    def plain_row(self, piece: bytes) -> bool:
        """Count a row that repeats nothing but (maybe) its last, empty cell; False for any other row."""
        repeats = piece.count(b"repeated")
        trailing = 0
        if repeats:
            last = piece.rfind(b"<table:table-cell")
            if repeats > 1 or last < 0 or not _EMPTY_REPEATED_CELL.match(piece, last):
                return False
            trailing = 1
        if b"value-type" in piece or b"<text:" in piece:
            self.row_width = piece.count(b"<table:table-cell") + piece.count(b"<table:covered-table-cell") - trailing
        else:
            self.row_width = 0
        self.row_repeat = 1
        self.end_row()
        return True

    def end_row(self) -> None:
        limits = self.limits
        if self.row_width:
            self.last_row = self.row_at + self.row_repeat
            self.widest = max(self.widest, self.row_width)
            self.total_cells += self.row_repeat * min(self.row_width, limits.max_columns)
        self.row_at += self.row_repeat
        if self.last_row > limits.max_rows:
            raise _too_many_rows(self.title, limits)
        if self.last_row * self.widest > 4 * limits.max_cells:
            raise _too_wide(self.title, self.last_row, self.widest, limits)
        if self.total_cells > limits.max_cells:
            raise too_big(f"表格内容过多（超过 {limits.max_cells} 个单元格）", limits)
        self.row_width = 0

    def tags(self, piece: bytes) -> None:
        limits = self.limits
        for closing, name, attrs, self_closing in _ODS_TAG.findall(piece):
            if name == b"table-cell" or name == b"covered-table-cell":
                if closing:
                    continue
                found = _COLUMNS_REPEATED.search(attrs)
                repeat = int(found[1]) if found else 1
                if not self_closing or _VALUE_TYPE.search(attrs):  # it holds something
                    self.row_width = self.column_at + repeat
                    if self.row_at + self.row_repeat > limits.max_rows:
                        raise _too_many_rows(self.title, limits)
                    if self.row_width * self.row_repeat > 4 * limits.max_cells:
                        raise _too_wide(self.title, self.row_repeat, self.row_width, limits)
                self.column_at += repeat
            elif name == b"table-row":
                if closing:
                    self.end_row()
                else:
                    found = _ROWS_REPEATED.search(attrs)
                    self.row_repeat = int(found[1]) if found else 1
                    self.column_at = self.row_width = 0
                    if self_closing:
                        self.row_at += self.row_repeat
            elif not closing:  # a table (sheet)
                found = _TABLE_NAME.search(attrs)
                self.title = _unescape(found[1].decode("utf-8", "replace")) if found else ""
                self.row_at = self.last_row = self.widest = 0


_TABLE_NAME = re.compile(rb"\bname\s*=\s*[\"']([^\"']*)[\"']")


def _unescape(text: str) -> str:
    return re.sub(r"&(amp|lt|gt|quot|apos);", lambda m: _ENTITIES[m[1]], text)


# --- The .xls pre-scan --------------------------------------------------------------------------------
# An .xls (a compound file holding the "Workbook" stream of BIFF records) of 6 KB with one cell at A1 and one
# at IV65536 makes the sheet parser build 16 million cells (1 GB). So the cell records are read first (the
# stream taken out of the compound file by olefile), in one pass: each sheet's extent (the last row and
# column holding a value) is bounded like an .xlsx's. A file this pass cannot follow is left to the parser,
# which refuses it or reads it.

_XLS_VALUE_CELLS = frozenset({0x0006, 0x00FD, 0x0203, 0x027E, 0x0205, 0x0204, 0x00D6})  # formula, text, number…
_XLS_MULRK = 0x00BD
_XLS_BOF, _XLS_BOUNDSHEET, _XLS_FILEPASS = 0x0809, 0x0085, 0x002F
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _workbook_stream(data: bytes) -> bytes | None:
    """The Workbook (BIFF8) or Book (BIFF5) stream of an OLE2 compound file, read with olefile; None when the
    file is not one or has neither."""
    if not data.startswith(OLE2_SIGNATURE):
        return None
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            for name in ("Workbook", "Book"):
                if ole.exists(name):
                    return ole.openstream(name).read()
    except (OSError, ValueError, struct.error, IndexError, RecursionError):
        return None  # calamine, then the caller, give the clear message
    return None


def check_xls_limits(source, limits: ReadLimits) -> None:
    """Refuse an .xls whose sheets' cells reach further than `limits`, before it is parsed."""
    with _opened(source) as fh:
        data = fh.read(limits.max_upload_bytes + 1)
    if _ENCRYPTED_PACKAGE in data:  # an .xlsx with an open password is a compound file holding it encrypted
        raise SheetFileError(PASSWORD_MESSAGE)
    book = _workbook_stream(data)
    if book is None:
        return
    del data
    titles: dict[int, str] = {}
    title = ""
    last_row = last_column = 0
    unpack = struct.unpack_from
    offset, end = 0, len(book) - 4
    while offset <= end:
        record, length = unpack("<HH", book, offset)
        body = offset + 4
        offset = body + length
        if record in _XLS_VALUE_CELLS and length >= 4:
            row, column = unpack("<HH", book, body)
        elif record == _XLS_MULRK and length >= 6:
            row = unpack("<H", book, body)[0]
            column = unpack("<H", book, body + length - 2)[0]
        elif record == _XLS_BOF:
            if last_row * last_column > 4 * limits.max_cells:
                raise _too_wide(title, last_row, last_column, limits)
            title, last_row, last_column = titles.get(body - 4, ""), 0, 0
            continue
        elif record == _XLS_FILEPASS:
            raise SheetFileError(PASSWORD_MESSAGE)
        elif record == _XLS_BOUNDSHEET and length >= 8:
            position, name_length, flags = unpack("<IxxBB", book, body)
            raw = book[body + 8 : body + 8 + name_length * (2 if flags & 1 else 1)]
            titles[position] = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            continue
        else:
            continue
        if column >= last_column:
            last_column = column + 1
        if row >= last_row:
            last_row = row + 1
            if last_row > limits.max_rows:
                raise _too_many_rows(title, limits)
    if last_row * last_column > 4 * limits.max_cells:
        raise _too_wide(title, last_row, last_column, limits)


# --- Rows that are not data ---------------------------------------------------------------------------
# Schools end a sheet with a 合计 row ("合计 | 34人") and the signatures (填表人：…  审核人：…  填表日期：…).
# Those rows are reported as skipped, never as errors; a row that reads as a person (a name and at least
# two other filled cells that are not such words) is always data, whatever another cell says.

TOTAL_ROW = "合计行"
FOOTER_ROW = "填表人、审核人等落款"
_TOTAL_WORD = re.compile(r"(?:合计|总计|小计|共计).{0,30}")
# A signature word counts after a colon anywhere in the row ("审核人：李校长" in column F), and without
# one only as the row's first word ("填表人 张老师"): 负责人 alone is also a title in a data column (角色).
_FOOTER_WORD = re.compile(r"(?:填表人|审核人|制表人|负责人|填报人|经办人|(?:填表|填报|制表|统计)日期)([:：])?.*")
_PERSON = re.compile(r"[\u3400-\u9fff·•A-Za-z]{2,30}")
_MARK_FIRST = frozenset("合总小共填审制负经统")


@dataclass(frozen=True)
class SkippedRow:
    """A row that is not data (合计, 落款), shown on the preview and not imported."""

    row: int
    reason: str
    sheet: str = ""

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”第{self.row}行" if self.sheet else f"第{self.row}行"

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}"


def _mark(value: object, *, first: bool) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or text[0] not in _MARK_FIRST:
        return None
    text = re.sub(r"\s+", "", text)
    if _TOTAL_WORD.fullmatch(text):
        return TOTAL_ROW
    found = _FOOTER_WORD.fullmatch(text)
    if found and (first or found[1]):
        return FOOTER_ROW
    return None


def non_data_reason(row: tuple, *, name: object, others: Iterator[object] | list | tuple) -> str | None:
    """TOTAL_ROW or FOOTER_ROW when `row` (every cell, read or not) is a 合计 row or a footer line, None
    for any other row. `name` is the row's 姓名 cell, `others` its other data cells (not 序号)."""
    reason = None
    first = True
    for value in row:
        if value is None or value == "":
            continue
        found = _mark(value, first=first)
        first = False
        if found == TOTAL_ROW:
            reason = found
            break
        reason = reason or found
    if reason is None:
        return None
    name_text = name.strip() if isinstance(name, str) else ""
    if _PERSON.fullmatch(name_text) and _mark(name_text, first=True) is None:
        filled = sum(
            1
            for value in others
            if value is not None and not (isinstance(value, str) and (not value.strip() or _mark(value, first=False)))
        )
        if filled >= 2:
            return None
    return reason
