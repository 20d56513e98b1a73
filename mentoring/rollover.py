"""Mentoring's section of the term-start checklist (caretrack.rollover), registered in MentoringConfig.ready():
the pairings carried into the new term, grouped by mentor, each kept (the default: nothing to do) or ended
with a reason through mentoring:pairing_end; the mentors over the school's cap; and the pairings of children
who are no longer left-behind today, suggested for ending. Ending happens today: pairings have dates, so
the previous term's figures do not move."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from caretrack.models import School, Term
from caretrack.rollover import ChecklistSection, SectionProvider
from children.models import Child
from mentoring.models import Pairing, PairingEndReason

POSITION = 30


@dataclass(frozen=True)
class PairingRow:
    pairing: Pairing
    still_left_behind: bool

    @property
    def mentor_left(self) -> bool:
        """The teacher's account is deactivated (离职) but the pairing was never ended (older records)."""
        return bool(self.pairing.mentor_id and not self.pairing.mentor.is_active)

    @property
    def suggested_reason(self) -> str:
        """What the end form offers first: 教师离职 or 不再属于留守儿童 when that is why it should end."""
        if self.mentor_left:
            return PairingEndReason.MENTOR_LEFT
        return PairingEndReason.TERM_CHANGE if self.still_left_behind else PairingEndReason.NO_LONGER_LEFT_BEHIND


@dataclass
class MentorGroup:
    name: str
    is_external: bool
    rows: list[PairingRow] = field(default_factory=list)
    over_cap: bool = False

    @property
    def load(self) -> int:
        return len(self.rows)


def carried_pairings(*, school: School, on: date) -> list[PairingRow]:
    """The school's pairings carried on `on`, each flagged whether the child is still left-behind that day
    (one query)."""
    still = Child.objects.filter(pk=OuterRef("child_id")).left_behind_on(on)
    pairings = (
        Pairing.objects.carried_on(on)
        .filter(child__school=school)
        .annotate(still_left_behind=Exists(still))
        .select_related("child__school_class", "mentor", "external_mentor")
        .order_by(
            "mentor__first_name", "mentor_id", "external_mentor__name", "external_mentor_id", "child__name_initials"
        )
    )
    return [PairingRow(p, p.still_left_behind) for p in pairings]


def group_by_mentor(rows: list[PairingRow], *, limit: int) -> list[MentorGroup]:
    groups: dict[tuple, MentorGroup] = {}
    for row in rows:
        p = row.pairing
        key = ("u", p.mentor_id) if p.mentor_id else ("x", p.external_mentor_id)
        group = groups.setdefault(key, MentorGroup(name=p.mentor_name, is_external=not p.mentor_id))
        group.rows.append(row)
    for group in groups.values():
        group.over_cap = group.load > limit
    return list(groups.values())


def build_section(*, school: School, term: Term, user) -> ChecklistSection:
    title = "结对帮扶：继续或结束"
    today = timezone.localdate()
    rows = carried_pairings(school=school, on=today)
    if not rows:
        return ChecklistSection(title=title, empty_text="本校目前没有进行中的结对。")
    limit = school.max_children_per_mentor
    groups = group_by_mentor(rows, limit=limit)
    context = {
        "groups": groups,
        "over_cap": [g for g in groups if g.over_cap],
        "suggested": [r for r in rows if not r.still_left_behind],
        "limit": limit,
        "today": today,
        "end_reasons": PairingEndReason.choices,
        "back": reverse("rollover:checklist"),
    }
    return ChecklistSection(title=title, template="mentoring/rollover_section.html", context=context)


PROVIDER = SectionProvider(position=POSITION, build=build_section)
