"""Who may submit the 工作总结 to the county bureau, and who may send it back. Built on the core's roles
(caretrack.permissions); views and templates ask these by name."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from caretrack.models import School
from caretrack.permissions import get_roles, require_bureau


def can_submit_term_report(user, school: School | None = None) -> bool:
    """Submitting to the bureau is the principal's act (the coordinator edits, the principal signs off)."""
    roles = get_roles(user)
    return roles.is_principal and (school is None or roles.school_id == school.pk)


def require_report_submitter(user) -> School:
    """The principal's school; 403 for everyone else."""
    if not can_submit_term_report(user):
        raise PermissionDenied("只有校长可以把工作总结提交教育局。")
    return get_roles(user).school


def require_report_reviewer(user) -> QuerySet:
    """The schools whose submitted 工作总结 the bureau user receives, returns and sets deadlines for."""
    return require_bureau(user)


def can_review_term_report(user, school: School) -> bool:
    roles = get_roles(user)
    return roles.is_bureau and roles.profile.bureau_schools.filter(pk=school.pk).exists()
