"""One child's badges (done / due / overdue / off), one per log kind and following the school's cadence
rules, and a mentor's 我的学生, in a fixed number of queries."""

import functools
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
from children.models import Child, in_care_on_q
from mentoring import periods
from mentoring.models import (
    LOG_MODELS,
    CadenceKind,
    CadencePer,
    CadenceRule,
    Pairing,
    Talk,
)
from mentoring.periods import is_required, parts_due
from mentoring.selectors._common import _count, _in, term_on

# Pure calendar arithmetic, the same for every child of a list: computed once per (rule period, day), not
# for each of a school's few hundred children.
period_of = functools.lru_cache(maxsize=64)(periods.period_of)
previous_period = functools.lru_cache(maxsize=64)(periods.previous_period)
term_parts = functools.lru_cache(maxsize=64)(periods.term_parts)

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
    per: str = ""  # the rule's period (week, month, term); "" in the holidays

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


KIND_LABEL = dict(CadenceKind.choices)
LOGS = LOG_MODELS  # talk, visit, family, guardian: the cadence kinds are the log kinds


def _progress(done: int, times: int) -> str:
    return f"{min(done, times)}/{times}"


def _calendar_badge(rule: CadenceRule, *, done: int, prev_done: int, prev_required: bool) -> Badge:
    """A per-week or per-month rule: done once the current period has `times` logs; overdue while the
    previous period was required and fell short; due otherwise."""
    kind, n = KIND_LABEL[rule.kind], rule.times
    per = CadencePer(rule.per).label  # 周, 月: 本周 …, 上周 …
    label = f"本{per}{kind} {_progress(done, n)}"
    if done >= n:
        return Badge(str(rule.kind), DONE, label, done, n, rule.per)
    if prev_required and prev_done < n:
        return Badge(str(rule.kind), OVERDUE, f"{kind}逾期 · 上{per} {_progress(prev_done, n)}", done, n, rule.per)
    return Badge(str(rule.kind), DUE, label, done, n, rule.per)


def _term_badge(rule: CadenceRule, *, done: int, term: Term, on: date, paired_since: date | None) -> Badge:
    """A per-term rule of N, paced over N equal parts of the term: overdue when fewer logs than the
    required parts already ended; done (for now) when there are as many as the parts begun."""
    kind, n = KIND_LABEL[rule.kind], rule.times
    parts = term_parts(term.start_date, term.end_date, n)
    begun, ended = parts_due(parts, on=on, term_start=term.start_date, paired_since=paired_since)
    count = _progress(done, n) if n > 1 else ("✓" if done else "✗")
    label = f"本学期{kind} {count}"
    if done >= n:
        return Badge(str(rule.kind), DONE, label, done, n, rule.per)
    if done < ended:
        return Badge(str(rule.kind), OVERDUE, f"{kind}逾期 {count}", done, n, rule.per)
    if done >= begun:
        return Badge(str(rule.kind), DONE, label, done, n, rule.per)
    return Badge(str(rule.kind), DUE, label, done, n, rule.per)


def annotate_counts(children: QuerySet, *, on: date, term: Term | None, rules: dict[str, CadenceRule]) -> QuerySet:
    """Per child: the counts the badges need, in the same SELECT as the children: for each kind, its
    logs in the rule's current period up to `on` (<kind>_now) and, for weeks and months, in the
    previous period (<kind>_prev)."""
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
        for kind, model in LOGS.items():
            rule = rules[kind]
            if rule.per == CadencePer.TERM:
                annotations[f"{kind}_now"] = _count(model, date__gte=term.start_date, date__lte=on)
                continue
            period = period_of(rule.per, on)
            annotations[f"{kind}_now"] = _count(model, **_in(period, on))
            annotations[f"{kind}_prev"] = _count(model, **_in(previous_period(rule.per, period)))
    return children.annotate(**annotations)


