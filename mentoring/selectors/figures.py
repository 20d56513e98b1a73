"""The mentoring figures of the dashboard, the county overview and the term report, grouped by school."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from children.models import Child
from mentoring.models import (
    LOG_MODELS,
    CadenceKind,
    CadencePer,
    CadenceRule,
    Concern,
    FamilyContact,
    GuardianContact,
    HomeVisit,
    Pairing,
    Talk,
)
from mentoring.periods import mondays, month_of, period_of, required_periods, week_of, whole_periods
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
    # The school's rules the compliance figures follow (每周1次 …; per: week, month or term).
    talk_rule: str = "每周1次"
    talk_per: str = "week"
    visit_rule: str = "每学期1次"
    visit_per: str = "term"

    @property
    def talk_current_label(self) -> str:
        """本周谈心达标率, or 本月/本学期 when the school's talk rule is per month or term."""
        return f"本{CadencePer(self.talk_per).label}谈心达标率"

    @property
    def visit_term_label(self) -> str:
        """家访覆盖率 (children with the term's visits) for a per-term rule; 达标率 (periods done) otherwise."""
        return "本学期家访覆盖率" if self.visit_per == CadencePer.TERM else "本学期家访达标率"


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _school_ids(schools) -> list[int]:
    if isinstance(schools, QuerySet):
        return list(schools.values_list("pk", flat=True))
    return [s if isinstance(s, int) else s.pk for s in schools]


# The compliance figures and the log kind whose rule each follows.
COMPLIANCE_KINDS = {CadenceKind.TALK: "talk_compliance_term", CadenceKind.VISIT: "visit_coverage_term"}


