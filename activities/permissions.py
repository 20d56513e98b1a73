"""Who may read or record activities, care-room openings, aid, health checks and exam results, built on
the core roles and on the archive's child scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from activities.models import Activity, ActivityPhoto, Aid, CareRoomOpening, Exam
from caretrack.models import School
from caretrack.permissions import classes_visible_to, get_roles, manages_school_or_heads_a_class
from children.permissions import children_visible_to

# --- Who may record what (views, forms and templates ask these by name) -----------------------------


def can_record_activity(user) -> bool:
    """School managers record activities of the whole school, class teachers those of their classes."""
    return manages_school_or_heads_a_class(user)


def can_record_school_wide_activity(user) -> bool:
    """Only school managers record whole-school activities and pick participants by grade; a class
    teacher records activities of their own class."""
    return get_roles(user).manages_school


def can_record_care_room_openings(user) -> bool:
    """The care room's openings are recorded by the principal or the coordinator."""
    return get_roles(user).manages_school


def can_record_aid(user) -> bool:
    """Aid (资助与慰问) is recorded, corrected and deleted by the principal or the coordinator."""
    return get_roles(user).manages_school


def can_record_health_checks(user) -> bool:
    """Health checks, one by one or a class at a time, are recorded by the principal or the coordinator."""
    return get_roles(user).manages_school


def can_record_exams(user) -> bool:
    """Exams are set up, and their results entered, by the principal or the coordinator."""
    return get_roles(user).manages_school


def _require(allowed: bool, user, message: str) -> School:
    if not allowed:
        raise PermissionDenied(message)
    return get_roles(user).school


def require_care_room_recorder(user) -> School:
    """The school whose care-room openings the user records; 403 unless can_record_care_room_openings."""
    return _require(can_record_care_room_openings(user), user, "只有校长或关爱工作负责人可以登记留守儿童之家开放记录。")


def require_aid_recorder(user) -> School:
    """The school whose aid the user records; 403 unless can_record_aid."""
    return _require(can_record_aid(user), user, "只有校长或关爱工作负责人可以登记资助与慰问。")


def require_health_recorder(user) -> School:
    """The school whose health checks the user records; 403 unless can_record_health_checks."""
    return _require(can_record_health_checks(user), user, "只有校长或关爱工作负责人可以登记体检。")


def require_exam_recorder(user) -> School:
    """The school whose exams the user sets up and fills in; 403 unless can_record_exams."""
    return _require(can_record_exams(user), user, "只有校长或关爱工作负责人可以登记考试和成绩。")


# --- Reading, and fetching one record -------------------------------------------------------------


def activities_visible_to(user) -> QuerySet:
    """Activities of the user's school: every staff member may read the list; bureau users see none."""
    roles = get_roles(user)
    if not roles.school_id:
        return Activity.objects.none()
    return Activity.objects.filter(school_id=roles.school_id)


def activity_classes_for(user) -> QuerySet:
    """Classes for which the user may record an activity: every class for school managers, their own
    classes for class teachers; 403 for everyone else (mentors without a class, bureau users)."""
    if not can_record_activity(user):
        raise PermissionDenied("只有校长、关爱工作负责人或班主任可以登记活动。")
    return classes_visible_to(user)


def can_edit_activity(user, activity) -> bool:
    """School managers change every activity of the school; a class teacher those of their class."""
    roles = get_roles(user)
    if roles.school_id != activity.school_id:
        return False
    if can_record_school_wide_activity(user):
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
    try:
        return ActivityPhoto.objects.select_related("activity").get(pk=pk, activity__in=activities_visible_to(user))
    except (ActivityPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该照片。") from None


def child_records_visible_to(user, model) -> QuerySet:
    """Aid, health checks and exam results of the children the user may see."""
    return model.objects.filter(child__in=children_visible_to(user))


def get_exam_for_user(user, pk, *, write: bool = False):
    """An exam of the user's school (404 otherwise); entering results is for school managers (403)."""
    roles = get_roles(user)
    if write:
        require_exam_recorder(user)
    try:
        return Exam.objects.select_related("term").get(pk=pk, school_id=roles.school_id)
    except (Exam.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该考试。") from None


def get_care_room_opening_for_manager(user, pk):
    """An opening of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_care_room_recorder(user)
    try:
        return CareRoomOpening.objects.get(pk=pk, school=school)
    except (CareRoomOpening.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该开放记录。") from None


def get_aid_for_manager(user, pk):
    """An aid record of a child of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_aid_recorder(user)
    try:
        return Aid.objects.select_related("child__school", "child__school_class").get(pk=pk, child__school=school)
    except (Aid.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该资助记录。") from None