def status_of(child: Child, *, on: date, term: Term | None, rules: dict[str, CadenceRule]) -> ChildStatus:
    """Badges from the counts annotate_counts() put on the child."""
    pairings = getattr(child, "open_pairings", [])
    if term is None:
        off = [Badge(str(k), OFF, "假期中") for k in LOGS]
        return ChildStatus(child, pairings, *off, last_talk=child.last_talk)
    since = child.paired_since
    badges = {}
    for kind in LOGS:
        rule, done = rules[kind], getattr(child, f"{kind}_now")
        if rule.per == CadencePer.TERM:
            badges[kind] = _term_badge(rule, done=done, term=term, on=on, paired_since=since)
            continue
        previous = previous_period(rule.per, period_of(rule.per, on))
        required = is_required(previous, term_start=term.start_date, term_end=term.end_date, paired_since=since)
        badges[kind] = _calendar_badge(
            rule, done=done, prev_done=getattr(child, f"{kind}_prev"), prev_required=required
        )
    return ChildStatus(child, pairings, last_talk=child.last_talk, **badges)


def child_statuses(children: QuerySet, *, school: School, on: date, with_pairings: bool = True) -> list[ChildStatus]:
    """Badges for each child: done, due or overdue in each rule's period. Four queries (term, the
    school's cadence rules, children with counts, their open pairings), whatever the number of children;
    three without_pairings (the mentor board has them already: status.pairings is then empty)."""
    term = term_on(school, on)
    rules = CadenceRule.objects.for_school(school)
    rows = (
        annotate_counts(children, on=on, term=term, rules=rules)
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )
    if with_pairings:
        pairings = Pairing.objects.carried_on(on).select_related("mentor", "external_mentor").order_by("is_secondary")
        rows = rows.prefetch_related(Prefetch("pairings", queryset=pairings, to_attr="open_pairings"))
    return [status_of(child, on=on, term=term, rules=rules) for child in rows]


def my_students(*, user, school: School, on: date) -> tuple[list[ChildStatus], list[ChildStatus]]:
    """(children paired to the user, the other children in our care (留守, 困境, 事实无人抚养) of the classes the
    user heads), only children still on the roll: a graduated or transferred child leaves the list the day
    they leave.

    Read once per user object and day, as get_roles() is: the page and its 待办 block (mentoring.tasks) both
    ask for it in one request, whose user object is new for each request."""
    memo = user.__dict__.setdefault("_mentoring_my_students", {})
    key = (school.pk, on)
    if key not in memo:
        memo[key] = _my_students(user=user, school=school, on=on)
    return memo[key]


def my_paired_students(*, user, school: School, on: date) -> list[ChildStatus]:
    """my_students' first list alone (the children paired to the user), for a block that needs no more: the
    class's other children are not read unless the page has read my_students already."""
    memo = user.__dict__.get("_mentoring_my_students", {})
    if (school.pk, on) in memo:
        return memo[(school.pk, on)][0]
    children = Child.objects.filter(school=school).enrolled().filter(pk__in=_paired_ids(user, on))
    return [status for status in child_statuses(children, school=school, on=on) if _is_mine(status, user)]


def _paired_ids(user, on: date) -> QuerySet:
    return Pairing.objects.carried_on(on).filter(mentor=user).values("child_id")


def _is_mine(status: ChildStatus, user) -> bool:
    return any(p.mentor_id == user.pk for p in status.pairings)


def _my_students(*, user, school: School, on: date) -> tuple[list[ChildStatus], list[ChildStatus]]:
    both = child_statuses(
        Child.objects.filter(school=school)
        .enrolled()
        .filter(Q(pk__in=_paired_ids(user, on)) | (Q(school_class__head_teacher=user) & in_care_on_q(on))),
        school=school,
        on=on,
    )
    mine, others = [], []
    for status in both:
        (mine if _is_mine(status, user) else others).append(status)
    # Class and name order, never by what is still due: a list that re-sorts after each save sends the next
    # tap to another child. The badges say what is due.
    return mine, others