def _meets(rules: dict, kind: str, field_name: str, *, pers) -> Q | None:
    """A condition on a per-child count: at least the school's `times` for its rule of `kind`, for the
    schools whose rule is per one of `pers` (schools grouped by rule, so the SQL stays small)."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for pk, school_rules in rules.items():
        rule = school_rules[kind]
        if rule.per in pers:
            groups[(rule.per, rule.times)].append(pk)
    condition = None
    for (per, times), school_ids in groups.items():
        part = Q(school_id__in=school_ids, **{f"{field_name.format(per=per)}__gte": times})
        condition = part if condition is None else condition | part
    return condition


def _period_compliance(rules, *, paired, ids, start, end, ref):
    """For per-week and per-month rules: per kind and school, the required (child, period) quota
    (whole periods inside the term and the pairing, ended by the reference day, times the rule's
    times) and how much of it was done (each child's logs in each whole period, capped at the
    quota). Two queries for every kind and school together."""
    required = {kind: defaultdict(int) for kind in COMPLIANCE_KINDS}
    done = {kind: defaultdict(int) for kind in COMPLIANCE_KINDS}
    calendar = {
        kind: {pk: rules[pk][kind] for pk in ids if rules[pk][kind].per != CadencePer.TERM} for kind in COMPLIANCE_KINDS
    }
    if not any(calendar.values()):
        return required, done

    # Required: per school and first pairing day, how many children.
    since = (
        Pairing.objects.overlapping(start, ref)
        .filter(child__in=paired.values("pk"))
        .annotate(school=F("child__school_id"))
        .order_by()
        .values("school", "child_id")
        .annotate(since=Min("start_date"))
        .values("school", "since")
    )
    for school_id, since_day, n in _regroup(since, ["school", "since"]):
        for kind, school_rules in calendar.items():
            rule = school_rules.get(school_id)
            if rule is not None:
                periods = required_periods(
                    per=rule.per, start=start, reference=ref, term_end=end, paired_since=_as_date(since_day)
                )
                required[kind][school_id] += periods * n * rule.times

    # Done: (kind, child, whole period) groups and their log counts, regrouped by count.
    last = min(ref, end)
    parts = []
    for kind, school_rules in calendar.items():
        by_per = defaultdict(list)
        for pk, rule in school_rules.items():
            by_per[rule.per].append(pk)
        whens = []
        for offset, per in ((0, CadencePer.WEEK), (10_000, CadencePer.MONTH)):
            for i, period in enumerate(whole_periods(per, start, last)):
                if by_per.get(per):
                    whens.append(
                        When(
                            child__school_id__in=by_per[per],
                            date__gte=period.start,
                            date__lte=period.end,
                            then=Value(offset + i),
                        )
                    )
        if not whens:
            continue
        parts.append(
            LOG_MODELS[kind]
            .objects.filter(child__in=paired.values("pk"), date__gte=start, date__lte=last)
            .annotate(
                rule_kind=Value(kind, output_field=CharField()),
                school=F("child__school_id"),
                bucket=Case(*whens, default=Value(-1), output_field=IntegerField()),
            )
            .exclude(bucket=-1)
            .order_by()
            .values("rule_kind", "school", "child_id", "bucket")
            .annotate(n=Count("pk"))
            .values("rule_kind", "school", "n")
        )
    if parts:
        grouped = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for kind, school_id, n, groups in _regroup(grouped, ["rule_kind", "school", "n"]):
            done[kind][school_id] += groups * min(n, calendar[kind][school_id].times)
    return required, done


def mentoring_figures(*, schools, start: date, end: date, on: date) -> dict[int, MentoringFigures]:
    """Per school, the mentoring figures of the window [start, end] as of `on` (the reference day is
    min(end, on)). At most fourteen queries whatever the number of schools, children and rules.

    - left_behind: children on the roll and left-behind at some time in the window (the 建档率 population);
    - paired: those of them with a pairing during the window (up to the reference day);
    - compliance figures count only those paired children, against each school's own cadence rule for
      talks and visits (CadenceRule); raw counts count every log;
    - for a per-week or per-month rule of N: (child, period) quotas done ÷ required, where a week or month
      is required when it lies wholly inside the term and the child's pairing and has ended by the
      reference day (see mentoring.periods), and a period counts at most N;
    - for a per-term rule of N: share of paired children with at least N logs by the reference day;
    - talk_compliance_week: share of the children paired on the reference day with the talk rule's N in
      its current period (this week, this month or this term), as the badges count it.
    """
    ids = _school_ids(schools)
    figures = {pk: MentoringFigures() for pk in ids}
    if not ids:
        return figures
    ref = max(min(end, on), start)
    rules = CadenceRule.objects.for_schools(ids)

    # The pairable population, the base of 结对率: 留守, 困境 and 事实无人抚养 children (in_care_between).
    left_behind = Child.objects.filter(school_id__in=ids).on_roll_between(start, end).in_care_between(start, end)
    for row in left_behind.order_by().values("school_id").annotate(n=Count("pk")):
        figures[row["school_id"]].left_behind = row["n"]

    paired = left_behind.filter(Exists(Pairing.objects.overlapping(start, ref).filter(child=OuterRef("pk"))))
    week = week_of(ref)
    week_start = max(week.start, start)
    for pk in ids:
        figures[pk].talk_rule = rules[pk][CadenceKind.TALK].text
        figures[pk].talk_per = rules[pk][CadenceKind.TALK].per
        figures[pk].visit_rule = rules[pk][CadenceKind.VISIT].text
        figures[pk].visit_per = rules[pk][CadenceKind.VISIT].per

    # Per child: the talks of the rule's current period and the term's logs, against the school's rule.
    current = {
        per: max(period_of(per, ref).start, start) if per != CadencePer.TERM else start for per in CadencePer.values
    }
    per_child = paired.annotate(
        **{f"talks_{per}": _count(Talk, date__gte=since, date__lte=ref) for per, since in current.items()},
        visits_term=_count(HomeVisit, date__gte=start, date__lte=ref),
        paired_now=Exists(Pairing.objects.open_on(ref).filter(child=OuterRef("pk"))),
    )
    aggregates = {"n": Count("pk"), "now": Count("pk", filter=Q(paired_now=True))}
    talked = _meets(rules, CadenceKind.TALK, "talks_{per}", pers=CadencePer.values)
    if talked is not None:
        aggregates["talked"] = Count("pk", filter=Q(paired_now=True) & talked)
    for kind, field_name in ((CadenceKind.TALK, "talks_term"), (CadenceKind.VISIT, "visits_term")):
        met = _meets(rules, kind, field_name, pers=[CadencePer.TERM])
        if met is not None:
            aggregates[f"{kind}_met_term"] = Count("pk", filter=met)
    term_met: dict[str, dict[int, int]] = {kind: {} for kind in COMPLIANCE_KINDS}
    for row in per_child.order_by().values("school_id").annotate(**aggregates):
        f = figures[row["school_id"]]
        f.paired = row["n"]
        f.talk_compliance_week = _pct(row.get("talked", 0), row["now"])
        for kind in COMPLIANCE_KINDS:
            term_met[kind][row["school_id"]] = row.get(f"{kind}_met_term", 0)

    required, done = _period_compliance(rules, paired=paired, ids=ids, start=start, end=end, ref=ref)
    for pk in ids:
        f = figures[pk]
        for kind, attr in COMPLIANCE_KINDS.items():
            rule = rules[pk][kind]
            if rule.per == CadencePer.TERM:
                value = _pct(term_met[kind].get(pk, 0), f.paired)
            else:
                value = _pct(min(done[kind][pk], required[kind][pk]), required[kind][pk])
            setattr(f, attr, value)

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
        Concern.objects.open()
        .filter(child__school_id__in=ids)
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
