"""Committing a previewed sheet: validate it again and save every row through children.services, all in
one transaction with the import's audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caretrack import audit
from caretrack.models import AuditAction, School
from children.importing.matching import CHILD_LABELS
from children.importing.reading import read_import
from children.importing.rows import Action, ImportPreview, RowError
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


def commit_import(
    *, school: School, source, filename: str, acting_user, sha256: str = "", today: date | None = None
) -> ImportOutcome:
    """Validate the sheet again and save every row that creates or changes an archive, all in one
    transaction with the audit row: any error leaves the database as it was (ImportRejected).
    History rows of the saved archives name the acting user and the file; each service writes its
    own audit row too."""
    today = today or timezone.localdate()
    preview = read_import(school=school, source=source, filename=filename, today=today)
    if preview.error_rows:
        raise ImportRejected(preview)
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
            for row in update_rows:
                if id(row) not in one_by_one:
                    continue
                row.data.guardian_change_reason = reason
                try:
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
                    raise ImportRejected(preview) from e
            updated = len(update_rows)
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
            )
    except IntegrityError as e:
        # Someone saved the same child between the check and the save: nothing of this import was kept.
        raise ImportRejected(preview, "导入未执行：导入期间这些学生的档案被其他人修改了，请重新上传预览。") from e
    return ImportOutcome(created=created, updated=updated, unchanged=preview.unchanged, preview=preview)
