"""Audit cases for the school settings and county services (tests/test_audit_policy.py runs them)."""

from datetime import date

from caretrack.models import AuditAction, LeadingGroupMember, LeadingGroupPosition, Term
from caretrack.services import county, school
from tests.audit_cases import AuditCase
from tests.factories import StaffFactory


def _settings(world):
    school.update_school_settings(
        school=world.school, data={"enrolled_students": 640, "max_children_per_mentor": 4}, acting_user=world.principal
    )
    return world.principal


def _create_classes(world):
    school.create_classes(school=world.school, grade=3, count=2, acting_user=world.coordinator)
    return world.coordinator


def _head_teacher(world):
    school.set_head_teacher(school_class=world.other_class, teacher=world.mentor, acting_user=world.coordinator)
    return world.coordinator


def _enrolment(world):
    school.set_class_enrolment(school_class=world.other_class, enrolled_students=42, acting_user=world.principal)
    return world.principal


def _delete_class(world):
    school.delete_class(school_class=world.other_class, acting_user=world.principal)
    return world.principal


def _create_term(world):
    school.create_term(
        school=world.school,
        start_year=2026,
        semester=2,
        start_date=date(2027, 3, 1),
        end_date=date(2027, 7, 15),
        acting_user=world.coordinator,
    )
    return world.coordinator


def _future_term(world) -> Term:
    return Term.objects.create(
        school=world.school,
        start_year=2040,
        semester=1,
        start_date=date(2040, 9, 1),
        end_date=date(2041, 1, 31),
        is_current=False,
    )


def _update_term(world):
    school.update_term(
        term=_future_term(world), start_date=date(2040, 9, 2), end_date=date(2041, 1, 25), acting_user=world.principal
    )
    return world.principal


def _make_current(world):
    school.make_term_current(term=_future_term(world), acting_user=world.principal)
    return world.principal


def _save_member(world):
    school.save_leading_group_member(
        school=world.school, user=world.principal, position=LeadingGroupPosition.LEADER, acting_user=world.principal
    )
    return world.principal


def _remove_member(world):
    member = LeadingGroupMember.objects.create(school=world.school, user=world.mentor, position="member")
    school.remove_leading_group_member(member=member, acting_user=world.coordinator)
    return world.coordinator


def _create_school(world):
    admin = StaffFactory(school=None, is_bureau=True, is_bureau_admin=True, is_teacher=False).user
    county.create_school(
        name="龙潭镇中学",
        county="溆浦县",
        grade_span="junior",
        principal_name="向校长",
        principal_phone="13607450001",
        acting_user=admin,
    )
    return admin


CASES = [
    AuditCase(school.update_school_settings, _settings, AuditAction.CHANGE),
    AuditCase(school.create_classes, _create_classes, AuditAction.CREATE),
    AuditCase(school.set_head_teacher, _head_teacher, AuditAction.CHANGE),
    AuditCase(school.set_class_enrolment, _enrolment, AuditAction.CHANGE),
    AuditCase(school.delete_class, _delete_class, AuditAction.DELETE),
    AuditCase(school.create_term, _create_term, AuditAction.CREATE),
    AuditCase(school.update_term, _update_term, AuditAction.CHANGE),
    AuditCase(school.make_term_current, _make_current, AuditAction.CHANGE),
    AuditCase(school.save_leading_group_member, _save_member, AuditAction.CREATE),
    AuditCase(school.remove_leading_group_member, _remove_member, AuditAction.DELETE),
    AuditCase(county.create_school, _create_school, AuditAction.CREATE),
]
