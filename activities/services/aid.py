"""资助与慰问: aid recorded for one or several children, corrected or deleted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from activities.models import Aid
from activities.services.shared import _changes, _target
from caretrack import audit
from caretrack.models import AuditAction, School
from children.models import Child


def _aid_target(aid: Aid) -> str:
    # Aid rows have always named the child as well, so a treasurer can find a mistyped amount.
    return f"{_target(aid)} {aid.child.name} {aid.date:%Y-%m-%d} {aid.amount}元"


@transaction.atomic
def record_aid(*, children: list[Child], data: dict, acting_user) -> list[Aid]:
    """The same aid (e.g. 300元 each from 县妇联) for one or several children, one audit row per record. The
    same aid for the same child, day and donor submitted twice is refused."""
    records = []
    for child in children:
        aid = Aid(child=child, created_by=acting_user, **data)
        aid.full_clean(exclude=["created_by"])
        records.append(aid)
    twins = Aid.objects.filter(
        child__in=children, date=data["date"], kind=data["kind"], amount=data["amount"], donor=data["donor"]
    ).select_related("child")
    names = [aid.child.name for aid in twins]
    if names:
        raise ValidationError(f"以下学生的这笔资助已经登记过了：{'、'.join(names)}。", code="duplicate")
    records = Aid.objects.bulk_create(records)
    schools = School.objects.in_bulk({child.school_id for child in children})  # one query, not one per child
    for aid in records:
        audit.record(
            user=acting_user,
            action=AuditAction.CREATE,
            target=_aid_target(aid),
            school=schools[aid.child.school_id],
            child=aid.child_id,
            amount=str(aid.amount),
            donor=aid.donor,
        )
    return records


@transaction.atomic
def update_aid(*, aid: Aid, data: dict, acting_user) -> Aid:
    """Correct an aid record; the audit row keeps the former values (a mistyped amount stays traceable)."""
    before = _changes(Aid, aid.pk, data)
    for name, value in data.items():
        setattr(aid, name, value)
    aid.full_clean(exclude=["created_by"])
    if before:
        aid.save(update_fields=list(before))
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_aid_target(aid),
        school=aid.child.school,
        child=aid.child_id,
        before=before,
    )
    return aid


@transaction.atomic
def delete_aid(*, aid: Aid, acting_user) -> None:
    """Delete an aid record entered by mistake; the audit row keeps the child, amount and donor."""
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=_aid_target(aid),
        school=aid.child.school,
        child=aid.child_id,
        amount=str(aid.amount),
        donor=aid.donor,
    )
    aid.delete()
