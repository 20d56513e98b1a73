"""留守儿童之家: one opening per school and day."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from activities.models import CareRoomOpening
from activities.services.shared import _changes, _target
from caretrack import audit
from caretrack.models import AuditAction, School


@transaction.atomic
def record_care_room_opening(*, school: School, data: dict, acting_user) -> CareRoomOpening:
    """One opening per school and day, audited; a second submission for the same day is refused."""
    opening = CareRoomOpening(school=school, created_by=acting_user, **data)
    opening.full_clean(exclude=["school", "created_by"], validate_unique=False)
    if CareRoomOpening.objects.filter(school=school, date=opening.date).exists():
        raise ValidationError(f"{opening.date:%Y-%m-%d} 的开放记录已经登记过了。", code="duplicate")
    opening.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(opening),
        school=school,
        date=f"{opening.date:%Y-%m-%d}",
        visits=opening.visits,
    )
    return opening


@transaction.atomic
def update_care_room_opening(*, opening: CareRoomOpening, data: dict, acting_user) -> CareRoomOpening:
    """Correct an opening (not onto a day that already has one); the audit row keeps the former values."""
    before = _changes(CareRoomOpening, opening.pk, data)
    for name, value in data.items():
        setattr(opening, name, value)
    opening.full_clean(exclude=["school", "created_by"], validate_unique=False)
    twin = CareRoomOpening.objects.filter(school=opening.school, date=opening.date).exclude(pk=opening.pk)
    if twin.exists():
        raise ValidationError(f"{opening.date:%Y-%m-%d} 已有另一条开放记录。", code="duplicate")
    if before:
        opening.save(update_fields=list(before))
    audit.record(
        user=acting_user, action=AuditAction.CHANGE, target=_target(opening), school=opening.school, before=before
    )
    return opening


@transaction.atomic
def delete_care_room_opening(*, opening: CareRoomOpening, acting_user) -> None:
    """Delete an opening entered by mistake; the audit row keeps what it said."""
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=_target(opening),
        school=opening.school,
        date=f"{opening.date:%Y-%m-%d}",
        visits=opening.visits,
    )
    opening.delete()
