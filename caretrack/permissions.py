"""The core of access: the roles a user holds and the school they belong to. Each app builds its own
rules on these (children/permissions.py, mentoring/permissions.py, activities/permissions.py,
reports/permissions.py); views, the menu and templates ask those rules by name.

Rules every app follows:
- principal and coordinator see their whole school;
- a class teacher sees the children of the classes they head;
- a mentor sees the children currently paired to them (mentoring registers what "mentor" means);
- a bureau user sees aggregate figures of their schools and no child-level data;
- nobody sees another school's data. An object out of scope answers 404, an action out of role 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from caretrack.models import School, SchoolClass, StaffProfile, Term


@dataclass(frozen=True)
class Roles:
    """The roles a user holds, read once per request (request.roles via the context processor)."""

    profile: StaffProfile | None
    is_class_teacher: bool
    is_mentor: bool

    @property
    def school(self) -> School | None:
        return self.profile.school if self.profile else None

    @property
    def school_id(self) -> int | None:
        return self.profile.school_id if self.profile else None

    @property
    def is_principal(self) -> bool:
        return bool(self.profile and self.profile.school_id and self.profile.is_principal)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.profile and self.profile.school_id and self.profile.is_coordinator)

    @property
    def is_bureau(self) -> bool:
        return bool(self.profile and self.profile.is_bureau)

    @property
    def is_teacher(self) -> bool:
        return bool(self.profile and self.profile.school_id and self.profile.is_teacher)

    @property
    def manages_school(self) -> bool:
        """Principal or coordinator: sees and runs the whole school's programme."""
        return self.is_principal or self.is_coordinator

    @cached_property
    def labels(self) -> list[str]:
        labels = []
        for flag, label in (
            (self.is_principal, "校长"),
            (self.is_coordinator, "关爱工作负责人"),
            (self.is_class_teacher, "班主任"),
            (self.is_mentor, "帮扶教师"),
            (self.is_bureau, "县教育局"),
        ):
            if flag:
                labels.append(label)
        return labels


def get_roles(user) -> Roles:
    """Read a user's roles in one query (cached on the user object for the request): the profile with its
    school, whether the user heads a class of that school, and the registered mentor conditions."""
    cached = getattr(user, "_caretrack_roles", None)
    if cached is not None:
        return cached
    profile = None
    is_class_teacher = is_mentor = False
    if user.is_authenticated:
        conditions = {f"_mentor_{i}": condition() for i, condition in enumerate(_MENTOR_CONDITIONS)}
        heads = SchoolClass.objects.filter(head_teacher=OuterRef("user"), school=OuterRef("school"))
        profile = (
            StaffProfile.objects.select_related("school")
            .filter(user=user)
            .annotate(
                _heads_class=Exists(heads),
                **conditions,
            )
            .first()
        )
        if profile and profile.school_id:
            is_class_teacher = profile._heads_class
            is_mentor = any(getattr(profile, name) for name in conditions)
    roles = Roles(profile=profile, is_class_teacher=is_class_teacher, is_mentor=is_mentor)
    user._caretrack_roles = roles
    return roles


# "Mentor" is a core role, but being one means having a pairing today, which the mentoring app owns:
# it registers the condition at start-up (MentoringConfig.ready). A condition is a function returning an
# Exists() over OuterRef("user"), the staff profile's user, so that all roles are read in one query.
MentorCondition = Callable[[], Exists]
_MENTOR_CONDITIONS: list[MentorCondition] = []


def register_mentor_condition(condition: MentorCondition) -> None:
    """Called by the app that owns pairings: condition() is true for a user while they mentor a child."""
    if condition not in _MENTOR_CONDITIONS:
        _MENTOR_CONDITIONS.append(condition)


def classes_visible_to(user) -> QuerySet:
    roles = get_roles(user)
    if not roles.school_id:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(school_id=roles.school_id)
    if roles.manages_school:
        return classes
    return classes.filter(head_teacher=user)


# --- Named checks: views, the menu and templates ask these ------------------------------------------


def manages_school(user) -> bool:
    """Principal or coordinator of a school."""
    return get_roles(user).manages_school


def works_with_children(user) -> bool:
    """A teacher or a school manager: the pages of 我的学生, the child archive and activities."""
    roles = get_roles(user)
    return roles.is_teacher or roles.manages_school


