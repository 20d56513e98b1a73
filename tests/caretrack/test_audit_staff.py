"""Audit cases for caretrack.services.staff: each service that takes acting_user writes its AuditEvent
(tests/test_audit_policy.py runs them). No audit row ever holds a password."""

from datetime import date

from caretrack.models import AuditAction, AuditEvent
from caretrack.services import staff
from caretrack.staff_import import StaffRow
from tests.audit_cases import AuditCase


def _add_staff(world):
    staff.add_staff(
        school=world.school, name="王老师", phone="13911112222", roles={"teacher"}, acting_user=world.principal
    )
    return world.principal


def _import_staff(world):
    rows = [StaffRow(row=2, name="赵老师", phone="13911113333"), StaffRow(row=3, name="钱老师")]
    staff.import_staff(school=world.school, rows=rows, acting_user=world.coordinator)
    return world.coordinator


def _update_staff(world):
    staff.update_staff(
        user=world.mentor, school=world.school, data={"roles": {"teacher", "coordinator"}}, acting_user=world.principal
    )
    return world.principal


def _reset_password(world):
    password = staff.reset_password(user=world.mentor, acting_user=world.principal)
    assert not AuditEvent.objects.filter(detail__icontains=password).exists()
    return world.principal


def _deactivate_staff(world):
    staff.deactivate_staff(user=world.mentor, on=date(2026, 9, 30), reason="调离", acting_user=world.principal)
    return world.principal


CASES = [
    AuditCase(staff.add_staff, _add_staff, AuditAction.CREATE),
    AuditCase(staff.import_staff, _import_staff, AuditAction.CREATE),
    AuditCase(staff.update_staff, _update_staff, AuditAction.CHANGE),
    AuditCase(staff.reset_password, _reset_password, AuditAction.CHANGE),
    AuditCase(staff.deactivate_staff, _deactivate_staff, AuditAction.CHANGE),
]
