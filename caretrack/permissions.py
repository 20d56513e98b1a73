"""Who may see or change what. Views, templates (through the navigation context) and querysets all ask
this module; nothing else decides access.

Rules:
- principal and coordinator see their whole school;
- a class teacher sees the children of the classes they head;
- a mentor sees the children currently paired to them;
- a bureau user sees aggregate figures of their schools and no child-level data;
- nobody sees another school's data. An object out of scope answers 404, an action out of role 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from caretrack.models import School, SchoolClass, StaffProfile


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
    """Read a user's roles (cached on the user object for the request)."""
    cached = getattr(user, "_caretrack_roles", None)
    if cached is not None:
        return cached
    profile = None
    is_class_teacher = is_mentor = False
    if user.is_authenticated:
        profile = StaffProfile.objects.select_related("school").filter(user=user).first()
        if profile and profile.school_id:
            is_class_teacher = SchoolClass.objects.filter(head_teacher=user, school_id=profile.school_id).exists()
            is_mentor = _open_pairings(user).exists()
    roles = Roles(profile=profile, is_class_teacher=is_class_teacher, is_mentor=is_mentor)
    user._caretrack_roles = roles
    return roles


def _open_pairings(user, on=None):
    from mentoring.models import Pairing

    on = on or timezone.localdate()
    return Pairing.objects.filter(mentor=user, start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


# --- Children -----------------------------------------------------------------------------------


def children_visible_to(user) -> QuerySet:
    """Every child the user may see at child level (none for bureau users)."""
    from children.models import Child

    roles = get_roles(user)
    if not roles.school_id:
        return Child.objects.none()
    school_children = Child.objects.filter(school_id=roles.school_id)
    if roles.manages_school:
        return school_children
    paired_ids = _open_pairings(user).values("child_id")
    return school_children.filter(Q(school_class__head_teacher=user) | Q(pk__in=paired_ids))


def children_editable_by(user) -> QuerySet:
    """Children whose archive the user may change: school managers, and class teachers for their class."""
    from children.models import Child

    roles = get_roles(user)
    if not roles.school_id:
        return Child.objects.none()
    school_children = Child.objects.filter(school_id=roles.school_id)
    if roles.manages_school:
        return school_children
    return school_children.filter(school_class__head_teacher=user)


def get_child_for_user(user, pk, *, write: bool = False):
    """Fetch a child the user may see (or change, with write=True); 404 otherwise, so that a teacher
    who edits the URL learns nothing about children outside their scope."""
    queryset = children_editable_by(user) if write else children_visible_to(user)
    try:
        return queryset.select_related("school", "school_class").get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该学生，或您无权查看。") from None


def can_edit_child(user, child) -> bool:
    roles = get_roles(user)
    if roles.school_id != child.school_id:
        return False
    return roles.manages_school or child.school_class.head_teacher_id == user.pk


def can_see_full_identifiers(user, child) -> bool:
    """Full ID and phone numbers: only on the child page, for roles that may edit the archive."""
    return can_edit_child(user, child)


def classes_visible_to(user) -> QuerySet:
    roles = get_roles(user)
    if not roles.school_id:
        return SchoolClass.objects.none()
    classes = SchoolClass.objects.filter(school_id=roles.school_id)
    if roles.manages_school:
        return classes
    return classes.filter(head_teacher=user)


# --- School level -------------------------------------------------------------------------------


def require_school_manager(user) -> School:
    """The principal's or coordinator's school; 403 for everyone else."""
    roles = get_roles(user)
    if not roles.manages_school:
        raise PermissionDenied("只有校长或关爱工作负责人可以进行此操作。")
    return roles.school


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


def require_bureau(user) -> QuerySet:
    roles = get_roles(user)
    if not roles.is_bureau:
        raise PermissionDenied("此页面仅限县教育局用户使用。")
    return roles.profile.bureau_schools.all()


# --- Mentoring: logs, concerns, pairings (issue 4) ------------------------------------------------

LOG_EDIT_DAYS = 7  # an author may correct their own log for a week; later only the coordinator


def get_child_for_logging(user, pk):
    """A child the user may write a log for: school managers for every child of the school, a class
    teacher for their class, a mentor for their paired children (the same scope as reading)."""
    return get_child_for_user(user, pk)


def _hide_sensitive(queryset: QuerySet, user, *, author_field: str, category_field: str) -> QuerySet:
    """Safeguarding: 疑似受侵害 and 心理危机 are seen by the author, the coordinator and the principal only."""
    from mentoring.models import SENSITIVE_CATEGORIES

    if get_roles(user).manages_school:
        return queryset
    return queryset.filter(~Q(**{f"{category_field}__in": SENSITIVE_CATEGORIES}) | Q(**{author_field: user}))


def logs_visible_to(user, model) -> QuerySet:
    """Talks, visits and contacts of the children the user may see, minus other people's logs that
    carry a sensitive concern."""
    queryset = model.objects.filter(child__in=children_visible_to(user))
    if get_roles(user).manages_school:
        return queryset
    from mentoring.models import SENSITIVE_CATEGORIES

    return queryset.filter(Q(concern__isnull=True) | ~Q(concern__category__in=SENSITIVE_CATEGORIES) | Q(author=user))


def can_edit_log(user, log) -> bool:
    roles = get_roles(user)
    if roles.school_id is None or roles.school_id != log.child.school_id:
        return False
    if roles.is_coordinator:
        return True
    return log.author_id == user.pk and timezone.now() - log.created_at <= timedelta(days=LOG_EDIT_DAYS)


def get_log_for_user(user, model, pk, *, write: bool = False):
    """A log the user may read (404 otherwise); with write=True, 403 unless the user may still change it."""
    try:
        log = (
            logs_visible_to(user, model)
            .select_related("child__school", "child__school_class", "author", "external_mentor", "concern")
            .get(pk=pk)
        )
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该记录，或您无权查看。") from None
    if write and not can_edit_log(user, log):
        raise PermissionDenied(f"记录录入{LOG_EDIT_DAYS}天后只能由关爱工作负责人修改。")
    return log


def concerns_visible_to(user) -> QuerySet:
    from mentoring.models import Concern

    roles = get_roles(user)
    if not roles.school_id:
        return Concern.objects.none()
    queryset = Concern.objects.filter(child__school_id=roles.school_id)
    if roles.manages_school:
        return queryset
    queryset = queryset.filter(child__in=children_visible_to(user))
    return _hide_sensitive(queryset, user, author_field="raised_by", category_field="category")


def get_concern_for_manager(user, pk):
    """A concern of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_school_manager(user)
    from mentoring.models import Concern

    try:
        return Concern.objects.select_related("child__school_class").get(pk=pk, child__school=school)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该关注事项。") from None


def get_pairing_for_manager(user, pk):
    school = require_school_manager(user)
    from mentoring.models import Pairing

    try:
        return Pairing.objects.select_related("child", "mentor", "external_mentor").get(pk=pk, child__school=school)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该结对记录。") from None


def can_log_for_external_mentor(user) -> bool:
    """External volunteers have no account: the coordinator (or principal) enters their logs."""
    return get_roles(user).manages_school


# --- Activities, care room, aid, health checks, exams (issue 5) -----------------------------------


def activities_visible_to(user) -> QuerySet:
    """Activities of the user's school: every staff member may read the list; bureau users see none."""
    from activities.models import Activity

    roles = get_roles(user)
    if not roles.school_id:
        return Activity.objects.none()
    return Activity.objects.filter(school_id=roles.school_id)


def activity_classes_for(user) -> QuerySet:
    """Classes for which the user may record an activity: every class for school managers, their own
    classes for class teachers; 403 for everyone else (mentors without a class, bureau users)."""
    roles = get_roles(user)
    if not roles.school_id or not (roles.manages_school or roles.is_class_teacher):
        raise PermissionDenied("只有校长、关爱工作负责人或班主任可以登记活动。")
    return classes_visible_to(user)


def can_edit_activity(user, activity) -> bool:
    """School managers change every activity of the school; a class teacher those of their class."""
    roles = get_roles(user)
    if roles.school_id != activity.school_id:
        return False
    if roles.manages_school:
        return True
    return activity.school_class_id is not None and activity.school_class.head_teacher_id == user.pk


def get_activity_for_user(user, pk, *, write: bool = False):
    """An activity of the user's school (404 otherwise); with write=True, 403 unless the user may change it."""
    try:
        activity = (
            activities_visible_to(user).select_related("school", "school_class", "organiser", "created_by").get(pk=pk)
        )
    except (activities_visible_to(user).model.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该活动，或您无权查看。") from None
    if write and not can_edit_activity(user, activity):
        raise PermissionDenied("只有关爱工作负责人、校长或本班班主任可以修改该活动。")
    return activity


def get_activity_photo_for_user(user, pk):
    from activities.models import ActivityPhoto

    try:
        return ActivityPhoto.objects.select_related("activity").get(pk=pk, activity__in=activities_visible_to(user))
    except (ActivityPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该照片。") from None


def child_records_visible_to(user, model) -> QuerySet:
    """Aid, health checks and exam results of the children the user may see."""
    return model.objects.filter(child__in=children_visible_to(user))


def get_exam_for_user(user, pk, *, write: bool = False):
    """An exam of the user's school (404 otherwise); entering results is for school managers (403)."""
    from activities.models import Exam

    roles = get_roles(user)
    if write:
        require_school_manager(user)
    try:
        return Exam.objects.select_related("term").get(pk=pk, school_id=roles.school_id)
    except (Exam.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该考试。") from None


# --- Excel import and export (children/excel_views.py) -------------------------------------------


def can_export_full_identifiers(user, school) -> bool:
    """Full ID and phone numbers in an export: only the school's principal or coordinator, who may edit
    every archive of the school (and only when they ask for them; the default export is masked)."""
    roles = get_roles(user)
    return roles.manages_school and roles.school_id == getattr(school, "pk", None)


def get_term_for_user(user, pk):
    """A term of the user's own school (404 otherwise)."""
    from caretrack.models import Term

    roles = get_roles(user)
    try:
        return Term.objects.get(pk=pk, school_id=roles.school_id)
    except (Term.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该学期。") from None


def get_care_room_opening_for_manager(user, pk):
    """An opening of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_school_manager(user)
    from activities.models import CareRoomOpening

    try:
        return CareRoomOpening.objects.get(pk=pk, school=school)
    except (CareRoomOpening.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该开放记录。") from None


def get_aid_for_manager(user, pk):
    """An aid record of a child of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_school_manager(user)
    from activities.models import Aid

    try:
        return Aid.objects.select_related("child__school", "child__school_class").get(pk=pk, child__school=school)
    except (Aid.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该资助记录。") from None
