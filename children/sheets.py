"""The archive's Excel plumbing, shared by every export of the archive and of the apps above it (mentoring's
log exports): a titled sheet with a frozen header and set widths written in write_only mode, people's text
written as text (caretrack.spreadsheets), term labels, and record_export(), which builds a file and writes
its audit row in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.db import transaction
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from caretrack import audit
from caretrack.models import AuditAction, School, Term
from caretrack.spreadsheets import safe_row, text_cell
from caretrack.validation import mask_id_number, mask_phone

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


@dataclass(frozen=True)
class Col:
    label: str
    width: int
    value: Callable


class Sheet:
    """A write_only sheet with a merged title row, a styled header and frozen panes."""

    def __init__(self, workbook: Workbook, title: str, heading: str, columns: list[Col], subtitle: str = ""):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        width = len(columns)
        for i, col in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        header_row = 3 if subtitle else 2
        self.ws.freeze_panes = f"C{header_row + 1}" if width > 3 else f"A{header_row + 1}"
        last = get_column_letter(width)
        self.ws.merged_cells.add(CellRange(f"A1:{last}1"))
        title_cell = text_cell(self.ws, heading)
        title_cell.font = TITLE_FONT
        title_cell.alignment = Alignment(horizontal="center")
        self.ws.append([title_cell])
        if subtitle:
            self.ws.merged_cells.add(CellRange(f"A2:{last}2"))
            self.ws.append([text_cell(self.ws, subtitle)])
        cells = []
        for col in columns:
            cell = WriteOnlyCell(self.ws, value=col.label)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = WRAP
            cells.append(cell)
        self.ws.append(cells)
        self.rows = 0

    def add(self, obj) -> None:
        self.rows += 1
        # None, not "": write_only leaves empty cells out of the file altogether. Text goes in as text,
        # never as a formula (caretrack.spreadsheets).
        values = [None if (value := col.value(obj)) == "" else value for col in self.columns]
        self.ws.append(safe_row(self.ws, values))


def save_workbook(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def current_term(school: School) -> Term | None:
    return Term.objects.current(school)


def term_label(term: Term | None, today: date) -> str:
    return str(term) if term else f"{today:%Y年%m月%d日}"


def id_value(full: bool) -> Callable[[str | None], str]:
    return (lambda v: v or "") if full else mask_id_number


def phone_value(full: bool) -> Callable[[str | None], str]:
    return (lambda v: v or "") if full else mask_phone


def user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def record_export(
    *,
    acting_user,
    school: School | None,
    kind: str,
    target: str,
    build: Callable[[], ExportFile],
    full_identifiers: bool = False,
    **detail,
) -> ExportFile:
    """Build the file and record the export in one transaction; the row says whether ID numbers and phones
    were written in full."""
    with transaction.atomic():
        result = build()
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=target,
            school=school,
            kind=kind,
            rows=result.rows,
            filename=result.filename,
            full_identifiers=full_identifiers,
            **detail,
        )
    return result


def mask_note(full: bool) -> str:
    return "" if full else "（身份证号、电话已隐去部分数字）"