def manages_school_or_heads_a_class(user) -> bool:
    """Principal or coordinator, or the head teacher of a class: who may create archives and record
    activities (each for their own scope)."""
    roles = get_roles(user)
    return roles.manages_school or roles.is_class_teacher


def is_bureau(user) -> bool:
    return get_roles(user).is_bureau


def can_read_audit(user) -> bool:
    """The audit log is the principal's."""
    return get_roles(user).is_principal


def require_audit_reader(user) -> School:
    if not can_read_audit(user):
        raise PermissionDenied("只有校长可以查看审计记录。")
    return get_roles(user).school


# --- Staff (学校设置·教职工) ---------------------------------------------------------------------


def can_view_staff(user) -> bool:
    """Principal or coordinator: sees the school's staff list and adds teachers."""
    return get_roles(user).manages_school


def can_manage_staff(user) -> bool:
    """The principal: gives roles, resets passwords, registers a teacher's leaving."""
    return get_roles(user).is_principal


def require_staff_viewer(user) -> School:
    if not can_view_staff(user):
        raise PermissionDenied("只有校长或关爱工作负责人可以查看和添加教职工。")
    return get_roles(user).school


def require_staff_manager(user) -> School:
    if not can_manage_staff(user):
        raise PermissionDenied("只有校长可以设置角色、重置密码或登记离职。")
    return get_roles(user).school


def staff_visible_to(user) -> QuerySet:
    """The users of the viewer's school (active first), with their profile and the active classes they head
    prefetched: a fixed number of queries for the whole list."""
    roles = get_roles(user)
    if not can_view_staff(user):
        return User.objects.none()
    return (
        User.objects.filter(profile__school_id=roles.school_id)
        .select_related("profile")
        .prefetch_related(
            Prefetch("head_of_classes", queryset=SchoolClass.objects.active().order_by("grade", "number"))
        )
        .order_by("-is_active", "first_name", "username")
    )


def get_staff_member_for_user(user, pk):
    """A staff member of the principal's own school (404 otherwise; 403 first for anyone not principal)."""
    require_staff_manager(user)
    try:
        return staff_visible_to(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该教职工。") from None


# --- School level -------------------------------------------------------------------------------


def require_school_manager(user) -> School:
    """The principal's or coordinator's school; 403 for everyone else."""
    if not manages_school(user):
        raise PermissionDenied("只有校长或关爱工作负责人可以进行此操作。")
    return get_roles(user).school


def require_staff(user) -> School:
    """Any staff member of a school (teachers included); 403 for bureau users."""
    roles = get_roles(user)
    if not roles.school_id:
        raise PermissionDenied("此页面仅限学校教职工使用。")
    return roles.school


def schools_for_aggregates(user) -> QuerySet:
    """Schools whose aggregate figures the user may see: a bureau user's schools, a manager's own school."""
    roles = get_roles(user)
    if roles.is_bureau:
        return roles.profile.bureau_schools.all()
    if roles.manages_school:
        return School.objects.filter(pk=roles.school_id)
    return School.objects.none()


def require_aggregate_reader(user) -> QuerySet:
    """The schools whose aggregate figures the user may export; 403 for anyone who has none."""
    if not (is_bureau(user) or manages_school(user)):
        raise PermissionDenied("只有县教育局用户、校长或关爱工作负责人可以导出汇总表。")
    return schools_for_aggregates(user)


def can_edit_school_settings(user) -> bool:
    """The school's settings (学段, 在校学生数, 留守口径, 结对上限) and which term is current are the principal's."""
    return get_roles(user).is_principal


def is_bureau_admin(user) -> bool:
    """A county bureau administrator: adds schools and their first principal; sees no child data."""
    roles = get_roles(user)
    return roles.is_bureau and roles.profile.is_bureau_admin


def can_see_rollover(user) -> bool:
    """The term-start checklist (学期初检查清单): the principal or the coordinator of the school."""
    return manages_school(user)


def require_bureau(user) -> QuerySet:
    if not is_bureau(user):
        raise PermissionDenied("此页面仅限县教育局用户使用。")
    return get_roles(user).profile.bureau_schools.all()


def get_term_for_user(user, pk):
    """A term of the user's own school (404 otherwise)."""
    roles = get_roles(user)
    try:
        return Term.objects.get(pk=pk, school_id=roles.school_id)
    except (Term.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该学期。") from None
