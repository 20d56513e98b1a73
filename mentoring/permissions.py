"""Who may read or write talks, visits, contacts, concerns and pairings, built on the core roles and on
the archive's child scope (children.permissions). This app also tells the lower layers what a pairing
grants, in MentoringConfig.ready(): the mentor role and the children a mentor sees."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from caretrack.models import School
from caretrack.permissions import get_roles, require_staff
from children.models import ACTIVE_STATUSES
from children.permissions import children_visible_to, get_child_for_user
from mentoring.models import SENSITIVE_CATEGORIES, CaseAction, Concern, HomeVisit, HomeVisitPhoto, Pairing, Referral


def mentors_today() -> Exists:
    """The core's mentor role, as a condition on OuterRef("user"): the user has a pairing running today."""
    return Exists(Pairing.objects.carried_on(timezone.localdate()).filter(mentor=OuterRef("user")))


def children_paired_to(user) -> Q:
    """The archive's extra child scope for mentors: the children paired to them today."""
    return Q(pk__in=Pairing.objects.carried_on(timezone.localdate()).filter(mentor=user).values("child_id"))


LOG_EDIT_DAYS = 7  # an author may correct their own log for a week; later only the coordinator


# --- Named rules: the views, and through them the templates, ask these -----------------------------


def require_my_students(user) -> School:
    """我的学生 is every school staff member's page (teachers, class teachers, mentors, managers); 403 for
    bureau users, who have no children of their own."""
    return require_staff(user)


def can_manage_pairings(user) -> bool:
    """Pairing, ending pairings, 待结对, volunteers and the school's cadence: the principal or the
    coordinator of the school."""
    return get_roles(user).manages_school


def require_pairing_manager(user) -> School:
    """The school whose pairings the user runs; 403 unless can_manage_pairings."""
    if not can_manage_pairings(user):
        raise PermissionDenied("只有校长或关爱工作负责人可以安排结对帮扶。")
    return get_roles(user).school


def can_handle_concerns(user) -> bool:
    """The 待处理 list and closing a concern: the principal or the coordinator."""
    return get_roles(user).manages_school


def require_concern_handler(user) -> School:
    """The school whose concerns the user handles; 403 unless can_handle_concerns."""
    if not can_handle_concerns(user):
        raise PermissionDenied("只有校长或关爱工作负责人可以处理关注事项。")
    return get_roles(user).school


def sees_sensitive_records(user) -> bool:
    """疑似受侵害, 心理危机 and 自伤: besides their author and the case's assignee, only the principal and the
    coordinator see them."""
    return get_roles(user).manages_school


def can_correct_any_log(user) -> bool:
    """After LOG_EDIT_DAYS only the coordinator may still correct a log (anyone's, of the school)."""
    return get_roles(user).is_coordinator


def get_child_for_logging(user, pk):
    """A child the user may write a log for: school managers for every child of the school, a class
    teacher for their class, a mentor for their paired children (the same scope as reading), while the child
    is on the roll: a record that ended (转出, 毕业) takes no new logs."""
    child = get_child_for_user(user, pk)
    if child.status not in ACTIVE_STATUSES:
        raise PermissionDenied(f"{child.name}的档案已{child.get_status_display()}，只能查看，不能再添加记录。")
    return child


def logs_visible_to(user, model) -> QuerySet:
    """Talks, visits and contacts of the children the user may see, minus other people's logs that
    carry a sensitive concern."""
    queryset = model.objects.filter(child__in=children_visible_to(user))
    if sees_sensitive_records(user):
        return queryset
    return queryset.filter(
        Q(concern__isnull=True)
        | ~Q(concern__category__in=SENSITIVE_CATEGORIES)
        | Q(author=user)
        | Q(concern__assigned_to=user)
    )


def can_edit_log(user, log) -> bool:
    roles = get_roles(user)
    if roles.school_id is None or roles.school_id != log.child.school_id:
        return False
    if can_correct_any_log(user):
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


