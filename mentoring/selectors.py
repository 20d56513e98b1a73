"""Queries that read the mentoring work: a child's done/due/overdue badges, a mentor's board, the
待结对 list, and the figures the dashboard, the county overview and the term report show.

Every function here runs a fixed number of queries whatever the number of children or schools:
per-child counts are correlated subqueries in one SELECT, per-school figures are GROUP BY school.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from caretrack.models import School, StaffProfile, Term
from children.models import Child, LeftBehindType
from mentoring.models import (
    Cadence,
    Concern,
    ConcernStatus,
    FamilyContact,
    GuardianContact,
    HomeVisit,
    Pairing,
    Talk,
)
from mentoring.periods import Period, is_required, mondays, month_of, required_weeks, visit_windows, week_of

# --- Helpers --------------------------------------------------------------------------------------


def term_on(school: School, on: date) -> Term | None:
    """The school's term running on a day; None in the holidays."""
    return Term.objects.filter(school=school).containing(on).first()


def _count(model, **filters):
    """Correlated COUNT of a child's rows, 0 when none: one subquery per figure, no join fan-out."""
    rows = (
        model.objects.filter(child=OuterRef("pk"), **filters)
        .order_by()
        .values("child")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _in(period: Period, until: date | None = None) -> dict:
    return {"date__gte": period.start, "date__lte": min(period.end, until) if until else period.end}


def _as_date(value) -> date:
    # Raw cursors return dates as text on SQLite.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _week_index(weeks: list[date]) -> Case:
    """The index of the week (in `weeks`, a list of Mondays) a log's date falls in, as a plain CASE:
    portable, and much faster on SQLite than a date-truncation function called for every row."""
    return Case(
        *[
            When(date__gte=monday, date__lte=monday + timedelta(days=6), then=Value(i))
            for i, monday in enumerate(weeks)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )


def _regroup(inner: QuerySet, keys: list[str]) -> list[tuple]:
    """COUNT(*) of an already grouped queryset's rows, grouped again by some of its columns: e.g. how
    many (child, week) groups reached the weekly quota, per school, in one query."""
    sql, params = inner.query.sql_with_params()
    cols = ", ".join(connection.ops.quote_name(k) for k in keys)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols}, COUNT(*) FROM ({sql}) grouped GROUP BY {cols}", params)
        return cursor.fetchall()


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
                queryset=Pairing.objects.open_on(on)
                .select_related("mentor", "external_mentor")
                .order_by("is_secondary"),
                to_attr="open_pairings",
            )
        )
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )
    return [status_of(child, on=on, term=term, cadence=cadence) for child in rows]


