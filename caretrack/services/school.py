"""学校设置: the school's settings, its classes and their 班主任 and 在校学生数, its terms and its 领导小组.
Each function is one transaction that validates first (a ValidationError with a Chinese message changes
nothing), saves only the fields it changes and writes its audit row with the change."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from caretrack import audit
from caretrack.models import (
    AuditAction,
    Grade,
    GradeSpan,
    LeadingGroupMember,
    LeadingGroupPosition,
    School,
    SchoolClass,
    Semester,
    StaffProfile,
    Term,
)
from caretrack.selectors import enrolled_students_total
from caretrack.services import set_current_term

SETTINGS_FIELDS = ("grade_span", "enrolled_students", "counts_one_parent_away", "max_children_per_mentor")
MAX_CLASSES_AT_ONCE = 20


def _keep_current_term_figure(school: School) -> None:
    """The current term keeps the school's 在校学生数 as it stands (frozen once another term is current)."""
    term = Term.objects.current(school)
    if term is not None:
        total = enrolled_students_total(school)
        if term.enrolled_students != total:
            term.enrolled_students = total
            term.save(update_fields=["enrolled_students"])


# --- Settings ------------------------------------------------------------------------------------


@transaction.atomic
def update_school_settings(*, school: School, data: dict, acting_user) -> School:
    """Change the 学段, 在校学生数, 留守口径 and 结对上限. While classes carry their own 在校学生数 the school's
    figure is their sum and the typed one is ignored. A 学段 that would leave active classes outside it is
    refused."""
    school = School.objects.select_for_update().get(pk=school.pk)
    changes = {}
    carried_by_classes = SchoolClass.objects.active().filter(school=school, enrolled_students__isnull=False).exists()
    for name in SETTINGS_FIELDS:
        if name not in data or (name == "enrolled_students" and carried_by_classes):
            continue
        value = data[name]
        if getattr(school, name) != value:
            changes[name] = [getattr(school, name), value]
            setattr(school, name, value)
    if "grade_span" in changes:
        span = GradeSpan(school.grade_span)
        outside = sorted(
            set(
                SchoolClass.objects.active()
                .filter(school=school)
                .exclude(grade__in=school.grades)
                .values_list("grade", flat=True)
            )
        )
        if outside:
            names = "、".join(Grade(g).label for g in outside)
            raise ValidationError(
                {"grade_span": f"本校还有{names}的班级，不能把学段改为“{span.label}”。请先处理这些班级。"}
            )
    school.full_clean()
    if changes:
        school.save(update_fields=list(changes))
        _keep_current_term_figure(school)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"学校设置：{school.name}",
        school=school,
        model="school",
        pk=school.pk,
        changes=changes,
    )
    return school


# --- Classes -------------------------------------------------------------------------------------


def _check_grade(school: School, grade: int) -> None:
    if grade not in school.grades:
        label = Grade(grade).label if grade in Grade.values else f"{grade}年级"
        raise ValidationError({"grade": f"本校学段为“{GradeSpan(school.grade_span).label}”，没有{label}。"})


@transaction.atomic
def create_classes(
    *, school: School, grade: int, count: int, acting_user, first_number: int | None = None
) -> list[SchoolClass]:
    """Create `count` classes of `grade` (三年级 4 个班). Their numbers continue after the grade's existing
    active classes, or start at `first_number`; a class that already exists is refused, none is created."""
    school = School.objects.select_for_update().get(pk=school.pk)
    _check_grade(school, grade)
    if not 1 <= count <= MAX_CLASSES_AT_ONCE:
        raise ValidationError({"count": f"一次可新建 1 至 {MAX_CLASSES_AT_ONCE} 个班。"})
    existing = SchoolClass.objects.active().filter(school=school, grade=grade)
    if first_number is None:
        first_number = (existing.aggregate(top=Max("number"))["top"] or 0) + 1
    if first_number < 1:
        raise ValidationError({"first_number": "班号须从 1 开始。"})
    numbers = range(first_number, first_number + count)
    taken = sorted(existing.filter(number__in=numbers).values_list("number", flat=True))
    if taken:
        names = "、".join(SchoolClass.label(grade, n) for n in taken)
        raise ValidationError(f"{names}已存在，没有新建任何班级。")
    classes = []
    for number in numbers:
        school_class = SchoolClass(school=school, grade=grade, number=number)
        school_class.full_clean()
        school_class.save()
        classes.append(school_class)
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"新建班级：{classes[0]}至{classes[-1]}" if count > 1 else f"新建班级：{classes[0]}",
        school=school,
        model="schoolclass",
        pks=[c.pk for c in classes],
    )
    return classes


