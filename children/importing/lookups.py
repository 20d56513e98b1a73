"""The import preview as a person sees it: read_import() with the ID-number lookup audited and capped.

A preview tells which of up to MAX_DATA_ROWS ID numbers are already archived at another school (the
duplicate rule must hold: one archive per child). Uploaded by someone curious, that is an oracle. So:
- the answer names no school (matching.REGISTERED_ELSEWHERE);
- each preview that hits numbers archived at another school writes one AuditEvent (kind "id_lookup")
  with how many rows hit, never the numbers;
- the rule: a user who has had LOOKUP_LIMIT such previews in the last LOOKUP_WINDOW gets no preview at
  all (whatever the file) until the oldest of them is LOOKUP_WINDOW old. The check runs before the file
  is read, so a refusal tells nothing about the file. The count comes from the audit rows themselves:
  the same in every worker, no cache needed, and it survives a restart.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from caretrack import audit
from caretrack.models import AuditAction, AuditEvent, School
from children.importing.reading import ImportFileError, read_import
from children.importing.rows import ImportPreview

LOOKUP_KIND = "id_lookup"
LOOKUP_LIMIT = 3
LOOKUP_WINDOW = timedelta(minutes=10)
LOOKUP_REFUSED = (
    "您在 10 分钟内已有 3 次预览发现本县已登记的身份证号。为保护学生信息，请 10 分钟后再试；"
    "如需核实学生的登记情况，请联系县教育局。"
)


class LookupLimited(ImportFileError):
    """Too many previews that hit other schools' ID numbers: no preview, one Chinese message."""


def recent_lookups(user) -> int:
    """How many of the user's previews in the last LOOKUP_WINDOW hit ID numbers archived elsewhere."""
    since = timezone.now() - LOOKUP_WINDOW
    return AuditEvent.objects.filter(
        user=user, action=AuditAction.IMPORT, detail__kind=LOOKUP_KIND, at__gte=since
    ).count()


def preview_import(*, school: School, source, filename: str, acting_user, today: date | None = None) -> ImportPreview:
    """read_import() for the import page: refused with LookupLimited when the user is over the cap (before
    the file is read); audited (one row, with the count) when the preview hits ID numbers archived at
    another school."""
    if recent_lookups(acting_user) >= LOOKUP_LIMIT:
        raise LookupLimited(LOOKUP_REFUSED)
    preview = read_import(school=school, source=source, filename=filename, today=today)
    if preview.registered_elsewhere:
        with transaction.atomic():
            audit.record(
                user=acting_user,
                action=AuditAction.IMPORT,
                target=f"导入预览：{filename}"[:200],
                school=school,
                kind=LOOKUP_KIND,
                registered_elsewhere=preview.registered_elsewhere,
                rows=len(preview.rows),
            )
    return preview
