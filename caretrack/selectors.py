"""Reads of the organisation core: the school's 在校学生数 (one rule, used by every figure), the term notice
of the principal's home page, and the lists of the 学校设置 and county pages, each in a fixed number of
queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet, Sum

from caretrack.models import LeadingGroupMember, School, SchoolClass, StaffProfile, Term

# The notice on the home page starts this many days before the current term ends.
TERM_NOTICE_DAYS = 14


# --- 在校学生数 ----------------------------------------------------------------------------------


def enrolled_students_total(school: School) -> int:
    """The school's 在校学生数: the sum of its active classes' own figures when any class has one, else the
    figure typed for the whole school. The only place this rule is written."""
    return enrolled_students_totals([school])[school.pk]


def enrolled_students_totals(schools: Iterable[School]) -> dict[int, int]:
    """enrolled_students_total for many schools in one query (the classes' sums), keyed by school id."""
    schools = list(schools)
    sums = dict(
        SchoolClass.objects.active()
        .filter(school__in=[s.pk for s in schools], enrolled_students__isnull=False)
        .values("school_id")
        .annotate(total=Sum("enrolled_students"))
        .order_by()
        .values_list("school_id", "total")
    )
    return {s.pk: sums.get(s.pk, s.enrolled_students) for s in schools}


def term_enrolled_students(term: Term, current_total: int) -> int:
    """A term's 在校学生数: the figure it kept once another term became current, else (the current term, a
    future one, a past one that never kept a figure) the school's total now."""
    if not term.is_current and term.enrolled_students is not None:
        return term.enrolled_students
    return current_total


def classes_carry_enrolment(school: School) -> bool:
    """True when the school's total is the sum of its classes' figures (the school field is then read-only)."""
    return SchoolClass.objects.active().filter(school=school, enrolled_students__isnull=False).exists()


# --- Terms ---------------------------------------------------------------------------------------


def next_term_exists(term: Term, terms: list[Term] | None = None) -> bool:
    """A term of the school starts after this one ends (among `terms`, the school's, when given)."""
    if terms is not None:
        return any(t.start_date > term.end_date for t in terms)
    return Term.objects.filter(school_id=term.school_id, start_date__gt=term.end_date).exists()


def term_notice(school: School, today: date, terms: list[Term] | None = None) -> str | None:
    """What the principal's home page says about the calendar: nothing while the current term runs, from
    14 days before its end until the next term exists that the next term is missing, and that there is no
    current term at all when none was made current. `terms`: the school's, when the caller has read them."""
    current = Term.objects.current(school) if terms is None else next((t for t in terms if t.is_current), None)
    if current is None:
        return "尚未设置当前学期"
    if today < current.end_date - timedelta(days=TERM_NOTICE_DAYS) or next_term_exists(current, terms):
        return None
    ends = f"{current.end_date.month} 月 {current.end_date.day} 日"
    if today > current.end_date:
        return f"本学期已于 {ends}结束，下学期尚未设置"
    return f"本学期将于 {ends}结束，下学期尚未设置"


def school_terms(school: School) -> list[Term]:
    return list(Term.objects.filter(school=school).order_by("-start_date"))


# --- 学校设置 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolOverview:
    school: School
    enrolled_students: int
    classes_carry_enrolment: bool
    classes: int
    staff: int
    leading_group: int
    current_term: Term | None


def school_overview(school: School) -> SchoolOverview:
    classes = SchoolClass.objects.active().filter(school=school)
    return SchoolOverview(
        school=school,
        enrolled_students=enrolled_students_total(school),
        classes_carry_enrolment=classes_carry_enrolment(school),
        classes=classes.count(),
        staff=active_staff(school).count(),
        leading_group=LeadingGroupMember.objects.filter(school=school).count(),
        current_term=Term.objects.current(school),
    )


def active_staff(school: School) -> QuerySet:
    """Staff profiles of the school still at work (account active, not left)."""
    return StaffProfile.objects.filter(school=school, user__is_active=True, left_on__isnull=True)


def school_teachers(school: School) -> QuerySet:
    """The users who may head a class: the school's active teachers, by name."""
    return active_staff(school).filter(is_teacher=True).select_related("user").order_by("user__first_name", "user_id")


def school_classes(school: School) -> list[SchoolClass]:
    """The active classes with their 班主任 and the number of children on their roll (archives of children
    who have not left), in one query."""
    return list(
        SchoolClass.objects.active()
        .filter(school=school)
        .select_related("head_teacher")
        .annotate(archived=Count("children", filter=Q(children__left_on__isnull=True)))
        .order_by("grade", "number")
    )


def classes_state(school: School) -> str:
    """A fingerprint of the school's classes: a form that creates classes carries the one its page showed,
    so a second identical submit (a double tap) is recognised and refused."""
    found = SchoolClass.objects.filter(school=school).aggregate(n=Count("pk"), top=Max("pk"))
    return f"{found['n']}-{found['top'] or 0}"


def leading_group_members(school: School) -> list[LeadingGroupMember]:
    return list(LeadingGroupMember.objects.filter(school=school).select_related("user").order_by("order", "pk"))


# --- County --------------------------------------------------------------------------------------


def bureau_school_rows(profile: StaffProfile) -> list[School]:
    """The bureau administrator's schools with their active staff counts (no child data), in one query."""
    active = Q(staff__user__is_active=True, staff__left_on__isnull=True)
    return list(
        profile.bureau_schools.annotate(
            staff_count=Count("staff", filter=active),
            principal_count=Count("staff", filter=active & Q(staff__is_principal=True)),
        ).order_by("county", "name")
    )
