"""URL names and form defaults shared by the views, the chronology provider and the templates."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils import timezone

from mentoring.models import Pairing, VisitKind
from mentoring.selectors import term_on

URL_PREFIX = {"talk": "talk", "visit": "visit", "family": "family_contact", "guardian": "guardian_contact"}


def detail_url(log) -> str:
    return reverse(f"mentoring:{URL_PREFIX[log.KIND]}_detail", args=[log.pk])


def suggested_visit_kind(on: date, term) -> str:
    """期初 / 期中 / 期末 from where the day falls in the term (thirds)."""
    if term is None:
        return VisitKind.AD_HOC
    third = ((on - term.start_date).days * 3) // max((term.end_date - term.start_date).days + 1, 1)
    return [VisitKind.OPENING, VisitKind.MIDTERM, VisitKind.CLOSING][min(max(third, 0), 2)]


def initial_for_log(kind: str, child, on: date | None = None) -> dict:
    """Today's date (the form's default) plus what can be guessed: the visit kind, the guardian's name."""
    on = on or timezone.localdate()
    initial: dict = {"date": on}
    # The coordinator entering a volunteer's log: the child's external mentor is preselected.
    external = (
        Pairing.objects.open_on(on)
        .filter(child=child, external_mentor__isnull=False)
        .values_list("external_mentor_id", flat=True)
        .first()
    )
    if external:
        initial["external_mentor"] = external
    if kind in ("visit", "guardian"):
        guardian = child.guardians.filter(until__isnull=True).first()
        if kind == "guardian" and guardian:
            initial["guardian_name"] = guardian.name
        if kind == "visit":
            initial["kind"] = suggested_visit_kind(on, term_on(child.school, on))
            if guardian:
                initial["met_whom"] = f"{guardian.get_relation_display()}{guardian.name}"
    return initial
