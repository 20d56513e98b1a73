"""Committing a previewed sheet: validate it again and save every row through children.services, all in
one transaction with the import's audit row."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook

from caretrack import audit
from caretrack.models import AuditAction, School
from caretrack.sheet_reading import read_sheets
from caretrack.spreadsheets import safe_row, text_cell
from children.importing.headers import HEADER_SCAN_ROWS, find_header
from children.importing.matching import CHILD_LABELS
from children.importing.reading import read_import, roster_limits
from children.importing.rows import Action, ImportPreview, RowError, RowResult
from children.services import create_archives, save_archive, update_child_fields

_CHILD_LABEL_SET = frozenset(CHILD_LABELS.values())


class ImportRejected(Exception):
    """The confirmed import was not saved (nothing was): the preview carries the row errors."""

    def __init__(self, preview: ImportPreview, message: str = ""):
        super().__init__(message or "导入未执行：有错误的行。")
        self.preview = preview
        self.message = message or "导入未执行：请先改正下列错误的行，再重新上传。"


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int
    preview: ImportPreview
    left_out: list[RowResult] = field(default_factory=list)  # rows with errors not imported (only_valid)


def commit_import(
    *,
    school: School,
    source,
    filename: str,
    acting_user,
    sha256: str = "",
    today: date | None = None,
    only_valid: bool = False,
) -> ImportOutcome:
    """Validate the sheet again and save every row that creates or changes an archive, all in one
    transaction with the audit row: any error leaves the database as it was (ImportRejected).
    With only_valid, the rows without errors are saved (still in one transaction with the audit row, which
    says how many rows were left out) and the rows with errors are left alone; a row that fails as it is
    saved is rolled back alone and joins them (ImportOutcome.left_out).
    History rows of the saved archives name the acting user and the file; each service writes its
    own audit row too."""
    today = today or timezone.localdate()
    preview = read_import(school=school, source=source, filename=filename, today=today)
    if preview.error_rows and not only_valid:
        raise ImportRejected(preview)
    if only_valid and not preview.to_create + preview.to_update:
        raise ImportRejected(preview, "导入未执行：没有可以导入的行。请改正有错误的行后重新上传。")
    reason = f"Excel导入：{filename}"[:100]
    try:
        with transaction.atomic():
            new_rows = [row for row in preview.rows if row.action == Action.CREATE]
            create_archives(
                school=school, archives=[row.data for row in new_rows], acting_user=acting_user, reason=reason, on=today
            )
            created = len(new_rows)
            update_rows = [row for row in preview.rows if row.action == Action.UPDATE]
            # Rows whose only changes are the child's own fields are saved in bulk; the rest, and those
            # whose 留守类型 would change, one by one through save_archive, which keeps the periods.
            fields_only = [row for row in update_rows if set(row.changes) <= _CHILD_LABEL_SET]
            refused = update_child_fields(
                school=school,
                updates=[(row.existing, row.data.child) for row in fields_only],
                acting_user=acting_user,
                reason=reason,
                on=today,
            )
            one_by_one = {id(row) for row in update_rows if row not in fields_only}
            one_by_one |= {id(row) for row in fields_only if row.existing in refused}
            failed = 0
            for row in update_rows:
                if id(row) not in one_by_one:
                    continue
                row.data.guardian_change_reason = reason
                try:
                    with transaction.atomic():  # a row that fails is rolled back alone
                        save_archive(
                            school=school,
                            data=row.data,
                            acting_user=acting_user,
                            child=row.existing,
                            on=today,
                            reason=reason,
                        )
                except ValidationError as e:
                    row.action = Action.ERROR
                    row.errors.extend(RowError(row.row, "档案", m, row.sheet) for m in e.messages)
                    if not only_valid:
                        raise ImportRejected(preview) from e
                    failed += 1
            updated = len(update_rows) - failed
            left_out = preview.error_rows
            audit.record(
                user=acting_user,
                action=AuditAction.IMPORT,
                target=f"学生档案导入 {filename}",
                school=school,
                kind="children",
                filename=filename,
                sha256=sha256,
                created=created,
                updated=updated,
                unchanged=preview.unchanged,
                **({"only_valid": True, "left_out": len(left_out)} if only_valid else {}),
            )
    except IntegrityError as e:
        # Someone saved the same child between the check and the save: nothing of this import was kept.
        raise ImportRejected(preview, "导入未执行：导入期间这些学生的档案被其他人修改了，请重新上传预览。") from e
    return ImportOutcome(
        created=created, updated=updated, unchanged=preview.unchanged, preview=preview, left_out=left_out
    )


LEFT_OUT_NOTE = "错误说明"


def left_out_sheet(*, source, filename: str, rows: list[RowResult]) -> bytes:
    """The rows an import left out, as uploaded: each sheet they came from under its own name, with its
    header rows (a two-level header's group row too) and those rows' cells, every column of the file, and a
    last column 错误说明 with each row's problems. Once fixed, the file imports like the original (its first
    line, and 错误说明, are read past). `source` is the uploaded file, read again."""
    wanted: dict[str, dict[int, RowResult]] = {}
    for row in rows:
        wanted.setdefault(row.sheet, {})[row.row] = row
    several = "" not in wanted
    workbook = Workbook(write_only=True)
    for sheet in read_sheets(source, limits=roster_limits(), filename=filename):
        head: list[tuple] = []
        for values in sheet.rows:
            head.append(tuple(values))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = find_header(head)
        picked = wanted.get(sheet.title if several else "") if header is not None else None
        if not picked:
            continue
        if not several:
            wanted.pop("")  # a single sheet read: its rows carry no sheet name
        found = [(number, values) for number, values in _numbered(head, sheet.rows) if number in picked]
        header_rows = head[header.row - header.levels : header.row]
        width = max(len(r) for r in (*header_rows, *(values for _, values in found)))
        ws = workbook.create_sheet(sheet.title)
        ws.append([text_cell(ws, f"{filename} 中未导入的 {len(found)} 行：请按“{LEFT_OUT_NOTE}”改正后重新上传")])
        for i, values in enumerate(header_rows):
            note = LEFT_OUT_NOTE if i == 0 else None  # a two-level header: merged down, as the group row reads
            ws.append(safe_row(ws, [*_padded(values, width), note]))
        for number, values in found:
            problems = "；".join(f"【{e.column}】{e.message}" for e in picked[number].errors)
            ws.append(safe_row(ws, [*(_as_written(v) for v in _padded(values, width)), f"原第{number}行：{problems}"]))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _numbered(head: list[tuple], rest) -> Iterator[tuple[int, tuple]]:
    """The sheet's rows with their row numbers as the import counts them (from the sheet's first row)."""
    number = 0
    for values in head:
        number += 1
        yield number, values
    for values in rest:
        number += 1
        yield number, tuple(values)


def _padded(values: tuple, width: int) -> list:
    return [*values, *([None] * (width - len(values)))]


def _as_written(value: object) -> object:
    if isinstance(value, datetime) and value.time() == time():
        return value.date()  # a date cell, as Excel shows it
    return value
