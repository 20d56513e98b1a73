"""Audit cases for children.services.transfers (tests/test_audit_policy.py runs them)."""

from django.utils import timezone

from caretrack.models import AuditAction
from children.services import transfers
from tests.audit_cases import AuditCase
from tests.factories import ChildFactory


def _request(world):
    child = ChildFactory(school_class=world.school_class)
    return transfers.request_transfer(
        child=child, to_school=world.other_school, transfer_on=timezone.localdate(), acting_user=world.coordinator
    )


def _request_transfer(world):
    _request(world)
    return world.coordinator


def _cancel_transfer(world):
    transfers.cancel_transfer(request=_request(world), acting_user=world.principal)
    return world.principal


def _decline_transfer(world):
    transfers.decline_transfer(request=_request(world), reason="学位已满", acting_user=world.other_principal)
    return world.other_principal


def _accept_transfer(world):
    transfers.accept_transfer(
        request=_request(world), school_class=world.foreign_class, acting_user=world.other_principal
    )
    return world.other_principal


def _transfer_out_elsewhere(world):
    child = ChildFactory(school_class=world.school_class)
    transfers.transfer_out_elsewhere(
        child=child, on=timezone.localdate(), destination="外省某小学", acting_user=world.principal
    )
    return world.principal


CASES = [
    AuditCase(transfers.request_transfer, _request_transfer, AuditAction.CREATE),
    AuditCase(transfers.cancel_transfer, _cancel_transfer, AuditAction.CHANGE),
    AuditCase(transfers.decline_transfer, _decline_transfer, AuditAction.CHANGE),
    AuditCase(transfers.accept_transfer, _accept_transfer, AuditAction.CREATE),
    AuditCase(transfers.transfer_out_elsewhere, _transfer_out_elsewhere, AuditAction.CHANGE),
]
