"""The archive's Excel plumbing, shared by every export of the archive and of the apps above it (mentoring's
log exports): columns that say how each row gives its value (Col), a titled, printable sheet built on the
core's writer (caretrack.xlsx: A4 landscape, header repeated on every page, widths from the content, text
always written as text), term labels, and record_export(), which builds a file and writes its audit row in
one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from caretrack import audit
from caretrack.models import AuditAction, School, Term
from caretrack.validation import mask_id_number, mask_phone
from caretrack.xlsx import CODE, CONTENT_TYPE, DATE, DECIMAL, INT, PERCENT, PERCENT_1DP, TEXT, Book, Column, Group

__all__ = [
    "CODE", "CONTENT_TYPE", "DATE", "DECIMAL", "INT", "PERCENT", "PERCENT_1DP", "TEXT", "Book", "Col", "ColGroup",
    "ExportFile", "Sheet", "current_term", "full_name", "id_value", "mask_note", "phone_value", "record_export",
    "term_label", "user_name",
]  # fmt: skip


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


@dataclass(frozen=True)
class Col:
    """One column of an export: its header, how a row gives its value, and how the value is written
    (caretrack.xlsx kinds: TEXT, CODE for ID numbers and phones, DATE, INT, DECIMAL, PERCENT)."""

    label: str
    value: Callable
    kind: str = TEXT
    max_width: int = 40
    min_width: int = 4

    @property
    def column(self) -> Column:
        return Column(self.label, self.kind, min_width=self.min_width, max_width=self.max_width)


@dataclass(frozen=True)
class ColGroup:
    """Columns under one merged group header ("" for columns merged down both header rows)."""

    label: str
    columns: Sequence[Col]


class Sheet:
    """A sheet of `book` with a title row, an optional subtitle and the columns' header (two levels when
    given groups); add() writes one row per object."""

    def __init__(
        self,
        book: Book,
        name: str,
        heading: str,
        columns: Sequence[Col] | None = None,
        subtitle: str = "",
        *,
        groups: Sequence[ColGroup] | None = None,
        freeze_columns: int = 0,
    ):
        if groups is not None:
            columns = [c for g in groups for c in g.columns]
            layout = {"groups": [Group(g.label, [c.column for c in g.columns]) for g in groups]}
        else:
            layout = {"columns": [c.column for c in columns]}
        self.columns = list(columns)
        self._values = [c.value for c in self.columns]
        self.sheet = book.sheet(name, title=heading, subtitle=subtitle, freeze_columns=freeze_columns, **layout)

    @property
    def rows(self) -> int:
        return self.sheet.rows

    def add(self, obj) -> None:
        self.sheet.row([value(obj) for value in self._values])


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


def full_name(first_name: str | None, last_name: str | None, username: str | None) -> str:
    """user_name() from a values() row's user fields ("" without a user)."""
    return f"{first_name or ''} {last_name or ''}".strip() or (username or "")


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
