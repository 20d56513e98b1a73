"""One child's badges (done / due / overdue / off) and a mentor's 我的学生, in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    DateField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from caretrack.models import School, Term
from children.models import Child, LeftBehindType
from mentoring.models import (
    Cadence,
    FamilyContact,
    GuardianContact,
    HomeVisit,
    Pairing,
    Talk,
)
from mentoring.periods import Period, is_required, month_of, visit_windows, week_of
from mentoring.selectors._common import _count, _in, term_on

# --- One child's badges -------------------------------------------------------------------------

DONE, DUE, OVERDUE, OFF = "done", "due", "overdue", "off"
_CSS = {DONE: "success", DUE: "warning", OVERDUE: "danger", OFF: "secondary"}


@dataclass(frozen=True)
class Badge:
    key: str  # "talk", "visit", "guardian", "family"
    state: str  # done / due / overdue / off
    label: str
    done: int = 0
    required: int = 0

    @property
    def css(self) -> str:
        return _CSS[self.state]


@dataclass
class ChildStatus:
    child: Child
    pairings: list
    talk: Badge
    visit: Badge
    guardian: Badge
    family: Badge
    last_talk: date | None = None

    @property
    def badges(self) -> list[Badge]:
        return [self.talk, self.visit, self.guardian, self.family]

    @property
    def overdue(self) -> int:
        return sum(1 for b in self.badges if b.state == OVERDUE)

    @property
    def due(self) -> int:
        return sum(1 for b in self.badges if b.state == DUE)


def _period_badge(key, *, done, required, prev_done, prev_required, labels) -> Badge:
    done_label, due_label, overdue_label = labels
    if done >= required:
        return Badge(key, DONE, done_label, done, required)
    if prev_required and prev_done < required:
        return Badge(key, OVERDUE, overdue_label, done, required)
    return Badge(key, DUE, due_label, done, required)


def _visit_badge(*, done: int, cadence: Cadence, term: Term, on: date, paired_since: date | None) -> Badge:
    k = cadence.visits_per_term
    windows = visit_windows(term.start_date, term.end_date, k)
    started = sum(1 for w in windows if w.start <= on)
    ended_required = sum(
        1 for w in windows if w.end < on and paired_since and w.start >= max(term.start_date, paired_since)
    )
    count = f"{min(done, k)}/{k}" if k > 1 else ("✓" if done else "✗")
    if done >= k:
        return Badge("visit", DONE, f"本学期家访 {count}", done, k)
    if done < ended_required:
        return Badge("visit", OVERDUE, f"家访逾期 {count}", done, k)
    if done >= started:
        return Badge("visit", DONE, f"本学期家访 {count}", done, k)
    return Badge("visit", DUE, f"本学期家访 {count}", done, k)


def annotate_counts(children: QuerySet, *, on: date, term: Term | None) -> QuerySet:
    """Per child: the counts the badges need, in the same SELECT as the children."""
    week = week_of(on)
    month = month_of(on)
    prev_week, prev_month = week.previous_week(), month.previous_month()
    annotations = {
        "last_talk": Subquery(
            Talk.objects.filter(child=OuterRef("pk")).order_by("-date").values("date")[:1], output_field=DateField()
        ),
        "paired_since": Subquery(
            Pairing.objects.open_on(on)
            .filter(child=OuterRef("pk"))
            .order_by()
            .values("child")
            .annotate(m=Min("start_date"))
            .values("m"),
            output_field=DateField(),
        ),
    }
    if term is not None:
        annotations |= {
            "talks_week": _count(Talk, **_in(week, on)),
            "talks_prev_week": _count(Talk, **_in(prev_week)),
            "visits_term": _count(HomeVisit, date__gte=term.start_date, date__lte=on),
            "guardian_month": _count(GuardianContact, **_in(month, on)),
            "guardian_prev_month": _count(GuardianContact, **_in(prev_month)),
            "family_month": _count(FamilyContact, **_in(month, on)),
            "family_prev_month": _count(FamilyContact, **_in(prev_month)),
        }
    return children.annotate(**annotations)


def status_of(child: Child, *, on: date, term: Term | None, cadence: Cadence) -> ChildStatus:
    """Badges from the counts annotate_counts() put on the child."""
    pairings = getattr(child, "open_pairings", [])
    if term is None:
        off = [Badge(k, OFF, "假期中") for k in ("talk", "visit", "guardian", "family")]
        return ChildStatus(child, pairings, *off, last_talk=child.last_talk)
    since = child.paired_since
    week, month = week_of(on), month_of(on)

    def required(period: Period) -> bool:
        return is_required(period, term_start=term.start_date, term_end=term.end_date, paired_since=since)

    talk = _period_badge(
        "talk",
        done=child.talks_week,
        required=cadence.talks_per_week,
        prev_done=child.talks_prev_week,
        prev_required=required(week.previous_week()),
        labels=("本周已谈心", "本周待谈心", "谈心逾期"),
    )
    guardian = _period_badge(
        "guardian",
        done=child.guardian_month,
        required=cadence.guardian_contacts_per_month,
        prev_done=child.guardian_prev_month,
        prev_required=required(month.previous_month()),
        labels=("本月已联系监护人", "本月待联系监护人", "监护人沟通逾期"),
    )
    family = _period_badge(
        "family",
        done=child.family_month,
        required=cadence.family_contacts_per_month,
        prev_done=child.family_prev_month,
        prev_required=required(month.previous_month()),
        labels=("本月亲情联系 ✓", "本月待亲情联系", "亲情联系逾期"),
    )
    visit = _visit_badge(done=child.visits_term, cadence=cadence, term=term, on=on, paired_since=since)
    return ChildStatus(child, pairings, talk, visit, guardian, family, last_talk=child.last_talk)


def child_statuses(children: QuerySet, *, school: School, on: date) -> list[ChildStatus]:
    """Badges for each child: done, due or overdue this week, month and term. Four queries (term,
    cadence, children with counts, their open pairings), whatever the number of children."""
    term = term_on(school, on)
    cadence = Cadence.for_school(school)
    rows = (
        annotate_counts(children, on=on, term=term)
        .select_related("school_class")
        .prefetch_related(
            Prefetch(
                "pairings",
                queryset=Pairing.objects.carried_on(on)
                .select_related("mentor", "external_mentor")
                .order_by("is_secondary"),
                to_attr="open_pairings",
            )
        )
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )
    return [status_of(child, on=on, term=term, cadence=cadence) for child in rows]


def my_students(*, user, school: School, on: date) -> tuple[list[ChildStatus], list[ChildStatus]]:
    """(children paired to the user, other left-behind children of the classes the user heads), only
    children still on the roll: a graduated or transferred child leaves the list the day they leave."""
    paired_ids = Pairing.objects.carried_on(on).filter(mentor=user).values("child_id")
    both = child_statuses(
        Child.objects.filter(school=school)
        .enrolled()
        .filter(
            Q(pk__in=paired_ids)
            | (Q(school_class__head_teacher=user) & ~Q(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND))
        ),
        school=school,
        on=on,
    )
    mine, others = [], []
    for status in both:
        (mine if any(p.mentor_id == user.pk for p in status.pairings) else others).append(status)
    mine.sort(key=lambda s: (-s.overdue, -s.due))  # stable: class and name order otherwise
    return mine, others