@transaction.atomic
def set_head_teacher(*, school_class: SchoolClass, teacher, acting_user) -> SchoolClass:
    """Name, replace or (teacher None) clear the 班主任. The teacher is an active teacher of the class's school
    and heads no other active class."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if teacher is not None:
        # Locked: two classes given the same teacher at once are served one after the other.
        profile = StaffProfile.objects.select_for_update().filter(user=teacher).first()
        if (
            profile is None
            or profile.school_id != school_class.school_id
            or not teacher.is_active
            or profile.left_on is not None
            or not profile.is_teacher
        ):
            raise ValidationError({"head_teacher": "班主任须是本校在职的教师。"})
        other = (
            SchoolClass.objects.active()
            .filter(head_teacher=teacher)
            .exclude(pk=school_class.pk)
            .order_by("grade", "number")
            .first()
        )
        if other is not None:
            name = teacher.get_full_name() or teacher.get_username()
            raise ValidationError(
                {
                    "head_teacher": f"{name}已是{other}的班主任，一名教师只能担任一个班的班主任。"
                    f"请先更换{other}的班主任。"
                }
            )
    before = school_class.head_teacher
    if before == teacher:
        return school_class
    school_class.head_teacher = teacher
    school_class.full_clean()
    school_class.save(update_fields=["head_teacher"])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"班主任：{school_class}",
        school=school_class.school,
        model="schoolclass",
        pk=school_class.pk,
        head_teacher=[
            before.get_full_name() if before else "",
            teacher.get_full_name() if teacher else "",
        ],
    )
    return school_class


@transaction.atomic
def set_class_enrolment(*, school_class: SchoolClass, enrolled_students: int | None, acting_user) -> SchoolClass:
    """A class's own 在校学生数 (None: the class has none). Once any class has one, the school's figure is the
    sum of its classes'."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if enrolled_students is not None and enrolled_students < 0:
        raise ValidationError({"enrolled_students": "在校学生数不能为负数。"})
    before = school_class.enrolled_students
    if before != enrolled_students:
        school_class.enrolled_students = enrolled_students
        school_class.full_clean()
        school_class.save(update_fields=["enrolled_students"])
        _keep_current_term_figure(school_class.school)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"班级在校学生数：{school_class}",
        school=school_class.school,
        model="schoolclass",
        pk=school_class.pk,
        enrolled_students=[before, enrolled_students],
    )
    return school_class


@transaction.atomic
def delete_class(*, school_class: SchoolClass, acting_user) -> None:
    """Delete a class that never had a child (transferred and graduated children count): otherwise refused."""
    school_class = SchoolClass.objects.select_for_update().get(pk=school_class.pk)
    if school_class.children.exists():
        raise ValidationError(f"{school_class}有学生档案（包括已转出、已毕业的学生），不能删除。")
    school, label, pk = school_class.school, str(school_class), school_class.pk
    school_class.delete()
    _keep_current_term_figure(school)
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=f"删除班级：{label}",
        school=school,
        model="schoolclass",
        pk=pk,
    )


# --- Terms ---------------------------------------------------------------------------------------


def _calendar_term(school: School, start_year: int, semester: int) -> Term:
    """The usual calendar: 第一学期 1 Sep – 31 Jan, 第二学期 1 Mar – 15 Jul."""
    if semester == Semester.FIRST:
        start, end = date(start_year, 9, 1), date(start_year + 1, 1, 31)
    else:
        start, end = date(start_year + 1, 3, 1), date(start_year + 1, 7, 15)
    return Term(school=school, start_year=start_year, semester=semester, start_date=start, end_date=end)


def propose_next_term(*, school: School, today: date) -> Term:
    """The term after the school's latest one, or (no term yet) the one running or next to start today.
    Not saved: the principal checks the dates first."""
    latest = Term.objects.filter(school=school).order_by("-start_date").first()
    if latest is not None:
        if latest.semester == Semester.FIRST:
            return _calendar_term(school, latest.start_year, Semester.SECOND)
        return _calendar_term(school, latest.start_year + 1, Semester.FIRST)
    if today.month >= 8:
        return _calendar_term(school, today.year, Semester.FIRST)
    if today.month == 1:
        return _calendar_term(school, today.year - 1, Semester.FIRST)
    return _calendar_term(school, today.year - 1, Semester.SECOND)


def _check_term_dates(term: Term) -> None:
    if term.end_date <= term.start_date:
        raise ValidationError({"end_date": "结束日期须晚于开始日期。"})
    year = term.start_year if term.semester == Semester.FIRST else term.start_year + 1
    if term.start_date.year != year:
        raise ValidationError({"start_date": f"{term}应在 {year} 年开始，请核对学年或开始日期。"})
    overlapping = (
        Term.objects.filter(school_id=term.school_id, start_date__lte=term.end_date, end_date__gte=term.start_date)
        .exclude(pk=term.pk)
        .order_by("start_date")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            f"日期与{overlapping}（{overlapping.start_date:%Y-%m-%d} 至 {overlapping.end_date:%Y-%m-%d}）重叠。"
        )


