"""Audit cases for the case operations (mentoring.case_services): each writes its row, by the acting user, in
the same transaction, naming ids only — never the child's name or what was written about the child."""

from __future__ import annotations

import inspect
from datetime import timedelta

from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from mentoring import case_services as cases
from tests.audit_cases import AuditCase
from tests.factories import ChildFactory, ConcernFactory, PairingFactory


def _child(world):
    n = ChildFactory._meta.model.objects.count()
    return ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=f"王小明{n}")


def _case(world, **kwargs):
    child = _child(world)
    PairingFactory(child=child, mentor=world.mentor)
    return ConcernFactory(child=child, raised_by=world.mentor, assigned_to=world.coordinator, **kwargs)


def _raise(world):
    child = _child(world)
    cases.raise_case(
        child=child,
        data=cases.ConcernData(category="crisis", description="王小明说不想活了"),
        day=timezone.localdate(),
        acting_user=world.mentor,
    )
    return world.mentor


def _assign(world):
    cases.assign_case(concern=_case(world), assignee=world.class_teacher, acting_user=world.principal)
    return world.principal


def _risk(world):
    cases.change_risk(concern=_case(world), risk="high", acting_user=world.coordinator)
    return world.coordinator


def _action(world):
    due = timezone.localdate() + timedelta(days=2)
    cases.add_action(concern=_case(world), what="家访", who=world.mentor, due_on=due, acting_user=world.coordinator)
    return world.coordinator


def _done(world):
    case = _case(world)
    action = case.actions.create(what="家访", who=world.mentor, due_on=timezone.localdate(), created_by=world.mentor)
    cases.mark_action_done(action=action, done_on=timezone.localdate(), acting_user=world.mentor)
    return world.mentor


def _referral(world):
    cases.add_referral(
        concern=_case(world),
        agency="womens_federation",
        referred_on=timezone.localdate(),
        acting_user=world.coordinator,
    )
    return world.coordinator


def _outcome(world):
    case = _case(world)
    referral = case.referrals.create(agency="police", referred_on=timezone.localdate(), created_by=world.coordinator)
    cases.record_referral_outcome(referral=referral, outcome="accepted", note="已出警", acting_user=world.coordinator)
    return world.coordinator


def _close(world):
    cases.close_case(concern=_case(world), action_taken="已家访，情况稳定", acting_user=world.coordinator)
    return world.coordinator


def _reopen(world):
    case = _case(world, status="closed", action_taken="已处理", closed_at=timezone.now())
    cases.reopen_case(concern=case, reason="王小明再次逃学", acting_user=world.principal)
    return world.principal


CASES = [
    AuditCase(cases.raise_case, _raise, AuditAction.CREATE),
    AuditCase(cases.assign_case, _assign, AuditAction.CHANGE),
    AuditCase(cases.change_risk, _risk, AuditAction.CHANGE),
    AuditCase(cases.add_action, _action, AuditAction.CHANGE),
    AuditCase(cases.mark_action_done, _done, AuditAction.CHANGE),
    AuditCase(cases.add_referral, _referral, AuditAction.CHANGE),
    AuditCase(cases.record_referral_outcome, _outcome, AuditAction.CHANGE),
    AuditCase(cases.close_case, _close, AuditAction.CHANGE),
    AuditCase(cases.reopen_case, _reopen, AuditAction.CHANGE),
]


def test_every_case_operation_has_an_audit_case():
    """The policy test reads the apps' services modules; the case operations live beside them, so they are
    checked here the same way."""
    public = {
        name
        for name, fn in inspect.getmembers(cases, inspect.isfunction)
        if fn.__module__ == cases.__name__
        and not name.startswith("_")
        and "acting_user" in inspect.signature(fn).parameters
    }
    assert public == {case.service.__name__ for case in CASES}


def test_case_audit_rows_name_ids_only(world):
    for case in CASES:
        case.call(world)
    details = " ".join(str(event.detail) + event.target for event in AuditEvent.objects.all())
    assert "王小明" not in details and "不想活" not in details and "逃学" not in details and "已出警" not in details
