"""Audit cases for 升年级, its undo and the age-limit closing of 留守 periods (tests/test_audit_policy.py runs
them)."""

from datetime import date

from django.utils import timezone

from caretrack.models import AuditAction
from children.services.calendar import close_periods_at_age_limit
from children.services.promotion import promote_school, undo_promotion
from tests.audit_cases import AuditCase
from tests.factories import ChildFactory, SchoolClassFactory
from tests.reports.helpers import left_behind_child


def _promote_school(world):
    ChildFactory(school_class=SchoolClassFactory(school=world.school, grade=6, number=1))
    promote_school(school=world.school, on=date(2027, 7, 10), acting_user=world.principal)
    return world.principal


def _undo_promotion(world):
    ChildFactory(school_class=SchoolClassFactory(school=world.school, grade=6, number=1))
    run = promote_school(school=world.school, on=timezone.localdate(), acting_user=world.principal)
    undo_promotion(run=run, acting_user=world.principal)
    return world.principal


def _close_periods_at_age_limit(world):
    left_behind_child(world.school_class, birth_date=date(2010, 10, 1))  # 16 on 2026-10-01
    close_periods_at_age_limit(on=date(2026, 10, 1), acting_user=world.coordinator)
    return world.coordinator


CASES = [
    AuditCase(promote_school, _promote_school, AuditAction.CHANGE),
    AuditCase(undo_promotion, _undo_promotion, AuditAction.CHANGE),
    AuditCase(close_periods_at_age_limit, _close_periods_at_age_limit, AuditAction.CHANGE),
]
