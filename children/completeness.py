"""What makes a child's archive complete (已建档), declared once and evaluated in SQL.

Each requirement is a boolean expression on Child, so a list page or the 建档率 of a whole county is one
query: annotate_completeness() adds a flag per requirement, complete_q() combines them.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from guardians.models import AwayStatus, FamilyAssessment, Guardian, Parent


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str

    def condition(self, on: date) -> Q:
        return REQUIREMENT_CONDITIONS[self.key](on)


def _basics(on: date) -> Q:
    return ~Q(hukou_address="") & ~Q(current_address="")


def _parent_work_and_phone(on: date) -> Q:
    return Q(
        Exists(
            Parent.objects.filter(
                child=OuterRef("pk"), away_status=AwayStatus.WORKING_AWAY, work_province__isnull=False
            ).exclude(phone="")
        )
    )


def _guardian_with_phone(on: date) -> Q:
    return Q(Exists(Guardian.objects.filter(child=OuterRef("pk"), until__isnull=True).exclude(phone="")))


def _assessment(on: date) -> Q:
    return Q(Exists(FamilyAssessment.objects.filter(child=OuterRef("pk"))))


def _pairing(on: date) -> Q:
    from mentoring.models import Pairing

    return Q(
        Exists(
            Pairing.objects.filter(child=OuterRef("pk"), start_date__lte=on).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=on)
            )
        )
    )


REQUIREMENT_CONDITIONS = {
    "basics": _basics,
    "parent_work": _parent_work_and_phone,
    "guardian": _guardian_with_phone,
    "assessment": _assessment,
    "pairing": _pairing,
}

REQUIREMENTS = [
    Requirement("basics", "基本信息（户籍地址、现居住地址）"),
    Requirement("parent_work", "外出父母的务工地和联系电话"),
    Requirement("guardian", "委托监护人及其联系电话"),
    Requirement("assessment", "家庭监护类型评估"),
    Requirement("pairing", "结对帮扶教师"),
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
