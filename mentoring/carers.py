"""What mentoring shows on the archive's child page and contact card: the child's mentors (from
pairings) and the buttons to log a talk, a visit or a contact. Registered in MentoringConfig.ready()."""

from __future__ import annotations

from datetime import date

from children.carers import Carer, ChildAction
from mentoring.models import Pairing

LOG_ACTIONS = [
    ChildAction("记谈心", "mentoring:talk_create", icon="bi-chat-heart", primary=True),
    ChildAction("记家访", "mentoring:visit_create", icon="bi-house-heart"),
    ChildAction("亲情联系", "mentoring:family_contact_create"),
    ChildAction("监护人沟通", "mentoring:guardian_contact_create"),
]


def mentors_of(child_ids: list[int], on: date | None) -> dict[int, list[Carer]]:
    """Every pairing of the children, newest first (on=None), or those running on the day `on`. One query."""
    pairings = Pairing.objects.filter(child_id__in=child_ids)
    if on is not None:
        pairings = pairings.open_on(on)
    found: dict[int, list[Carer]] = {}
    for p in pairings.select_related("mentor__profile", "external_mentor").order_by("child_id", "-start_date"):
        phone = p.mentor.profile.phone if p.mentor_id else p.external_mentor.phone
        found.setdefault(p.child_id, []).append(
            Carer(title=p.get_role_display(), name=p.mentor_name, phone=phone, start=p.start_date, end=p.end_date)
        )
    return found