def get_visit_photo_for_user(user, pk) -> HomeVisitPhoto:
    """A photo of a home visit the user may read (the visit's own access, sensitive concerns included);
    404 otherwise, as for the visit itself."""
    try:
        return HomeVisitPhoto.objects.select_related("visit").get(pk=pk, visit__in=logs_visible_to(user, HomeVisit))
    except (HomeVisitPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该照片，或您无权查看。") from None


def concerns_visible_to(user) -> QuerySet:
    """Cases of the children the user may see (a transferred child's earlier records included while the
    chronology reads them) and the cases of the school assigned to the user, minus sensitive ones
    (疑似受侵害, 心理危机, 自伤) unless the user is their author, their assignee, the coordinator or the principal."""
    roles = get_roles(user)
    if not roles.school_id:
        return Concern.objects.none()
    queryset = Concern.objects.filter(
        Q(child__in=children_visible_to(user)) | Q(assigned_to=user, child__school_id=roles.school_id)
    )
    if sees_sensitive_records(user):
        return queryset
    return queryset.filter(~Q(category__in=SENSITIVE_CATEGORIES) | Q(raised_by=user) | Q(assigned_to=user))


def can_work_case(user, concern: Concern) -> bool:
    """Adding follow-up actions and referrals, closing and reopening: the school's principal and coordinator,
    and the person the case is assigned to."""
    roles = get_roles(user)
    if roles.school_id is None or roles.school_id != concern.child.school_id:
        return False
    return roles.manages_school or concern.assigned_to_id == user.pk


def can_assign_case(user, concern: Concern) -> bool:
    """Choosing who is responsible for a case: the school's principal or coordinator."""
    roles = get_roles(user)
    return roles.manages_school and roles.school_id == concern.child.school_id


def require_case_assigner(user, concern: Concern) -> None:
    """403 unless can_assign_case."""
    if not can_assign_case(user, concern):
        raise PermissionDenied("只有关爱工作负责人或校长可以指定个案负责人。")


def may_lower_risk(user) -> bool:
    """Setting a risk below the category's default (心理危机 … are 紧急): the coordinator or the principal."""
    return get_roles(user).manages_school


def can_mark_action_done(user, action) -> bool:
    """A follow-up action is marked done by whoever works the case or by the person it was given to."""
    return action.who_id == user.pk or can_work_case(user, action.concern)


def get_case_for_user(user, pk, *, work: bool = False) -> Concern:
    """A case the user may see (404 otherwise); with work=True, 403 unless can_work_case."""
    try:
        concern = (
            concerns_visible_to(user)
            .select_related("child__school", "child__school_class", "raised_by", "assigned_to", "closed_by")
            .get(pk=pk)
        )
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该个案，或您无权查看。") from None
    if work and not can_work_case(user, concern):
        raise PermissionDenied("只有个案负责人、关爱工作负责人或校长可以处理该个案。")
    return concern


def get_case_action_for_user(user, pk):
    """A follow-up action the user may mark done (404 if its case is out of sight, 403 unless
    can_mark_action_done)."""
    try:
        action = CaseAction.objects.select_related("concern__child__school").get(
            pk=pk, concern__in=concerns_visible_to(user)
        )
    except (CaseAction.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该跟进事项，或您无权查看。") from None
    if not can_mark_action_done(user, action):
        raise PermissionDenied("只有执行人、个案负责人、关爱工作负责人或校长可以标记完成。")
    return action


def get_referral_for_user(user, pk):
    """A referral whose outcome the user may record: 404 if its case is out of sight, 403 unless
    can_work_case."""
    try:
        referral = Referral.objects.select_related("concern__child__school").get(
            pk=pk, concern__in=concerns_visible_to(user)
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该转介记录，或您无权查看。") from None
    if not can_work_case(user, referral.concern):
        raise PermissionDenied("只有个案负责人、关爱工作负责人或校长可以登记转介结果。")
    return referral


def get_concern_for_manager(user, pk):
    """A concern of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_concern_handler(user)
    try:
        return Concern.objects.select_related("child__school_class").get(pk=pk, child__school=school)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该关注事项。") from None


def get_pairing_for_manager(user, pk):
    """A pairing of the manager's school (403 for other roles, 404 outside the school)."""
    school = require_pairing_manager(user)
    try:
        return Pairing.objects.select_related("child", "mentor", "external_mentor").get(pk=pk, child__school=school)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该结对记录。") from None


def can_log_for_external_mentor(user) -> bool:
    """External volunteers have no account: the coordinator (or principal) enters their logs."""
    return can_manage_pairings(user)
