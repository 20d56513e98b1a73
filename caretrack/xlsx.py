"""Writing .xlsx exports that print the way schools print them, for every app's Excel export.

A Book holds one workbook (XlsxWriter, written in memory); book.sheet() adds a sheet with a title row, an
optional subtitle row and a one- or two-level header (group cells merged over their sub-headers, a column
without a group merged down both rows); sheet.row() writes one data row. Every sheet prints on A4 landscape,
one page wide and as many tall as it takes, with the title, subtitle and header repeated on every page and
"第 N 页 共 M 页" in the footer; header and data cells have thin borders, the header is frozen (and the
first columns where asked), column widths follow the widest cell written (CJK characters count double)
between a minimum and a maximum, and longer text wraps.

Each column has a kind that decides how a value is written:
- TEXT: people's text, wrapped. CODE: ID numbers, 学籍号, phones: text that must stay text (never a number
  in scientific notation), not wrapped.
- DATE: a real date shown yyyy-mm-dd. INT, DECIMAL: numbers. PERCENT, PERCENT_1DP: a fraction (0.75) shown as
  75% or 75.0%.
Text is always written as a string, never a formula: text that a spreadsheet could take as one (= + - @ first,
also after spaces, tabs, CR or LF: caretrack.spreadsheets.starts_like_formula) also gets Excel's quote
prefix, so it stays text after someone edits the cell; control characters (not allowed in the file format)
are removed and a lone CR becomes a line break. A value of another type in a text column is written as its
str(); a str in a number or date column is written as text (e.g. 无此学期).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from caretrack.spreadsheets import starts_like_formula

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEXT, CODE, DATE, INT, DECIMAL = "text", "code", "date", "int", "decimal"
PERCENT, PERCENT_1DP = "percent", "percent_1dp"  # 75%, 75.0%
NUMBER_KINDS = frozenset({INT, DECIMAL, PERCENT, PERCENT_1DP})
_NUM_FORMATS = {CODE: "@", DATE: "yyyy-mm-dd", INT: "0", DECIMAL: "0.0", PERCENT: "0%", PERCENT_1DP: "0.0%"}
_FIXED_WIDTHS = {DATE: 10}  # the widest yyyy-mm-dd

MAX_STRING = 32767  # characters Excel keeps in a cell
_EPOCH = date(1899, 12, 30)  # day 0 of Excel's serial dates (for every date after February 1900)
_EPOCH_DATETIME = datetime(1899, 12, 30)
FONT = "宋体"
HEADER_COLOUR = "#DDEBF7"
PAPER_A4 = 9

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # XML refuses them (CR is handled before)
_MAY_NEED_CARE = frozenset("=+-@ \t\r\n")  # first characters worth a closer look


def clean_text(text: str) -> str:
    """`text` without the characters the file format refuses; CR and CR LF become LF (a cell's line break)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def display_width(text: str) -> int:
    """Columns `text` takes on screen: a CJK character (three bytes in UTF-8) counts two, ASCII one."""
    return (len(text.encode()) + len(text)) // 2


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT
    min_width: int = 4
    max_width: int = 40


@dataclass(frozen=True)
class Group:
    """Sub-headers under one merged cell; label "" for columns merged down over both header rows."""

    label: str
    columns: Sequence[Column]


class _FastWorksheet(Worksheet):
    """An XlsxWriter worksheet whose data rows arrive as finished XML (Sheet.row()), so that a 5,000-row
    export takes a fraction of a second: XlsxWriter keeps a Python object per cell and writes each cell's
    XML through its generic element writer, several microseconds a cell. Title, header and notes still go
    through XlsxWriter's own writing; the data rows, contiguous, are written between them. The cells use
    the workbook's shared strings and formats exactly as XlsxWriter's write_string()/write_number() would
    (the formula-safety and layout tests read the files back). This leans on XlsxWriter's internals
    (_write_rows, the dimensions, the shared string table, Format._get_xf_index), checked for 3.3.
    XlsxWriter's constant_memory mode is not used: it writes inline strings, slower to write and to read
    back, and the finished XML of a 5,000-row sheet takes a few megabytes only."""

    def __init__(self):
        super().__init__()
        self.rows_xml: list[str] = []
        self.first_xml_row: int | None = None
        self.finish = None

    def _write_rows(self) -> None:
        if not self.rows_xml:
            super()._write_rows()
            return
        first, last = self.first_xml_row, self.first_xml_row + len(self.rows_xml) - 1
        low, high = self.dim_rowmin, self.dim_rowmax
        try:
            if low < first:
                self.dim_rowmax = first - 1
                super()._write_rows()
            self.fh.writelines(self.rows_xml)
            if high > last:
                self.dim_rowmin, self.dim_rowmax = last + 1, high
                super()._write_rows()
        finally:
            self.dim_rowmin, self.dim_rowmax = low, high


class Book:
    """One workbook in memory. Sheets are added with sheet(); bytes() closes the workbook and returns the file."""

    def __init__(self):
        self._out = BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self._out,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._formats: dict[tuple, object] = {}

    def format(self, kind: str, *, quote: bool = False, bold: bool = False, header: bool = False):
        key = (kind, quote, bold, header)
        found = self._formats.get(key)
        if found is None:
            props = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "vcenter"}
            if header:
                props.update(bold=True, bg_color=HEADER_COLOUR, align="center", text_wrap=True)
            elif kind == "title":
                props = {"font_name": FONT, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
            elif kind == "subtitle":
                props = {"font_name": FONT, "font_size": 10, "align": "left", "valign": "vcenter"}
            elif kind == "note":
                props = {"font_name": FONT, "font_size": 10, "align": "left", "valign": "top", "text_wrap": True}
            else:
                if kind == TEXT:
                    props["text_wrap"] = True
                if kind in _NUM_FORMATS:
                    props["num_format"] = _NUM_FORMATS[kind]
                if kind in NUMBER_KINDS or kind == DATE:
                    props["align"] = "center"
            if bold:
                props["bold"] = True
            if quote:
                props["quote_prefix"] = True
            found = self._formats[key] = self.workbook.add_format(props)
        return found

    def sheet(
        self,
        name: str,
        *,
        title: str,
        subtitle: str = "",
        columns: Sequence[Column] | None = None,
        groups: Sequence[Group] | None = None,
        freeze_columns: int = 0,
    ) -> Sheet:
        return Sheet(
            self, name, title=title, subtitle=subtitle, columns=columns, groups=groups, freeze_columns=freeze_columns
        )

    def bytes(self) -> bytes:
        for sheet in self.workbook.worksheets():
            if isinstance(sheet, _FastWorksheet) and sheet.finish:
                sheet.finish()
        self.workbook.close()
        return self._out.getvalue()


class Sheet:
    """A titled, printable sheet; see the module docstring."""

    def __init__(
        self,
        book: Book,
        name: str,
        *,
        title: str,
        subtitle: str = "",
        columns: Sequence[Column] | None = None,
        groups: Sequence[Group] | None = None,
        freeze_columns: int = 0,
    ):
        if (columns is None) == (groups is None):
            raise ValueError("give either columns or groups")
        self.book = book
        self.ws = book.workbook.add_worksheet(name, worksheet_class=_FastWorksheet)
        self.ws.finish = self._finish
        self._after_data = False
        self.groups = list(groups) if groups is not None else None
        self.columns = [c for g in self.groups for c in g.columns] if self.groups is not None else list(columns)
        self.rows = 0  # data rows written
        width = len(self.columns)
        last = width - 1
        self._widest = [c.min_width for c in self.columns]
        self._row = 0
        self._merged_text(self._row, 0, self._row, last, title, "title")
        self.ws.set_row(self._row, 30)
        self._row += 1
        if subtitle:
            self._merged_text(self._row, 0, self._row, last, subtitle, "subtitle")
            self.ws.set_row(self._row, 18)
            self._row += 1
        self._write_header()
        self.header_end = self._row - 1
        self._setup_page(freeze_columns)
        self._writers = [self._writer(i, c.kind) for i, c in enumerate(self.columns)]
        self._bold_writers = None

    # --- layout -------------------------------------------------------------------------------------

    def _merged_text(self, first_row, first_col, last_row, last_col, text, kind, header=False) -> None:
        if (first_row, first_col) != (last_row, last_col):
            self.ws.merge_range(first_row, first_col, last_row, last_col, "", self.book.format(kind, header=header))
        self._write_text(first_row, first_col, text, kind, header)

    def _write_text(self, row, col, text, kind, header=False) -> None:
        # with the quote prefix where it could pass for a formula: Excel keeps the cell text even once edited
        fmt = self.book.format(kind, header=header, quote=bool(text) and starts_like_formula(text))
        self.ws.write_string(row, col, clean_text(text), fmt)

    def _header_label(self, col: int, label: str) -> None:
        # A header wraps: it asks for half its width once it is long, so 本学期谈心次数 takes two lines.
        width = display_width(label)
        self._widest[col] = max(self._widest[col], width if width <= 8 else (width + 1) // 2)

    def _write_header(self) -> None:
        if self.groups is None:
            for col, column in enumerate(self.columns):
                self._write_text(self._row, col, column.label, TEXT, header=True)
                self._header_label(col, column.label)
            self.ws.set_row(self._row, 30)
            self._row += 1
            return
        top, sub = self._row, self._row + 1
        col = 0
        for group in self.groups:
            first, last = col, col + len(group.columns) - 1
            if group.label:
                self._merged_text(top, first, top, last, group.label, TEXT, header=True)
                for i, column in enumerate(group.columns):
                    self._write_text(sub, first + i, column.label, TEXT, header=True)
                    self._header_label(first + i, column.label)
            else:
                for i, column in enumerate(group.columns):
                    self._merged_text(top, first + i, sub, first + i, column.label, TEXT, header=True)
                    self._header_label(first + i, column.label)
            col = last + 1
        self.ws.set_row(top, 20)
        self.ws.set_row(sub, 30)
        self._row += 2

    def _setup_page(self, freeze_columns: int) -> None:
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(PAPER_A4)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, self._row - 1)
        ws.set_footer("&C第 &P 页 共 &N 页")
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.center_horizontally()
        ws.freeze_panes(self._row, freeze_columns)

    # --- data ---------------------------------------------------------------------------------------

    def _writer(self, col: int, kind: str, bold: bool = False):
        """One function per column giving the cell's XML for a value of that column (see _FastWorksheet) and
        keeping the column's width: the inner loop of every export."""
        widest, book = self._widest, self.book
        letter = xl_col_to_name(col)
        shared = book.workbook.str_table._get_shared_string_index
        text_xf = book.format(TEXT if kind == TEXT else CODE, bold=bold)._get_xf_index()
        quoted_xf = book.format(TEXT if kind == TEXT else CODE, quote=True, bold=bold)._get_xf_index()
        xf = book.format(kind, bold=bold)._get_xf_index()

        def text(row: str, value) -> str:
            if value is None or value == "":
                return f'<c r="{letter}{row}" s="{xf}"/>'
            if type(value) is not str:
                value = str(value)
            if "\r" in value or _CONTROL.search(value):
                value = clean_text(value)
                if not value:
                    return f'<c r="{letter}{row}" s="{xf}"/>'
            n = len(value)
            if n > MAX_STRING:
                value, n = value[:MAX_STRING], MAX_STRING
            if 2 * n > widest[col]:
                w = (len(value.encode()) + n) // 2
                if w > widest[col]:
                    widest[col] = w
            style = quoted_xf if value[0] in _MAY_NEED_CARE and starts_like_formula(value) else text_xf
            return f'<c r="{letter}{row}" s="{style}" t="s"><v>{shared(value)}</v></c>'

        if kind in (TEXT, CODE):
            return text

        if kind == DATE:
            fixed = _FIXED_WIDTHS[DATE]

            def as_date(row: str, value) -> str:
                if not isinstance(value, date):
                    return text(row, value)
                if widest[col] < fixed:
                    widest[col] = fixed
                if isinstance(value, datetime):
                    if value.tzinfo is not None:  # shown as the local time of day
                        value = timezone.localtime(value).replace(tzinfo=None)
                    serial = (value - _EPOCH_DATETIME).total_seconds() / 86400
                    return f'<c r="{letter}{row}" s="{xf}"><v>{serial:.16G}</v></c>'
                return f'<c r="{letter}{row}" s="{xf}"><v>{(value - _EPOCH).days}</v></c>'

            return as_date

        percent = kind in (PERCENT, PERCENT_1DP)

        def number(row: str, value) -> str:
            if value is None or value == "":
                return f'<c r="{letter}{row}" s="{xf}"/>'
            kind_of = type(value)
            if kind_of is int:
                shown = str(value)
            elif kind_of is float or kind_of is Decimal:
                shown = f"{float(value):.16G}"
            else:
                return text(row, value)
            w = 6 if percent else len(shown)
            if w > widest[col]:
                widest[col] = w
            return f'<c r="{letter}{row}" s="{xf}"><v>{shown}</v></c>'

        return number

    def row(self, values: Iterable, *, bold: bool = False) -> None:
        """One data row, a value per column (None or "" for an empty, bordered cell)."""
        if self._after_data:
            raise ValueError("data rows come before the notes")
        writers = self._writers
        if bold:
            if self._bold_writers is None:
                self._bold_writers = [self._writer(i, c.kind, bold=True) for i, c in enumerate(self.columns)]
            writers = self._bold_writers
        number = str(self._row + 1)
        cells = [write(number, value) for write, value in zip(writers, values, strict=True)]
        self.ws.rows_xml.append(f'<row r="{number}">{"".join(cells)}</row>')
        if self.ws.first_xml_row is None:
            self.ws.first_xml_row = self._row
        self._row += 1
        self.rows += 1

    def note(self, text: str) -> None:
        """A line under the table (说明), merged across, without borders; not a data row."""
        self._close_data()
        last = len(self.columns) - 1
        self._merged_text(self._row, 0, self._row, last, text, "note")
        self._row += 1

    def _close_data(self) -> None:
        if not self._after_data and self.rows:
            self.ws._check_dimensions(self._row - 1, len(self.columns) - 1)  # the <dimension> covers the data
        self._after_data = True

    def _finish(self) -> None:
        self._close_data()
        for col, column in enumerate(self.columns):
            width = min(max(self._widest[col] + 2, column.min_width), column.max_width)
            self.ws.set_column(col, col, width)