@transaction.atomic
def create_term(
    *, school: School, start_year: int, semester: int, start_date: date, end_date: date, acting_user
) -> Term:
    """A new term of the school. Refused: the same 学年 and 学期 again, an end before the start, dates that
    overlap another term of the school."""
    school = School.objects.select_for_update().get(pk=school.pk)
    if semester not in Semester.values:
        raise ValidationError({"semester": "请选择第一学期或第二学期。"})
    term = Term(school=school, start_year=start_year, semester=semester, start_date=start_date, end_date=end_date)
    if Term.objects.filter(school=school, start_year=start_year, semester=semester).exists():
        raise ValidationError(f"{term}已经存在。")
    _check_term_dates(term)
    term.full_clean()
    term.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"新建学期：{term}",
        school=school,
        model="term",
        pk=term.pk,
        start_date=str(start_date),
        end_date=str(end_date),
    )
    return term


@transaction.atomic
def update_term(*, term: Term, start_date: date, end_date: date, acting_user, today: date | None = None) -> Term:
    """Change a term's dates. A term that has ended keeps its dates (its figures were reported on them)."""
    today = today or timezone.localdate()
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.end_date < today:
        raise ValidationError(f"{term}已于 {term.end_date:%Y-%m-%d} 结束，不能再修改日期。")
    before = [str(term.start_date), str(term.end_date)]
    term.start_date, term.end_date = start_date, end_date
    _check_term_dates(term)
    term.full_clean()
    term.save(update_fields=["start_date", "end_date"])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"修改学期日期：{term}",
        school=term.school,
        model="term",
        pk=term.pk,
        dates=[before, [str(start_date), str(end_date)]],
    )
    return term


@transaction.atomic
def make_term_current(*, term: Term, acting_user, today: date | None = None) -> Term:
    """Make `term` the school's current term. The term that was current keeps the 在校学生数 it had; the new
    one starts from today's figure. A term that has ended cannot become current."""
    today = today or timezone.localdate()
    term = Term.objects.select_for_update().get(pk=term.pk)
    if term.end_date < today:
        raise ValidationError(f"{term}已于 {term.end_date:%Y-%m-%d} 结束，不能设为当前学期。")
    previous = Term.objects.current(term.school)
    total = enrolled_students_total(term.school)
    if previous is not None and previous.pk != term.pk and previous.enrolled_students is None:
        previous.enrolled_students = total
        previous.save(update_fields=["enrolled_students"])
    set_current_term(term=term)
    if term.enrolled_students != total:
        term.enrolled_students = total
        term.save(update_fields=["enrolled_students"])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"设为当前学期：{term}",
        school=term.school,
        model="term",
        pk=term.pk,
        previous=str(previous) if previous else "",
    )
    return term


# --- 领导小组 ------------------------------------------------------------------------------------


@transaction.atomic
def save_leading_group_member(
    *,
    school: School,
    user,
    position: str,
    title: str = "",
    responsibility: str = "",
    order: int = 0,
    member: LeadingGroupMember | None = None,
    acting_user,
) -> LeadingGroupMember:
    """Add a member to the school's 关爱工作领导小组 (member None) or change one. The member is a staff member
    of the school, in the group once; the group has one 组长 at most."""
    school = School.objects.select_for_update().get(pk=school.pk)
    if member is not None and member.school_id != school.pk:
        raise ValidationError("该成员不属于本校领导小组。")
    profile = getattr(user, "profile", None)
    if profile is None or profile.school_id != school.pk or not user.is_active or profile.left_on is not None:
        raise ValidationError({"user": "领导小组成员须是本校在职的教职工。"})
    others = LeadingGroupMember.objects.filter(school=school)
    if member is not None:
        others = others.exclude(pk=member.pk)
    if others.filter(user=user).exists():
        raise ValidationError({"user": f"{user.get_full_name() or user.get_username()}已在领导小组中。"})
    if position == LeadingGroupPosition.LEADER:
        leader = others.filter(position=LeadingGroupPosition.LEADER).select_related("user").first()
        if leader is not None:
            raise ValidationError(
                {"position": f"领导小组只能有一名组长（现为{leader.user.get_full_name()}）。请先把其改为副组长或成员。"}
            )
    values = {"user": user, "position": position, "title": title, "responsibility": responsibility, "order": order}
    if member is None:
        member = LeadingGroupMember(school=school, **values)
        member.full_clean()
        member.save()
        action, changed = AuditAction.CREATE, list(values)
    else:
        member = LeadingGroupMember.objects.select_for_update().get(pk=member.pk)
        changed = [name for name, value in values.items() if getattr(member, name) != value]
        for name in changed:
            setattr(member, name, values[name])
        member.full_clean()
        if changed:
            member.save(update_fields=changed)
        action = AuditAction.CHANGE
    audit.record(
        user=acting_user,
        action=action,
        target=f"领导小组：{member}",
        school=school,
        model="leadinggroupmember",
        pk=member.pk,
        fields=changed,
    )
    return member


@transaction.atomic
def remove_leading_group_member(*, member: LeadingGroupMember, acting_user) -> None:
    """Take a member out of the 领导小组."""
    label, school, pk = str(member), member.school, member.pk
    LeadingGroupMember.objects.filter(pk=pk).delete()
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=f"领导小组：移除{label}",
        school=school,
        model="leadinggroupmember",
        pk=pk,
    )
