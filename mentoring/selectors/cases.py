"""Reading concern cases: the 待处理 list (by risk, then age), a person's own cases, one case with its
history, and the counts for the menu and the task list. Each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)

from caretrack.permissions import get_roles
from mentoring.models import OPEN_STATUSES, RISK_RANK, CaseAction, Concern, ConcernRisk, Referral
from mentoring.permissions import concerns_visible_to

CLOSED_SHOWN = 50
OPEN_SHOWN = 300

RISK_ORDER = Case(*[When(risk=risk, then=Value(rank)) for risk, rank in RISK_RANK.items()], output_field=IntegerField())


def _pending(on: date) -> Q:
    """Follow-up actions not done whose due day has passed."""
    return Q(actions__done_on__isnull=True, actions__due_on__lt=on)


def _with_people(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("child__school_class", "raised_by", "assigned_to", "closed_by")


def _open_sorted(queryset: QuerySet, *, on: date) -> list[Concern]:
    """紧急 first, then 较高, then 一般; within a level the oldest first. Each case carries how many of its
    follow-up actions are overdue (overdue_actions) and are still to do (open_actions)."""
    return list(
        _with_people(queryset.open())
        .annotate(
            risk_rank=RISK_ORDER,
            overdue_actions=Count("actions", filter=_pending(on)),
            open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)),
        )
        .order_by("risk_rank", "raised_on", "pk")[:OPEN_SHOWN]
    )


@dataclass(frozen=True)
class CaseList:
    open: list[Concern]
    closed: list[Concern]


def case_list(user, *, on: date) -> CaseList:
    """待处理: the open cases the user may see by risk and age, then the most recently closed (two queries)."""
    visible = concerns_visible_to(user)
    closed = list(_with_people(visible.closed()).order_by("-closed_at", "-pk")[:CLOSED_SHOWN])
    return CaseList(open=_open_sorted(visible, on=on), closed=closed)


def my_cases(user, *, on: date) -> list[Concern]:
    """我的个案: open cases assigned to the user or holding a follow-up action of theirs not yet done."""
    mine = concerns_visible_to(user).filter(
        Q(assigned_to=user) | Q(pk__in=CaseAction.objects.filter(who=user, done_on__isnull=True).values("concern_id"))
    )
    return _open_sorted(mine, on=on)


def case_detail(concern: Concern, *, on: date) -> Concern:
    """The case with its follow-up actions (each flagged `overdue`) and referrals, people included
    (two queries besides the case's own)."""
    actions = CaseAction.objects.select_related("who", "created_by").annotate(
        overdue=ExpressionWrapper(Q(done_on__isnull=True, due_on__lt=on), output_field=BooleanField())
    )
    referrals = Referral.objects.select_related("created_by")
    prefetch_related_objects(
        [concern], Prefetch("actions", queryset=actions), Prefetch("referrals", queryset=referrals)
    )
    return concern


def open_case_count(user) -> int:
    """The menu's figure beside 待处理: open cases the user may see (one query)."""
    return concerns_visible_to(user).open().count()


@dataclass(frozen=True)
class CaseCounts:
    my_due_actions: int
    my_open_cases: int  # not 紧急
    school_urgent_open: int
    my_urgent_cases: int = 0


def case_counts(user, *, on: date) -> CaseCounts:
    """For the task list: my follow-up actions due or overdue (on open cases I may see), my open cases,
    and for principals the school's open 紧急 cases; two queries at most (one over the open cases I may see,
    joined to their actions, so each count is DISTINCT)."""
    roles = get_roles(user)
    if not roles.school_id:
        return CaseCounts(0, 0, 0, 0)
    mine = Q(assigned_to=user)
    assigned = (
        concerns_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            total=Count("pk", filter=mine, distinct=True),
            urgent=Count("pk", filter=mine & Q(risk=ConcernRisk.URGENT), distinct=True),
            due=Count(
                "actions",
                filter=Q(actions__who=user, actions__done_on__isnull=True, actions__due_on__lte=on),
                distinct=True,
            ),
        )
    )
    due = assigned["due"]
    urgent = 0
    if roles.is_principal:
        urgent = Concern.objects.open().filter(child__school_id=roles.school_id, risk=ConcernRisk.URGENT).count()
    return CaseCounts(
        my_due_actions=due,
        my_open_cases=assigned["total"] - assigned["urgent"],
        school_urgent_open=urgent,
        my_urgent_cases=assigned["urgent"],
    )


def overdue_actions(*, on: date) -> QuerySet:
    """Every follow-up action past its due day, not done, of an open case (for the daily reminders), with
    the case, its child and class and the person responsible for the action."""
    return (
        CaseAction.objects.filter(done_on__isnull=True, due_on__lt=on, concern__status__in=OPEN_STATUSES)
        .select_related("who", "concern__child__school_class", "concern__assigned_to")
        .order_by("who_id", "due_on", "pk")
    )