def my_students(*, user, school: School, on: date) -> tuple[list[ChildStatus], list[ChildStatus]]:
    """(children paired to the user, other left-behind children of the classes the user heads)."""
    paired_ids = Pairing.objects.open_on(on).filter(mentor=user).values("child_id")
    both = child_statuses(
        Child.objects.filter(school=school).filter(
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


# --- The coordinator's lists ----------------------------------------------------------------------


@dataclass
class MentorRow:
    name: str
    is_external: bool
    organisation: str
    statuses: list[ChildStatus] = field(default_factory=list)
    pairings: list = field(default_factory=list)

    @property
    def load(self) -> int:
        return len(self.pairings)

    @property
    def overdue(self) -> int:
        """Children with at least one overdue badge."""
        return sum(1 for s in self.statuses if s.overdue)

    @property
    def due(self) -> int:
        """Children with something still to do this week/month/term, none of it overdue."""
        return sum(1 for s in self.statuses if s.due and not s.overdue)


def mentor_board(*, school: School, on: date) -> list[MentorRow]:
    """Every mentor of the school with their children and badges (5 queries)."""
    pairings = list(
        Pairing.objects.open_on(on)
        .filter(child__school=school)
        .select_related("mentor", "external_mentor", "child")
        .order_by("mentor__first_name", "external_mentor__name", "child__name_initials")
    )
    statuses = {
        s.child.pk: s
        for s in child_statuses(Child.objects.filter(pk__in=[p.child_id for p in pairings]), school=school, on=on)
    }
    rows: dict[tuple, MentorRow] = {}
    for p in pairings:
        key = ("u", p.mentor_id) if p.mentor_id else ("x", p.external_mentor_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = MentorRow(
                name=p.mentor_name,
                is_external=not p.mentor_id,
                organisation=p.external_mentor.organisation if p.external_mentor_id else "",
            )
        row.pairings.append(p)
        row.statuses.append(statuses[p.child_id])
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.is_external, r.name))


def unpaired_children(*, school: School, on: date) -> QuerySet:
    """待结对: enrolled left-behind children without a running (first) mentor."""
    return (
        Child.objects.filter(school=school)
        .enrolled()
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .exclude(Exists(Pairing.objects.open_on(on).filter(child=OuterRef("pk"), is_secondary=False)))
        .select_related("school_class__head_teacher")
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )


@dataclass(frozen=True)
class MentorOption:
    user_id: int
    name: str
    load: int
    gender: str


def mentor_options(*, school: School, on: date) -> list[MentorOption]:
    """Teachers of the school with how many children each has now, fewest first (one query)."""
    running = (
        Pairing.objects.open_on(on)
        .filter(mentor=OuterRef("user"))
        .order_by()
        .values("mentor")
        .annotate(c=Count("pk"))
        .values("c")
    )
    load = Coalesce(Subquery(running, output_field=IntegerField()), Value(0))
    profiles = (
        StaffProfile.objects.filter(school=school, is_teacher=True, user__is_active=True)
        .annotate(load=load)
        .select_related("user")
        .order_by("load", "user__first_name", "pk")
    )
    return [
        MentorOption(p.user_id, p.user.get_full_name() or p.user.get_username(), p.load, p.gender) for p in profiles
    ]


def suggestions_for(child: Child, options: list[MentorOption], limit: int, size: int = 4) -> list[MentorOption]:
    """The child's own class teacher first (if under the limit), then the least loaded teachers."""
    head = child.school_class.head_teacher_id
    under = [o for o in options if o.load < limit]
    first = [o for o in under if o.user_id == head]
    return first + [o for o in under if o.user_id != head][: size - len(first)]


def plan_pairings(children: list[Child], options: list[MentorOption], limit: int) -> dict[int, int]:
    """A first proposal for the whole 待结对 list (child id → teacher id), giving out places one child
    at a time so that nobody goes over the limit: the class teacher if they have room, else the
    teacher with the fewest children. Children left out of the plan have no teacher with room."""
    load = {o.user_id: o.load for o in options}
    plan = {}
    for child in children:
        head = child.school_class.head_teacher_id
        if head in load and load[head] < limit:
            choice = head
        else:
            candidates = [pk for pk, n in load.items() if n < limit]
            if not candidates:
                continue
            choice = min(candidates, key=lambda pk: load[pk])
        plan[child.pk] = choice
        load[choice] += 1
    return plan


def open_concerns(queryset: QuerySet) -> QuerySet:
    return queryset.filter(status=ConcernStatus.OPEN)


def concern_list(queryset: QuerySet) -> QuerySet:
    """The 待处理 list: open first, oldest open first; each with its child and people."""
    return queryset.select_related("child__school_class", "raised_by", "closed_by").order_by(
        "status", F("closed_at").desc(nulls_first=True), "raised_on", "pk"
    )


# --- Figures for the dashboard, the county overview and the term report ----------------------------


@dataclass
class MentoringFigures:
    left_behind: int = 0
    paired: int = 0
    pairing_coverage: float = 0.0
    mentor_load: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0, 4: 0})
    talks_this_week: int = 0
    children_talked_this_week: int = 0
    talk_compliance_week: float = 0.0
    talks_term: int = 0
    talk_compliance_term: float = 0.0
    visits_term: int = 0
    visit_coverage_term: float = 0.0
    guardian_contacts_month: int = 0
    family_contacts_month: int = 0
    open_concerns: int = 0
    weekly_talks: list[tuple[date, int]] = field(default_factory=list)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _school_ids(schools) -> list[int]:
    if isinstance(schools, QuerySet):
        return list(schools.values_list("pk", flat=True))
    return [s if isinstance(s, int) else s.pk for s in schools]


