"""The figures of the dashboard, the county overview and the term report PDF. All three call
term_figures(), so they cannot disagree. Queries are grouped by school: the number of queries does not
grow with the number of children or schools. One module past 400 lines on purpose: the school figures,
the county rows and totals and the term keys share the same grouped queries and must not drift apart.

Mentoring and activity figures come from those apps' selectors (reports is the top layer and imports
them directly); a broken selector fails loudly rather than turning into an empty figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from activities.models import Activity, Exam, LectureTopic
from activities.selectors import ActivityFigures, Improvement, activity_figures, improvement_between, photos_for_report
from caretrack.models import LeadingGroupMember, School, Term
from caretrack.selectors import enrolled_students_totals, term_enrolled_students
from children.completeness import complete_q
from children.models import (
    AwayStatus,
    Child,
    Guardian,
    GuardianRelation,
    HardshipType,
    LeftBehindPeriod,
    LeftBehindType,
    Parent,
    hardship_q,
    unsupported_q,
)
from children.selectors import ArchiveRate, archive_rates_by_school
from mentoring.models import FamilyContact, GuardianContact
from mentoring.periods import week_of
from mentoring.selectors import MentoringFigures, mentoring_figures
from reports.figures_store import drifted_schools, stored_figures
from reports.models import FiguresKind

GRANDPARENT_LABELS = {
    GuardianRelation.PATERNAL_GRANDFATHER.label,
    GuardianRelation.PATERNAL_GRANDMOTHER.label,
    GuardianRelation.MATERNAL_GRANDFATHER.label,
    GuardianRelation.MATERNAL_GRANDMOTHER.label,
}
TYPE_ORDER = [LeftBehindType.BOTH_AWAY, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE, LeftBehindType.ONE_AWAY]


@dataclass
class TypeCount:
    key: str
    label: str
    count: int


@dataclass
class SchoolFigures:
    """Everything the reports show about one school for one term window."""

    school: School
    start: date
    end: date
    on: date
    left_behind: int = 0
    by_type: list[TypeCount] = field(default_factory=list)
    provinces: list[tuple[str, int]] = field(default_factory=list)
    guardians: list[tuple[str, int]] = field(default_factory=list)  # current guardians by relation
    archive: ArchiveRate = field(default_factory=lambda: ArchiveRate(total=0, complete=0))
    mentoring: MentoringFigures | None = None  # always set by term_figures()
    activities: ActivityFigures | None = None
    # The term's 在校学生数 (caretrack.selectors: the classes' sum, or the figure kept by a past term);
    # always set by term_figures().
    enrolled_students: int | None = None
    # Children in our care besides 留守 (counts only: the county sees these too, never a name). in_care is
    # 留守 ∪ 困境 ∪ 事实无人抚养, the pairable population that 结对率 is measured against.
    in_care: int = 0
    hardship: int = 0
    unsupported: int = 0
    hardship_by_kind: list[TypeCount] = field(default_factory=list)
    # Set by school_term_figures() (the dashboard and the 工作总结), not by the county overview: the whole
    # term's contacts, the progress between two comparable exams (None without such a pair) and the
    # 心理健康 and 安全 lectures of the term (date, title), oldest first.
    guardian_contacts_term: int = 0
    family_contacts_term: int = 0
    progress: Improvement | None = None
    themed_activities: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    # The Monday of the week under way today (set by school_term_figures() for the current term, else None):
    # its logs are not all in, so the weekly series shows it apart rather than as a fall.
    week_in_progress: date | None = None
    # The stored version these figures were read under (reports.figures_store; None when they were scanned,
    # not read from there): not a figure, never stored nor compared.
    version: str | None = field(default=None, compare=False)

    @property
    def enrolled(self) -> int:
        return self.enrolled_students if self.enrolled_students is not None else self.school.enrolled_students

    @property
    def left_behind_ratio(self) -> float:
        return round(100 * self.left_behind / self.enrolled, 1) if self.enrolled else 0.0

    @property
    def not_archived(self) -> int:
        return self.archive.total - self.archive.complete

    @property
    def parents_away(self) -> int:
        return sum(n for _, n in self.provinces)

    @property
    def grandparent_guardians(self) -> int:
        return sum(n for label, n in self.guardians if label in GRANDPARENT_LABELS)


def term_left_behind(*, schools, start: date, end: date) -> QuerySet:
    """Children of these schools on the roll and left-behind at some time in [start, end] (as archive_rate
    counts): read from their dates, so a child who graduated or transferred later still counts here."""
    return Child.objects.filter(school__in=schools).on_roll_between(start, end).left_behind_between(start, end)


def _types_by_school(children: QuerySet, start: date, end: date) -> dict[int, dict[str, int]]:
    """留守类型 during the window, read from the periods (the latest one overlapping the window), so a
    past term keeps its figures after a parent came home."""
    kind = (
        LeftBehindPeriod.objects.filter(child=OuterRef("pk"), start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .order_by("-start_date")
        .values("kind")[:1]
    )
    # Counted here rather than grouped by the subquery in SQL: one short row per child, on any database.
    rows = children.annotate(term_kind=Subquery(kind)).order_by().values_list("school_id", "term_kind")
    result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for school_id, term_kind in rows:
        result[school_id][term_kind] += 1
    return result


@dataclass
class CareCounts:
    in_care: int = 0
    hardship: int = 0
    unsupported: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _care_by_school(schools, start: date, end: date, *, detail: bool) -> dict[int, CareCounts]:
    """Children on the roll and in our care during the window, and how many of them were 困境 (with detail: by
    category, a child with two counting in each) and 事实无人抚养 then, by the archive's rules read from dated
    records: a record added today leaves an ended term alone. One query."""
    kinds = {f"kind_{kind.value}": Count("pk", filter=hardship_q(start, end, kind)) for kind in HardshipType}
    rows = (
        Child.objects.filter(school__in=schools)
        .on_roll_between(start, end)
        .in_care_between(start, end)
        .order_by()
        .values("school_id")
        .annotate(
            n=Count("pk"),
            hardship=Count("pk", filter=hardship_q(start, end)),
            unsupported=Count("pk", filter=unsupported_q(start, end)),
            **(kinds if detail else {}),
        )
    )
    return {
        r["school_id"]: CareCounts(
            r["n"], r["hardship"], r["unsupported"], {k.value: r.get(f"kind_{k.value}", 0) for k in HardshipType}
        )
        for r in rows
    }


def _provinces_by_school(children: QuerySet) -> dict[int, list[tuple[str, int]]]:
    rows = (
        Parent.objects.filter(
            child__in=children.values("pk"), away_status=AwayStatus.WORKING_AWAY, work_province__isnull=False
        )
        .values("child__school_id", "work_province__name")
        .annotate(n=Count("pk"))
        .order_by("child__school_id", "-n", "work_province__name")
    )
    result: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        result[row["child__school_id"]].append((row["work_province__name"], row["n"]))
    return result


def _archive_totals_by_school(children: QuerySet, on: date) -> dict[int, ArchiveRate]:
    rows = children.values("school_id").annotate(total=Count("pk"), complete=Count("pk", filter=complete_q(on=on)))
    return {row["school_id"]: ArchiveRate(total=row["total"], complete=row["complete"]) for row in rows.order_by()}


def _guardians_by_school(children: QuerySet, on: date) -> dict[int, list[tuple[str, int]]]:
    """The guardian each child had on the day `on`, by relation (grandparents first, as the choices are)."""
    rows = (
        Guardian.objects.filter(child__in=children.values("pk"), since__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .values("child__school_id", "relation")
        .annotate(n=Count("child_id", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        counts[row["child__school_id"]][row["relation"]] = row["n"]
    return {
        school_id: [(label, by_relation[value]) for value, label in GuardianRelation.choices if by_relation.get(value)]
        for school_id, by_relation in counts.items()
    }


def term_figures(*, schools, start: date, end: date, on: date, detail: bool = True) -> dict[int, SchoolFigures]:
    """The figures of each school for the window [start, end], judged on the day `on` (this week, this
    month and completeness are read on that day). Keyed by school id, every school present.
    Without detail (the county overview) the 留守类型, provinces and 建档 detail by class are left out;
    the totals are computed by the same rules."""
    schools = list(schools)
    children = term_left_behind(schools=schools, start=start, end=end)
    if detail:
        types = _types_by_school(children, start, end)
        provinces = _provinces_by_school(children)
        guardians = _guardians_by_school(children, on)
        archives = archive_rates_by_school(schools=schools, start=start, end=end, on=on)
    else:
        types, provinces, guardians = {}, {}, {}
        archives = _archive_totals_by_school(children, on)
    mentoring = mentoring_figures(schools=schools, start=start, end=end, on=on)
    activities = activity_figures(schools=schools, start=start, end=end)
    enrolled = enrolled_students_totals(schools)
    care = _care_by_school(schools, start, end, detail=detail)
    result = {}
    for school in schools:
        counts = types.get(school.pk, {})
        school_care = care.get(school.pk, CareCounts())
        school_kinds = school_care.by_kind
        by_type = [TypeCount(t.value, t.label, counts.get(t.value, 0)) for t in TYPE_ORDER]
        result[school.pk] = SchoolFigures(
            school=school,
            start=start,
            end=end,
            on=on,
            left_behind=sum(counts.values()) if detail else archives.get(school.pk, ArchiveRate(0, 0)).total,
            by_type=by_type,
            provinces=provinces.get(school.pk, []),
            guardians=guardians.get(school.pk, []),
            archive=archives.get(school.pk) or ArchiveRate(total=0, complete=0),
            mentoring=mentoring.get(school.pk) if mentoring is not None else None,
            activities=activities.get(school.pk) if activities is not None else None,
            enrolled_students=enrolled[school.pk],
            in_care=school_care.in_care,
            hardship=school_care.hardship,
            unsupported=school_care.unsupported,
            hardship_by_kind=[
                TypeCount(kind.value, kind.label, school_kinds[kind.value])
                for kind in HardshipType
                if school_kinds.get(kind.value)
            ],
        )
    return result


# --- Terms ---------------------------------------------------------------------------------------


def reference_day(start: date, end: date, today: date | None = None) -> date:
    """Today within the window, its last day for a past term, its first day for a future one."""
    today = today or timezone.localdate()
    return min(max(today, start), end)


def school_terms(school: School) -> list[Term]:
    return list(Term.objects.filter(school=school).order_by("-start_date"))


def choose_term(terms: list[Term], term_id: str | None) -> Term | None:
    """The term asked for (404 when it is not one of these), else the current one, else the latest."""
    if term_id:
        for term in terms:
            if str(term.pk) == term_id:
                return term
        raise Http404("没有找到该学期。")
    return next((t for t in terms if t.is_current), terms[0] if terms else None)


def week_in_progress(*, start: date, end: date, today: date) -> date | None:
    """The Monday of the week still under way on `today`, when today is inside the window [start, end]; None
    for a past or a future term. Today itself is not over, so its week is unfinished even on a Sunday."""
    return week_of(today).start if start <= today <= end else None


def school_term_figures(school: School, term: Term, today: date | None = None) -> SchoolFigures:
    """The figures of the school's dashboard and of its 工作总结 (one call, so the two never disagree): the
    term's window up to today for the current term, the whole term for a past one.

    They are the school's stored row (reports.figures_store), read while no audited change of the school came
    since and the day is the same, else scanned and stored again; a handful of queries either way once
    stored. The exams' progress (it names the two exams) and the week under way are read as they are now."""
    on = reference_day(term.start_date, term.end_date, today)
    figures = stored_school_figures(school, start=term.start_date, end=term.end_date, on=on)
    figures.enrolled_students = term_enrolled_students(term, figures.enrolled_students)
    figures.progress = term_progress(school=school, term=term, on=on)
    figures.week_in_progress = week_in_progress(
        start=term.start_date, end=term.end_date, today=today or timezone.localdate()
    )
    return figures


