"""What makes a child's archive complete (已建档), declared once and evaluated in SQL.

Each requirement is a boolean expression on Child, so a list page or the 建档率 of a whole county is one
query: annotate_completeness() adds a flag per requirement, complete_q() combines them. Completeness is
the archive's alone: 建档率 measures the archive, 结对率 (mentoring's figures) the pairing.

Items fit the child: a parent's work place is asked only of a parent who is away; a child assessed 无人监护
has no guardian to record, and the assessment saying so completes that item; a parent's death, prison and
the like, and every 困境 category, count only with their evidence and its date.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from children.models import (
    EVIDENCED_STATUSES,
    AwayStatus,
    ChildHardship,
    FamilyAssessment,
    Guardian,
    GuardianshipLevel,
    Parent,
)


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    # condition(on) → a Q on Child that holds when the item is present on the day `on`.
    condition: Callable[[date], Q]


def _basics(on: date) -> Q:
    return ~Q(hukou_address="") & ~Q(current_address="")


def _parent_work_and_phone(on: date) -> Q:
    away = Parent.objects.filter(child=OuterRef("pk"), away_status=AwayStatus.WORKING_AWAY)
    return Q(Exists(away.filter(work_province__isnull=False).exclude(phone=""))) | ~Q(Exists(away))


def _guardian_with_phone(on: date) -> Q:
    unguarded = FamilyAssessment.objects.filter(child=OuterRef("pk"), guardianship_level=GuardianshipLevel.NONE)
    return Q(Exists(Guardian.objects.filter(child=OuterRef("pk"), until__isnull=True).exclude(phone=""))) | Q(
        Exists(unguarded)
    )


def _evidence(on: date) -> Q:
    parents = Parent.objects.filter(child=OuterRef("pk"), away_status__in=EVIDENCED_STATUSES).filter(
        Q(status_evidence="") | Q(status_evidenced_on__isnull=True)
    )
    hardships = ChildHardship.objects.filter(child=OuterRef("pk")).filter(Q(evidence="") | Q(evidenced_on__isnull=True))
    return ~Q(Exists(parents)) & ~Q(Exists(hardships))


def _assessment(on: date) -> Q:
    return Q(Exists(FamilyAssessment.objects.filter(child=OuterRef("pk"))))


REQUIREMENTS: list[Requirement] = [
    Requirement("basics", "基本信息（户籍地址、现居住地址）", _basics),
    Requirement("parent_work", "外出父母的务工地和联系电话", _parent_work_and_phone),
    Requirement("guardian", "委托监护人及其联系电话", _guardian_with_phone),
    Requirement("assessment", "家庭监护类型评估", _assessment),
    Requirement("evidence", "困境和父母情况的证明材料及认定日期", _evidence),
]


def flag_name(requirement: Requirement) -> str:
    return f"has_{requirement.key}"


def annotate_completeness(queryset: QuerySet, *, on: date) -> QuerySet:
    """Add one boolean per requirement (has_basics, has_parent_work …)."""
    return queryset.annotate(
        **{flag_name(r): ExpressionWrapper(r.condition(on), output_field=BooleanField()) for r in REQUIREMENTS}
    )


def complete_q(*, on: date) -> Q:
    q = Q()
    for requirement in REQUIREMENTS:
        q &= requirement.condition(on)
    return q


@dataclass(frozen=True)
class Completeness:
    percent: int
    missing: list[str]

    @property
    def is_complete(self) -> bool:
        return not self.missing


def completeness_of(child) -> Completeness:
    """Read the flags that annotate_completeness() put on a child."""
    missing = [r.label for r in REQUIREMENTS if not getattr(child, flag_name(r))]
    done = len(REQUIREMENTS) - len(missing)
    return Completeness(percent=round(100 * done / len(REQUIREMENTS)), missing=missing)
