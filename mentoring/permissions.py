"""Who may read or write talks, visits, contacts, concerns and pairings, built on the core roles and on
the archive's child scope (children.permissions). This app also tells the lower layers what a pairing
grants, in MentoringConfig.ready(): the mentor role and the children a mentor sees."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from caretrack.permissions import get_roles, require_school_manager
from children.permissions import children_visible_to, get_child_for_user
from mentoring.models import SENSITIVE_CATEGORIES, Concern, Pairing


def is_mentor_today(user) -> bool:
    """The core's mentor role: the user has a pairing running today."""
    return Pairing.objects.open_on(timezone.localdate()).filter(mentor=user).exists()


def children_paired_to(user) -> Q:
    """The archive's extra child scope for mentors: the children paired to them today."""
    return Q(pk__in=Pairing.objects.open_on(timezone.localdate()).filter(mentor=user).values("child_id"))


LOG_EDIT_DAYS = 7  # an author may correct their own log for a week; later only the coordinator


def get_child_for_logging(user, pk):
    """A child the user may write a log for: school managers for every child of the school, a class
    teacher for their class, a mentor for their paired children (the same scope as reading)."""
    return get_child_for_user(user, pk)


def _hide_sensitive(queryset: QuerySet, user, *, author_field: str, category_field: str) -> QuerySet:
    """Safeguarding: 疑似受侵害 and 心理危机 are seen by the author, the coordinator and the principal only."""
    if get_roles(user).manages_school:
        return queryset
    return queryset.filter(~Q(**{f"{category_field}__in": SENSITIVE_CATEGORIES}) | Q(**{author_field: user}))


def logs_visible_to(user, model) -> QuerySet:
    """Talks, visits and contacts of the children the user may see, minus other people's logs that
    carry a sensitive concern."""
    queryset = model.objects.filter(child__in=children_visible_to(user))
    if get_roles(user).manages_school:
        return queryset
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
    try:
        return Concern.objects.select_related("child__school_class").get(pk=pk, child__school=school)
    except (Concern.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该关注事项。") from None


def get_pairing_for_manager(user, pk):
    school = require_school_manager(user)
    try:
        return Pairing.objects.select_related("child", "mentor", "external_mentor").get(pk=pk, child__school=school)
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该结对记录。") from None


def can_log_for_external_mentor(user) -> bool:
    """External volunteers have no account: the coordinator (or principal) enters their logs."""
    return get_roles(user).manages_school