def stored_school_figures(school: School, *, start: date, end: date, on: date) -> SchoolFigures:
    """The school's figures with detail for the window [start, end] on the day `on`, from its stored row
    when that is up to date, else scanned (scan_school_figures) and stored."""
    return stored_figures(
        [school],
        kind=FiguresKind.SCHOOL,
        start=start,
        end=end,
        day=on,
        figures_type=SchoolFigures,
        compute=lambda stale: {school.pk: scan_school_figures(school, start=start, end=end, on=on)},
    )[school.pk]


def scan_school_figures(school: School, *, start: date, end: date, on: date) -> SchoolFigures:
    """What school_term_figures stores: term_figures with the whole window's contacts and themed lectures."""
    figures = term_figures(schools=[school], start=start, end=end, on=on)[school.pk]
    for model, attr in ((GuardianContact, "guardian_contacts_term"), (FamilyContact, "family_contacts_term")):
        setattr(figures, attr, model.objects.filter(child__school=school, date__gte=start, date__lte=on).count())
    figures.themed_activities = themed_activities(school=school, start=start, end=end)
    return figures


def school_figures_drift(*, school: School, term: Term) -> bool:
    """True when the school's stored dashboard figures differ from a scan (a change made outside the audited
    services); they are then scanned again at the next read. For the nightly check."""
    on = reference_day(term.start_date, term.end_date)
    return bool(
        drifted_schools(
            [school],
            kind=FiguresKind.SCHOOL,
            start=term.start_date,
            end=term.end_date,
            day=on,
            figures_type=SchoolFigures,
            compute=lambda stale: {
                school.pk: scan_school_figures(school, start=term.start_date, end=term.end_date, on=on)
            },
        )
    )


