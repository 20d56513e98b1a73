"""Calling a child's parent or guardian from the phone (a tel: link). The number leaves the masking policy
here: whoever may open the child's page may call the family, and each call is recorded as a view of a full
identifier, in the same transaction as it is handed out."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from caretrack import audit
from caretrack.models import AuditAction
from caretrack.validation import normalize_phone
from children.models import Guardian, Parent


@transaction.atomic
def number_to_call(*, person: Parent | Guardian, acting_user) -> str:
    """The full phone number of `person` (a parent or a guardian of a child the caller may see, which the
    view checks), without separators, for a tel: link; ValidationError when none is recorded."""
    if not person.phone:
        raise ValidationError("档案中没有该联系人的电话。")
    child = person.child
    who = person.get_role_display() if isinstance(person, Parent) else f"监护人（{person.get_relation_display()}）"
    audit.record(
        user=acting_user,
        action=AuditAction.VIEW_CHILD,
        target=f"拨打电话：{child.name}的{who}",
        school=child.school,
        child=child.pk,
        kind="call",
    )
    return normalize_phone(person.phone)
