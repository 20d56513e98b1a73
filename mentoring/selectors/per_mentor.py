"""帮扶教师工作情况: each mentor's talks, visits and contacts done against what the school's cadence rules asked
of them, term by term (the basis of the school's own 考核 and 表彰 of its 代理家长), and the talk compliance of
a school's children by grade (the bureau's drill-down). A fixed number of queries whatever the number of
mentors, children or terms: the rules, the pairings, and one query per log kind for all the terms at once
(each child's logs per day), shared out here.

How a mentor's work is counted (the rule the school figures follow, reports.selectors / figures.mentoring_figures):
- a log is the mentor's when it is about a child paired to them on its day (the pairing's first to last day);
- for a per-week or per-month rule of N, each week or month lying wholly inside the term and the pairing and
  ended by the reference day asks N logs; at most N of its logs count (a burst in one week does not make up
  for a week missed);
- for a per-term rule of N, paced over N equal parts of the term (期初/期中/期末), each part lying wholly inside
  the pairing and ended by the reference day asks one log; the logs of the pairing's days count, up to that;
- the rules are today's (CadenceRule keeps no history), for a past term as for this one.
A mentor is 落后 when, for any kind with something due, fewer than BEHIND_BELOW % of it is done.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Min

from caretrack.models import School, Term
from children.models import Child
from children.selectors import grades_moved_since
from mentoring.models import LOG_MODELS, CadenceKind, CadencePer, CadenceRule, Pairing
from mentoring.periods import term_parts, whole_periods

# Below this share of what was due (in any one kind), a mentor is 落后.
BEHIND_BELOW = 80
KINDS = [CadenceKind.TALK, CadenceKind.VISIT, CadenceKind.FAMILY, CadenceKind.GUARDIAN]
KIND_LABELS = dict(CadenceKind.choices)


def reference_day(term: Term, today: date) -> date:
    """Today within the term, its last day for a past term (as the reports count a term)."""
    return min(max(today, term.start_date), term.end_date)


@dataclass(frozen=True)
class Quota:
    """One kind of log for one mentor in one term."""

    logs: int = 0  # the logs of the mentor's children on their pairing's days
    done: int = 0  # of them, those counting toward what was due (at most N a period)
    due: int = 0

    @property
    def share(self) -> float | None:
        return round(100 * self.done / self.due, 1) if self.due else None

    def __add__(self, other: Quota) -> Quota:
        return Quota(self.logs + other.logs, self.done + other.done, self.due + other.due)


@dataclass
class MentorTerm:
    term: Term
    children: int = 0
    quotas: dict[str, Quota] = field(default_factory=lambda: {k: Quota() for k in KINDS})

    @property
    def done(self) -> int:
        return sum(q.done for q in self.quotas.values())

    @property
    def due(self) -> int:
        return sum(q.due for q in self.quotas.values())

    @property
    def completion(self) -> float | None:
        """What was done of all that was due, in %; None when nothing was due yet."""
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def behind(self) -> bool:
        return any(q.share is not None and q.share < BEHIND_BELOW for q in self.quotas.values())


@dataclass
class MentorWork:
    key: tuple[str, int]  # ("u", user id) or ("x", external mentor id)
    name: str
    is_external: bool
    terms: list[MentorTerm]  # oldest first; the last is the term asked for

    @property
    def current(self) -> MentorTerm:
        return self.terms[-1]

    @property
    def past(self) -> list[MentorTerm]:
        return self.terms[:-1]


def _log_days(school: School, start: date, end: date, kinds=KINDS) -> dict[str, dict[int, list[tuple[date, int]]]]:
    """Per kind and child, the days with logs in [start, end] and how many: one query per kind."""
    result: dict[str, dict[int, list[tuple[date, int]]]] = {}
    for kind in kinds:
        days: dict[int, list[tuple[date, int]]] = defaultdict(list)
        rows = (
            LOG_MODELS[kind]
            .objects.filter(child__school=school, date__gte=start, date__lte=end)
            .order_by()
            .values("child_id", "date")
            .annotate(n=Count("pk"))
            .values_list("child_id", "date", "n")
        )
        for child_id, day, n in rows:
            days[child_id].append((day, n))
        result[kind] = days
    return result


def _count(days: list[tuple[date, int]], first: date, last: date) -> int:
    return sum(n for day, n in days if first <= day <= last)


def quota(rule: CadenceRule, days: list[tuple[date, int]], *, term: Term, begin: date, last: date) -> Quota:
    """One child's logs of one kind over [begin, last] (inside the term, the pairing and the reference day)
    against the rule: see the module's docstring."""
    logs = _count(days, begin, last)
    if rule.per == CadencePer.TERM:
        parts = term_parts(term.start_date, term.end_date, rule.times)
        due = sum(1 for p in parts if p.start >= begin and p.end <= last)
        return Quota(logs, min(logs, due), due)
    periods = whole_periods(rule.per, begin, last)
    done = sum(min(_count(days, p.start, p.end), rule.times) for p in periods)
    return Quota(logs, done, len(periods) * rule.times)


