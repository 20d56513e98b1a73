"""The archive's sections of the term-start checklist (caretrack.rollover), registered in
ChildrenConfig.ready(): left-behind children whose 留守 status must be checked again (a parent's expected
return date has passed, or the child turns 16 during the term), each linking to the child page; and the
incomplete archives, counted with the completeness rule (children.completeness) and linked to the
filtered children list. A fixed number of queries whatever the number of children."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from caretrack.models import School, Term
from caretrack.rollover import ChecklistItem, ChecklistSection, SectionProvider
from children.completeness import complete_q
from children.models import LEFT_BEHIND_AGE_LIMIT, AwayStatus, Child, LeftBehindType, Parent, years_before

STATUS_POSITION = 10
ARCHIVE_POSITION = 20


def _left_behind(school: School) -> QuerySet:
    """The school's children on the roll today who are counted as left-behind."""
    return Child.objects.filter(school=school).enrolled().exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February
        return birth.replace(year=birth.year + years, day=28)


def parents_due_back(*, school: School, on: date) -> list[Child]:
    """Left-behind children with a parent still recorded as away whose expected return date is before `on`;
    each child carries `returning_parents` (two queries)."""
    overdue = Parent.objects.filter(away_status=AwayStatus.WORKING_AWAY, expected_return_on__lt=on)
    return list(
        _left_behind(school)
        .filter(Exists(overdue.filter(child=OuterRef("pk"))))
        .select_related("school_class")
        .prefetch_related(
            Prefetch("parents", queryset=overdue.order_by("expected_return_on", "pk"), to_attr="returning_parents")
        )
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )


def turning_16_in(*, school: School, term: Term) -> list[Child]:
    """Left-behind children whose 16th birthday falls within the term (one query)."""
    first = years_before(term.start_date, LEFT_BEHIND_AGE_LIMIT)
    last = years_before(term.end_date, LEFT_BEHIND_AGE_LIMIT)
    return list(
        _left_behind(school)
        .filter(birth_date__gte=first, birth_date__lte=last)
        .select_related("school_class")
        .order_by("birth_date", "pk")
    )


def incomplete_archives(*, school: School, on: date) -> int:
    """Left-behind children on the roll whose archive misses an item of children.completeness (one query)."""
    return _left_behind(school).exclude(complete_q(on=on)).count()


def build_status_section(*, school: School, term: Term, user) -> ChecklistSection:
    today = timezone.localdate()
    items = []
    for child in parents_due_back(school=school, on=today):
        for parent in child.returning_parents:
            items.append(
                ChecklistItem(
                    text=f"{child.school_class} {child.name}",
                    url=reverse("children:detail", args=[child.pk]),
                    detail=f"{parent.get_role_display()}预计 {parent.expected_return_on:%Y-%m-%d} 返乡，请核实",
                )
            )
    for child in turning_16_in(school=school, term=term):
        birthday = _birthday(child.birth_date, LEFT_BEHIND_AGE_LIMIT)
        items.append(
            ChecklistItem(
                text=f"{child.school_class} {child.name}",
                url=reverse("children:detail", args=[child.pk]),
                detail=f"{birthday:%Y-%m-%d} 年满16周岁，此后不再计入留守儿童",
            )
        )
    return ChecklistSection(
        title="留守状态待核实",
        items=items,
        empty_text="没有需要核实留守状态的学生。",
    )


def build_archive_section(*, school: School, term: Term, user) -> ChecklistSection:
    missing = incomplete_archives(school=school, on=timezone.localdate())
    items = []
    if missing:
        items.append(
            ChecklistItem(
                text=f"{missing} 名留守儿童的档案尚未完善",
                url=f"{reverse('children:list')}?archived=no",
                detail="点击查看未完成建档的学生",
            )
        )
    return ChecklistSection(title="学生档案完整性", items=items, empty_text="所有留守儿童的档案都已完善。")


STATUS_PROVIDER = SectionProvider(position=STATUS_POSITION, build=build_status_section)
ARCHIVE_PROVIDER = SectionProvider(position=ARCHIVE_POSITION, build=build_archive_section)
