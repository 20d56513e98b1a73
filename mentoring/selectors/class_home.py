"""The class teacher's home (我的学生 of a 班主任): a summary of each class she heads and who mentors whom in
it, from the badges 我的学生 already computed and the archive's 建档率 (children.selectors), so every page
says the same figures."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q

from caretrack.models import School, SchoolClass
from children.models import ACTIVE_STATUSES, Child
from children.selectors import archive_rates_by_school, term_window
from mentoring.models import CadencePer
from mentoring.selectors._common import term_on
from mentoring.selectors.status import DONE, ChildStatus


@dataclass(frozen=True)
class WhoMentors:
    """One line of 谁在帮扶谁: a child of the class and the names of their mentors (none: 未结对)."""

    status: ChildStatus
    mentors: list[str]

    @property
    def child(self) -> Child:
        return self.status.child


@dataclass
class ClassSummary:
    school_class: SchoolClass
    students: int = 0  # enrolled children of the class
    left_behind: int = 0  # left-behind during the term: the 建档率 population
    archived: int = 0  # of them, with a complete archive
    paired: int = 0  # children in our care with a mentor now: the talks are due for them
    talked: int = 0  # of them, with the talk rule's quota done in its current period
    overdue: int = 0  # of them, with at least one overdue badge
    talk_label: str = "本周谈心"  # 本周谈心, 本月谈心 or 本学期谈心 by the school's rule
    in_term: bool = True
    rows: list[WhoMentors] = field(default_factory=list)

    @property
    def unpaired(self) -> int:
        return sum(1 for row in self.rows if not row.mentors)


def class_summaries(*, user, school: School, on: date, statuses: list[ChildStatus]) -> list[ClassSummary]:
    """For each active class the user heads: its figures and 谁在帮扶谁, the children in our care in class and
    name order. `statuses` are the badges of 我的学生 (they include every child in our care of the user's
    classes). One query for a user who heads no class; four otherwise, whatever the number of children."""
    classes = list(
        SchoolClass.objects.filter(school=school, head_teacher=user)
        .active()
        .annotate(enrolled=Count("children", filter=Q(children__status__in=ACTIVE_STATUSES)))
        .order_by("grade", "number")
    )
    if not classes:
        return []
    summaries = {c.pk: ClassSummary(c, students=c.enrolled) for c in classes}
    term = term_on(school, on)
    start, end, reference = term_window(term, on)
    rates = archive_rates_by_school(schools=[school], start=start, end=end, on=reference, classes=list(summaries))
    rate = rates.get(school.pk)
    for row in rate.by_class if rate else []:
        if row.key in summaries:
            summaries[row.key].left_behind, summaries[row.key].archived = row.total, row.complete
    for summary in summaries.values():
        summary.in_term = term is not None
    seen = set()
    for status in statuses:
        summary = summaries.get(status.child.school_class_id)
        if summary is None or status.child.pk in seen:
            continue
        seen.add(status.child.pk)
        mentors = [p.mentor_name for p in status.pairings]
        summary.rows.append(WhoMentors(status, mentors))
        if status.talk.per:
            summary.talk_label = f"本{CadencePer(status.talk.per).label}谈心"
        if mentors:
            summary.paired += 1
            summary.talked += status.talk.state == DONE
            summary.overdue += status.overdue > 0
    for summary in summaries.values():
        summary.rows.sort(key=lambda row: (row.child.name_initials, row.child.pk))
    return list(summaries.values())