def mentoring_figures(*, schools, start: date, end: date, on: date) -> dict[int, MentoringFigures]:
    """Per school, the mentoring figures of the window [start, end] as of `on` (the reference day is
    min(end, on)). Fourteen queries whatever the number of schools and children.

    - left_behind: enrolled children left-behind at some time in the window (the 建档率 population);
    - paired: those of them with a pairing during the window (up to the reference day);
    - compliance figures count only those paired left-behind children; raw counts count every log;
    - talk_compliance_term: weeks with the required number of talks ÷ required weeks, where a week is
      required when it lies wholly inside the term and the child's pairing and has ended by the
      reference day (see mentoring.periods);
    - visit_coverage_term: share of paired children with at least the school's required visits.
    """
    ids = _school_ids(schools)
    figures = {pk: MentoringFigures() for pk in ids}
    if not ids:
        return figures
    ref = max(min(end, on), start)
    cadences = {c.school_id: c for c in Cadence.objects.filter(school_id__in=ids)}

    def cadence(pk: int) -> Cadence:
        return cadences.get(pk) or Cadence()

    left_behind = Child.objects.filter(school_id__in=ids).enrolled().left_behind_between(start, end)
    for row in left_behind.order_by().values("school_id").annotate(n=Count("pk")):
        figures[row["school_id"]].left_behind = row["n"]

    paired = left_behind.filter(Exists(Pairing.objects.overlapping(start, ref).filter(child=OuterRef("pk"))))
    week = week_of(ref)
    week_start = max(week.start, start)
    k_talk = Coalesce(
        Subquery(Cadence.objects.filter(school=OuterRef("school")).values("talks_per_week")[:1]), Value(1)
    )
    k_visit = Coalesce(
        Subquery(Cadence.objects.filter(school=OuterRef("school")).values("visits_per_term")[:1]), Value(1)
    )
    per_child = paired.annotate(
        talks_week=_count(Talk, date__gte=week_start, date__lte=ref),
        visits=_count(HomeVisit, date__gte=start, date__lte=ref),
        k_talk=k_talk,
        k_visit=k_visit,
        paired_now=Exists(Pairing.objects.open_on(ref).filter(child=OuterRef("pk"))),
    )
    for row in (
        per_child.order_by()
        .values("school_id")
        .annotate(
            n=Count("pk"),
            now=Count("pk", filter=Q(paired_now=True)),
            talked=Count("pk", filter=Q(paired_now=True, talks_week__gte=F("k_talk"))),
            visited=Count("pk", filter=Q(visits__gte=F("k_visit"))),
        )
    ):
        f = figures[row["school_id"]]
        f.paired = row["n"]
        f.talk_compliance_week = _pct(row["talked"], row["now"])
        f.visit_coverage_term = _pct(row["visited"], row["n"])

    # Required weeks: per school and first pairing day, how many children.
    since = (
        Pairing.objects.overlapping(start, ref)
        .filter(child__in=paired.values("pk"))
        .annotate(school=F("child__school_id"))
        .order_by()
        .values("school", "child_id")
        .annotate(since=Min("start_date"))
        .values("school", "since")
    )
    required: dict[int, int] = defaultdict(int)
    for school_id, since_day, n in _regroup(since, ["school", "since"]):
        weeks = required_weeks(start=start, reference=ref, term_end=end, paired_since=_as_date(since_day))
        required[school_id] += weeks * n * cadence(school_id).talks_per_week

    # Done weeks: (child, whole week) groups reaching the school's quota.
    first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
    last_sunday = min(ref, end) - timedelta(days=(min(ref, end).weekday() + 1) % 7)
    done: dict[int, int] = defaultdict(int)
    if last_sunday > first_monday:
        child_weeks = (
            Talk.objects.filter(child__in=paired.values("pk"), date__gte=first_monday, date__lte=last_sunday)
            .annotate(school=F("child__school_id"), week=_week_index(mondays(first_monday, last_sunday)))
            .order_by()
            .values("school", "child_id", "week")
            .annotate(n=Count("pk"))
            .values("school", "n")
        )
        for school_id, n, groups in _regroup(child_weeks, ["school", "n"]):
            k = cadence(school_id).talks_per_week
            done[school_id] += groups * min(n, k)
    for pk in ids:
        figures[pk].talk_compliance_term = _pct(min(done[pk], required[pk]), required[pk])

    # Mentor load on the reference day.
    for row in (
        Pairing.objects.open_on(ref)
        .filter(child__school_id__in=ids)
        .order_by()
        .values("child__school_id", "mentor_id", "external_mentor_id")
        .annotate(n=Count("pk"))
    ):
        figures[row["child__school_id"]].mentor_load[min(row["n"], 4)] += 1

    month = month_of(ref)
    talks = Talk.objects.filter(child__school_id__in=ids, date__gte=start, date__lte=ref)
    for row in (
        talks.order_by()
        .values("child__school_id")
        .annotate(
            term=Count("pk"),
            week=Count("pk", filter=Q(date__gte=week_start)),
            children=Count("child", filter=Q(date__gte=week_start), distinct=True),
        )
    ):
        f = figures[row["child__school_id"]]
        f.talks_term, f.talks_this_week, f.children_talked_this_week = row["term"], row["week"], row["children"]
    for model, attr, since_day in (
        (HomeVisit, "visits_term", start),
        (GuardianContact, "guardian_contacts_month", max(month.start, start)),
        (FamilyContact, "family_contacts_month", max(month.start, start)),
    ):
        for row in (
            model.objects.filter(child__school_id__in=ids, date__gte=since_day, date__lte=ref)
            .order_by()
            .values("child__school_id")
            .annotate(n=Count("pk"))
        ):
            setattr(figures[row["child__school_id"]], attr, row["n"])
    for row in (
        Concern.objects.filter(child__school_id__in=ids, status=ConcernStatus.OPEN)
        .order_by()
        .values("child__school_id")
        .annotate(n=Count("pk"))
    ):
        figures[row["child__school_id"]].open_concerns = row["n"]

    weeks = mondays(start, ref)
    by_week: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        talks.annotate(week=_week_index(weeks)).order_by().values("child__school_id", "week").annotate(n=Count("pk"))
    ):
        by_week[row["child__school_id"]][row["week"]] = row["n"]
    for pk in ids:
        figures[pk].weekly_talks = [(monday, by_week[pk].get(i, 0)) for i, monday in enumerate(weeks)]
        figures[pk].pairing_coverage = _pct(figures[pk].paired, figures[pk].left_behind)
    return figures


# --- For the Excel export and the term report ------------------------------------------------------


def talks_in_term(*, school: School, start: date, end: date) -> QuerySet:
    return (
        Talk.objects.filter(child__school=school, date__gte=start, date__lte=end)
        .select_related("child__school_class", "author", "external_mentor", "concern")
        .order_by("date", "pk")
    )


def visits_in_term(*, school: School, start: date, end: date) -> QuerySet:
    return (
        HomeVisit.objects.filter(child__school=school, date__gte=start, date__lte=end)
        .select_related("child__school_class", "author", "external_mentor", "concern")
        .order_by("date", "pk")
    )


def talk_counts_by_child(*, school: School, start: date, end: date) -> dict[int, tuple[int, int]]:
    """{child id: (talks, home visits)} in [start, end] for the school's children (two queries)."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for index, model in enumerate((Talk, HomeVisit)):
        for row in (
            model.objects.filter(child__school=school, date__gte=start, date__lte=end)
            .order_by()
            .values("child_id")
            .annotate(n=Count("pk"))
        ):
            counts[row["child_id"]][index] = row["n"]
    return {pk: (talks, visits) for pk, (talks, visits) in counts.items()}
