"""The mentoring figures of the dashboard, the county overview and the term report, grouped by school."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from children.models import Child
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
from mentoring.periods import mondays, month_of, required_weeks, week_of
from mentoring.selectors._common import _as_date, _count, _regroup, _week_index

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

    - left_behind: children on the roll and left-behind at some time in the window (the 建档率 population);
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

    left_behind = Child.objects.filter(school_id__in=ids).on_roll_between(start, end).left_behind_between(start, end)
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