# Lectures whose topic gives the 工作总结 a part of its own (心理健康教育, 安全教育).
THEMED_TOPICS = (LectureTopic.PSYCHOLOGY, LectureTopic.SAFETY)


def themed_activities(*, school: School, start: date, end: date) -> dict[str, list[tuple[date, str]]]:
    """The school's 心理健康 and 安全 activities of the window by topic (only topics that have some)."""
    result: dict[str, list[tuple[date, str]]] = {}
    rows = (
        Activity.objects.filter(school=school, date__range=(start, end), topic__in=THEMED_TOPICS)
        .order_by("date", "pk")
        .values_list("topic", "date", "title")
    )
    for topic, day, title in rows:
        result.setdefault(topic, []).append((day, title))
    return result


def comparable_exams(*, school: School, term: Term, on: date) -> tuple[Exam, Exam] | None:
    """The latest exam of the term sat by `on` and the latest earlier exam of the same kind and full score
    (the same subjects) in this term or the one before: 期中 against 期中, 月考 against 月考. None when the
    school has no such pair, so nobody claims progress from a 月考 against a 期中. One query."""
    exams = list(
        Exam.objects.filter(school=school, date__lte=on)
        .filter(Q(term=term) | Q(term__end_date__lt=term.start_date))
        .annotate(term_end=F("term__end_date"))
        .order_by("-date", "-pk")
    )
    before = max((e.term_end for e in exams if e.term_id != term.pk), default=None)
    exams = [e for e in exams if e.term_id == term.pk or e.term_end == before]  # this term and the one before
    for i, after in enumerate(exams):
        if after.term_id != term.pk:
            continue
        for earlier in exams[i + 1 :]:
            if earlier.kind == after.kind and earlier.full_score == after.full_score and earlier.date < after.date:
                return earlier, after
    return None