def mentor_work(*, school: School, terms: list[Term], today: date) -> list[MentorWork]:
    """Each mentor with a pairing in any of `terms` (oldest first; the last is the term asked for), their
    children and quotas per term. Six queries whatever the number of mentors, children or terms."""
    if not terms:
        return []
    rules = CadenceRule.objects.for_school(school)
    refs = {t.pk: reference_day(t, today) for t in terms}
    first, last_ref = min(t.start_date for t in terms), max(refs.values())
    pairings = list(
        Pairing.objects.filter(child__school=school)
        .overlapping(first, last_ref)
        .select_related("mentor", "external_mentor")
        .order_by("pk")
    )
    logs = _log_days(school, first, last_ref)
    mentors: dict[tuple[str, int], MentorWork] = {}
    children: dict[tuple[tuple[str, int], int], set[int]] = defaultdict(set)
    for p in pairings:
        key = ("u", p.mentor_id) if p.mentor_id else ("x", p.external_mentor_id)
        work = mentors.get(key)
        if work is None:
            work = mentors[key] = MentorWork(key, p.mentor_name, not p.mentor_id, [MentorTerm(t) for t in terms])
        for i, term in enumerate(terms):
            begin = max(term.start_date, p.start_date)
            last = min(refs[term.pk], p.end_date or refs[term.pk])
            if begin > last:
                continue
            children[(key, i)].add(p.child_id)
            row = work.terms[i]
            for kind in KINDS:
                days = logs[kind].get(p.child_id, [])
                row.quotas[kind] = row.quotas[kind] + quota(rules[kind], days, term=term, begin=begin, last=last)
    for (key, i), ids in children.items():
        mentors[key].terms[i].children = len(ids)
    return list(mentors.values())


SORTS = {
    "name": lambda w: (w.is_external, w.name),
    "children": lambda w: w.current.children,
    "completion": lambda w: (w.current.completion is None, w.current.completion or 0),
    **{kind: (lambda w, k=kind: (w.current.quotas[k].share is None, w.current.quotas[k].share or 0)) for kind in KINDS},
}


def sort_mentor_work(rows: list[MentorWork], sort: str) -> list[MentorWork]:
    """Sorted by a column (a leading "-" for descending); the default puts who is most behind first."""
    name = sort.lstrip("-")
    if name not in SORTS:
        name, sort = "completion", "completion"
    ordered = sorted(rows, key=lambda w: (w.is_external, w.name))
    return sorted(ordered, key=SORTS[name], reverse=sort.startswith("-"))


# --- Talk compliance by grade (the bureau's drill-down) ------------------------------------------------


@dataclass
class GradeTalks:
    paired: int = 0  # children in our care with a pairing in the term
    done: int = 0
    due: int = 0  # per-week/month rules: (child, period) quotas; per-term rules: paired children
    per_term: bool = False

    @property
    def compliance(self) -> float:
        return round(100 * self.done / self.due, 1) if self.due else 0.0


def talks_by_grade(*, school: School, term: Term, today: date) -> dict[int, GradeTalks]:
    """谈心达标率 of the term by grade (the grade each class had when the term began), by the rule of the
    school's figure (figures.mentoring_figures): the children in our care on the roll with a pairing in the
    term up to the reference day; for a per-week or per-month rule, each whole period since the child's first
    pairing day and ended by the reference day asks N talks, at most N of a period counting; for a per-term
    rule, the share of those children with N talks. Added over the grades, it is the school's figure."""
    ref = reference_day(term, today)
    start, end = term.start_date, term.end_date
    rule = CadenceRule.objects.for_school(school)[CadenceKind.TALK]
    since = dict(
        Pairing.objects.filter(child__school=school)
        .overlapping(start, ref)
        .order_by()
        .values("child_id")
        .annotate(first=Min("start_date"))
        .values_list("child_id", "first")
    )
    children = (
        Child.objects.filter(school=school, pk__in=list(since))
        .on_roll_between(start, end)
        .in_care_between(start, end)
        .values_list("pk", "school_class_id", "school_class__grade")
    )
    moved = grades_moved_since([school], start)
    talks = _log_days(school, start, ref, kinds=[CadenceKind.TALK])[CadenceKind.TALK] if since else {}
    result: dict[int, GradeTalks] = defaultdict(GradeTalks)
    for child_id, class_id, grade in children:
        row = result[grade - moved.get(class_id, 0)]
        row.paired += 1
        days = talks.get(child_id, [])
        if rule.per == CadencePer.TERM:
            row.per_term = True
            row.due += 1
            row.done += _count(days, start, ref) >= rule.times
        else:
            q = quota(rule, days, term=term, begin=max(start, since[child_id]), last=min(ref, end))
            row.done, row.due = row.done + q.done, row.due + q.due
    return dict(result)
