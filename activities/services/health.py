"""体检: one child's check, or a whole class's from the one-page table."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from activities.models import HealthCheck
from activities.selectors import HEALTH_ROW_FIELDS
from activities.services.shared import TableSaved, _audit_table, _is_blank, _target, _value
from caretrack import audit
from caretrack.models import AuditAction
from children.models import Child


@transaction.atomic
def record_health_check(*, child: Child, data: dict, acting_user) -> HealthCheck:
    """One child's check of one day, audited; a second check of the same child and day is refused."""
    check = HealthCheck(child=child, created_by=acting_user, **data)
    check.full_clean(exclude=["created_by"], validate_unique=False)
    if HealthCheck.objects.filter(child=child, date=check.date).exists():
        raise ValidationError(f"{child.name} 在 {check.date:%Y-%m-%d} 的体检记录已经登记过了。", code="duplicate")
    check.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(check),
        school=child.school,
        child=child.pk,
        date=f"{check.date:%Y-%m-%d}",
    )
    return check


@transaction.atomic
def record_class_health_checks(*, on: date, rows: list[dict], acting_user) -> TableSaved:
    """Save a class's health checks of one day from the one-page table. Blank rows are skipped; a child
    already checked that day is updated, so submitting the page twice does not duplicate anything. One audit
    row for the records created and one for those changed (none when nothing was saved)."""
    existing = {h.child_id: h for h in HealthCheck.objects.filter(child__in=[r["child"] for r in rows], date=on)}
    created, updated, skipped = [], [], 0
    for row in rows:
        if _is_blank(row, HEALTH_ROW_FIELDS):
            skipped += 1
            continue
        check = existing.get(row["child"].pk)
        if check is None:
            check = HealthCheck(child=row["child"], date=on, created_by=acting_user)
            for name in HEALTH_ROW_FIELDS:
                setattr(check, name, _value(row, name, check))
            check.full_clean(exclude=["created_by"], validate_unique=False)
            created.append(check)
        else:
            changed = [n for n in HEALTH_ROW_FIELDS if getattr(check, n) != _value(row, n, check)]
            for name in changed:
                setattr(check, name, _value(row, name, check))
            check.full_clean(exclude=["created_by"], validate_unique=False)
            if changed:
                check.save(update_fields=changed)
                updated.append(check)
    HealthCheck.objects.bulk_create(created)
    _audit_table(acting_user, HealthCheck, f"{on:%Y-%m-%d}", created, updated, date=f"{on:%Y-%m-%d}")
    return TableSaved(len(created), len(updated), skipped)