def term_progress(*, school: School, term: Term, on: date) -> Improvement | None:
    """How many of the term's left-behind children did better in the later of two comparable exams."""
    pair = comparable_exams(school=school, term=term, on=on)
    if pair is None:
        return None
    children = term_left_behind(schools=[school], start=term.start_date, end=term.end_date)
    result = improvement_between(first=pair[0], second=pair[1], children=children)
    return result if result.compared else None


def leading_group(school: School) -> list[LeadingGroupMember]:
    return list(LeadingGroupMember.objects.filter(school=school).select_related("user").order_by("order", "pk"))


# --- County --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermKey:
    """A term across schools: each school has its own Term row (and maybe its own dates) for 2026 第一学期."""

    start_year: int
    semester: int

    @property
    def slug(self) -> str:
        return f"{self.start_year}-{self.semester}"

    @property
    def label(self) -> str:
        return f"{self.start_year}-{self.start_year + 1}学年第{'一' if self.semester == 1 else '二'}学期"

    @classmethod
    def parse(cls, text: str) -> TermKey:
        try:
            year, semester = (int(part) for part in text.split("-"))
        except ValueError:
            raise Http404("没有找到该学期。") from None
        return cls(year, semester)


def county_term_keys(schools) -> tuple[list[TermKey], TermKey | None]:
    """The terms the schools have (newest first) and the default one (the newest current term)."""
    rows = Term.objects.filter(school__in=schools).values_list("start_year", "semester", "is_current").distinct()
    keys = sorted({TermKey(y, s) for y, s, _ in rows}, key=lambda k: (k.start_year, k.semester), reverse=True)
    current = sorted({TermKey(y, s) for y, s, c in rows if c}, key=lambda k: (k.start_year, k.semester))
    return keys, (current[-1] if current else (keys[0] if keys else None))


