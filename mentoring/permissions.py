"""Who may read or write talks, visits, contacts, concerns and pairings, built on the core roles and on
the archive's child scope (children.permissions). This app also tells the lower layers what a pairing
grants, in MentoringConfig.ready(): the mentor role and the children a mentor sees."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from caretrack.models import School
from caretrack.permissions import get_roles, require_staff
from children.models import ACTIVE_STATUSES
from children.permissions import children_visible_to, get_child_for_user
from mentoring.models import SENSITIVE_CATEGORIES, Concern, Pairing


def is_mentor_today(user) -> bool:
    """The core's mentor role: the user has a pairing running today."""
    return Pairing.objects.carried_on(timezone.localdate()).filter(mentor=user).exists()


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
    """疑似受侵害 and 心理危机: besides their author, only the principal and the coordinator see them."""
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


def _hide_sensitive(queryset: QuerySet, user, *, author_field: str, category_field: str) -> QuerySet:
    """Safeguarding: 疑似受侵害 and 心理危机 are seen by the author, the coordinator and the principal only."""
    if sees_sensitive_records(user):
        return queryset
    return queryset.filter(~Q(**{f"{category_field}__in": SENSITIVE_CATEGORIES}) | Q(**{author_field: user}))


def logs_visible_to(user, model) -> QuerySet:
    """Talks, visits and contacts of the children the user may see, minus other people's logs that
    carry a sensitive concern."""
    queryset = model.objects.filter(child__in=children_visible_to(user))
    if sees_sensitive_records(user):
        return queryset
    return queryset.filter(Q(concern__isnull=True) | ~Q(concern__category__in=SENSITIVE_CATEGORIES) | Q(author=user))


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


def concerns_visible_to(user) -> QuerySet:
    """Concerns of the children the user may see (a transferred child's earlier records included while the
    chronology reads them), minus other people's sensitive ones for those who may not see them."""
    if not get_roles(user).school_id:
        return Concern.objects.none()
    queryset = Concern.objects.filter(child__in=children_visible_to(user))
    if sees_sensitive_records(user):
        return queryset
    return _hide_sensitive(queryset, user, author_field="raised_by", category_field="category")


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
