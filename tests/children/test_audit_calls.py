"""Audit cases for children.services.calls (tests/test_audit_policy.py runs them)."""

from caretrack.models import AuditAction
from children.services import calls
from tests.audit_cases import AuditCase
from tests.factories import ChildFactory, GuardianFactory


def _number_to_call(world):
    guardian = GuardianFactory(child=ChildFactory(school_class=world.school_class))
    calls.number_to_call(person=guardian, acting_user=world.class_teacher)
    return world.class_teacher


CASES = [AuditCase(calls.number_to_call, _number_to_call, AuditAction.VIEW_CHILD)]