@dataclass
class CountyRow:
    school: School
    term: Term | None
    figures: SchoolFigures | None
    enrolled_students: int = 0  # the school's 在校学生数 today (shown when it has no such term)


SORT_KEYS = {
    "name": lambda r: r.school.name,
    "left_behind": lambda r: r.figures.left_behind if r.figures else -1,
    "ratio": lambda r: r.figures.left_behind_ratio if r.figures else -1,
    "archive": lambda r: r.figures.archive.rate if r.figures else -1,
    "hardship": lambda r: r.figures.hardship if r.figures else -1,
    "unsupported": lambda r: r.figures.unsupported if r.figures else -1,
    "pairing": lambda r: _mentoring_value(r, "pairing_coverage"),
    "talks": lambda r: _mentoring_value(r, "talk_compliance_term"),
    "visits": lambda r: _mentoring_value(r, "visit_coverage_term"),
    "activities": lambda r: _activity_value(r, "activities"),
    "aid": lambda r: _activity_value(r, "aid_total_yuan"),
}


def _mentoring_value(row: CountyRow, name: str):
    m = row.figures.mentoring if row.figures else None
    return getattr(m, name, -1) if m is not None else -1


def _activity_value(row: CountyRow, name: str):
    a = row.figures.activities if row.figures else None
    return getattr(a, name, -1) if a is not None else -1


def county_rows(*, schools, key: TermKey, sort: str = "name", today: date | None = None) -> list[CountyRow]:
    """One row per school for the term `key`. Schools whose term has the same dates are computed together,
    so the query count depends on how many distinct term calendars there are, not on the schools."""
    schools = list(schools.order_by("name")) if isinstance(schools, QuerySet) else list(schools)
    terms = {
        t.school_id: t
        for t in Term.objects.filter(school__in=schools, start_year=key.start_year, semester=key.semester)
    }
    windows: dict[tuple[date, date], list[School]] = defaultdict(list)
    for school in schools:
        term = terms.get(school.pk)
        if term is not None:
            windows[(term.start_date, term.end_date)].append(school)
    figures: dict[int, SchoolFigures] = {}
    for (start, end), group in windows.items():
        on = reference_day(start, end, today)
        figures.update(_cached_county_figures(group, start=start, end=end, on=on))
    enrolled = enrolled_students_totals(schools)
    for pk, term in terms.items():
        if pk in figures:
            figures[pk].enrolled_students = term_enrolled_students(term, enrolled[pk])
    rows = [
        CountyRow(school=s, term=terms.get(s.pk), figures=figures.get(s.pk), enrolled_students=enrolled[s.pk])
        for s in schools
    ]
    field_name = sort.lstrip("-")
    if field_name in SORT_KEYS:
        rows.sort(key=SORT_KEYS[field_name], reverse=sort.startswith("-"))
    return rows


# The county overview would recompute every school's term figures (tens of thousands of children, millions
# of logs at county scale): each school's figures are stored as one row per term window (reports.figures_store),
# read while no audited change of the school came since and the day is the same, so a change shows at once on
# every app server and an emptied cache still reads rows. Only the schools that changed are computed again.


def _cached_county_figures(schools: list[School], *, start: date, end: date, on: date) -> dict[int, SchoolFigures]:
    return stored_figures(
        schools,
        kind=FiguresKind.COUNTY,
        start=start,
        end=end,
        day=on,
        figures_type=SchoolFigures,
        compute=lambda stale: term_figures(schools=stale, start=start, end=end, on=on, detail=False),
    )


def county_figures_drift(*, schools, start: date, end: date, on: date) -> list[int]:
    """The schools whose stored county figures differ from a scan (a change made outside the audited
    services); their rows are dropped so the overview scans them again. For a nightly check."""
    return drifted_schools(
        list(schools),
        kind=FiguresKind.COUNTY,
        start=start,
        end=end,
        day=on,
        figures_type=SchoolFigures,
        compute=lambda stale: term_figures(schools=stale, start=start, end=end, on=on, detail=False),
    )


