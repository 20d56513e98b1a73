"""Audit cases for children.services: each service that takes acting_user writes its AuditEvent
(tests/test_audit_policy.py runs them)."""

from datetime import date

from caretrack.models import AuditAction
from children import services
from children.models import AwayStatus, ParentRole
from children.services import ArchiveData
from tests.audit_cases import AuditCase
from tests.factories import ChildFactory, ParentFactory

ON = date(2026, 9, 10)


def _archive(world, name: str) -> ArchiveData:
    return ArchiveData(
        child={"name": name, "gender": "M", "birth_date": date(2017, 3, 2), "school_class": world.school_class},
        parents={"father": {"name": "王建国", "away_status": AwayStatus.WORKING_AWAY}},
        guardian={"name": "王秀英", "relation": "pgm"},
    )


def _save_archive(world):
    services.save_archive(school=world.school, data=_archive(world, "张小明"), acting_user=world.coordinator, on=ON)
    return world.coordinator


def _create_archives(world):
    services.create_archives(
        school=world.school,
        archives=[_archive(world, "张小明"), _archive(world, "李小红")],
        acting_user=world.principal,
        reason="Excel导入：登记表.xlsx",
        on=ON,
    )
    return world.principal


def _update_child_fields(world):
    child = ChildFactory(school_class=world.school_class)
    services.update_child_fields(
        school=world.school,
        updates=[(child, {"current_address": "溆浦县思蒙镇新街5号"})],
        acting_user=world.coordinator,
        reason="Excel导入：新学年.xlsx",
        on=ON,
    )
    return world.coordinator


def _update_parent_status(world):
    child = ChildFactory(school_class=world.school_class)
    ParentFactory(child=child, role=ParentRole.FATHER)
    services.update_parent_status(
        child=child,
        role=ParentRole.FATHER,
        values={"away_status": AwayStatus.AT_HOME},
        on=ON,
        reason="父亲返乡",
        acting_user=world.class_teacher,
    )
    return world.class_teacher


CASES = [
    AuditCase(services.save_archive, _save_archive, AuditAction.CREATE),
    AuditCase(services.create_archives, _create_archives, AuditAction.CREATE),
    AuditCase(services.update_child_fields, _update_child_fields, AuditAction.CHANGE),
    AuditCase(services.update_parent_status, _update_parent_status, AuditAction.CHANGE),
]