@dataclass
class CountyTotals:
    schools: int = 0
    enrolled: int = 0
    left_behind: int = 0
    hardship: int = 0
    unsupported: int = 0
    archive_total: int = 0
    archive_complete: int = 0
    paired: int | None = None
    mentoring_base: int = 0
    talk_weighted: float = 0.0
    visit_weighted: float = 0.0
    activities: int | None = None
    aid_total_yuan: Decimal | None = None

    @property
    def left_behind_ratio(self) -> float:
        return round(100 * self.left_behind / self.enrolled, 1) if self.enrolled else 0.0

    @property
    def archive_rate(self) -> float:
        return round(100 * self.archive_complete / self.archive_total, 1) if self.archive_total else 0.0

    @property
    def pairing_coverage(self) -> float | None:
        if self.paired is None:
            return None
        return round(100 * self.paired / self.mentoring_base, 1) if self.mentoring_base else 0.0

    @property
    def talk_compliance_term(self) -> float | None:
        if self.paired is None:
            return None
        return round(self.talk_weighted / self.paired, 1) if self.paired else 0.0

    @property
    def visit_coverage_term(self) -> float | None:
        if self.paired is None:
            return None
        return round(self.visit_weighted / self.paired, 1) if self.paired else 0.0


def county_totals(rows: list[CountyRow]) -> CountyTotals:
    """Sums of counts; rates recomputed from the summed counts (compliance weighted by paired children)."""
    totals = CountyTotals()
    for row in rows:
        f = row.figures
        if f is None:
            continue
        totals.schools += 1
        totals.enrolled += f.enrolled
        totals.left_behind += f.left_behind
        totals.hardship += f.hardship
        totals.unsupported += f.unsupported
        totals.archive_total += f.archive.total
        totals.archive_complete += f.archive.complete
        m = f.mentoring
        if m is not None:
            totals.paired = (totals.paired or 0) + m.paired
            totals.mentoring_base += m.left_behind
            # Compliance and visit coverage are shares of the paired children: weight them by those.
            totals.talk_weighted += float(m.talk_compliance_term) * m.paired
            totals.visit_weighted += float(m.visit_coverage_term) * m.paired
        a = f.activities
        if a is not None:
            totals.activities = (totals.activities or 0) + a.activities
            totals.aid_total_yuan = (totals.aid_total_yuan or Decimal("0")) + a.aid_total_yuan
    return totals


# --- Photos --------------------------------------------------------------------------------------


@dataclass
class ReportPhoto:
    pk: object
    file: object  # a path or a file-like object reportlab can read
    caption: str
    day: date | None = None


def _photo_file(photo):
    for name in ("image", "photo", "file"):
        f = getattr(photo, name, None)
        if f:
            try:
                return f.path
            except (NotImplementedError, ValueError):
                from io import BytesIO

                with f.open("rb") as handle:
                    return BytesIO(handle.read())
    return None


def _photo_caption(photo) -> str:
    caption = getattr(photo, "label", "") or getattr(photo, "caption", "") or ""
    activity = getattr(photo, "activity", None)
    if not caption and activity is not None:
        caption = str(activity)
    return caption


def candidate_photos(*, school: School, term: Term) -> list:
    """Activity photos of the term the coordinator may pick for the report."""
    return list(photos_for_report(school=school, start=term.start_date, end=term.end_date))


def report_photos(*, school: School, term: Term, chosen: list[dict]) -> list[ReportPhoto]:
    """The picked photos that still exist, with the caption typed in the report (or the photo's own)."""
    if not chosen:
        return []
    available = {str(p.pk): p for p in candidate_photos(school=school, term=term)}
    result = []
    for item in chosen:
        photo = available.get(str(item.get("id")))
        if photo is None:
            continue
        file = _photo_file(photo)
        if file is None:
            continue
        activity = getattr(photo, "activity", None)
        day = getattr(photo, "date", None) or getattr(activity, "date", None)
        result.append(ReportPhoto(photo.pk, file, item.get("caption") or _photo_caption(photo), day))
    return result
