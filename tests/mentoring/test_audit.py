"""Every mentoring service that changes data leaves an audit row, by the acting user, in the same
transaction: CASES feed tests/test_audit_policy.py; the tests below pin what the rows name."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from mentoring import services
from mentoring.models import FamilyContact, GuardianContact, HomeVisit, Talk
from tests.audit_cases import AuditCase
from tests.factories import ChildFactory, ConcernFactory, PairingFactory, TalkFactory

TODAY = timezone.localdate()


def _left_behind(world):
    return ChildFactory(school_class=world.school_class, left_behind_type="both_away")


def _pair_child(world):
    services.pair_child(child=_left_behind(world), mentor=world.mentor, start_date=TODAY, acting_user=world.coordinator)
    return world.coordinator


def _bulk_pair(world):
    assignments = [(_left_behind(world), world.mentor), (_left_behind(world), world.class_teacher)]
    services.bulk_pair(school=world.school, assignments=assignments, start_date=TODAY, acting_user=world.principal)
    return world.principal


def _end_pairing(world):
    pairing = PairingFactory(child=_left_behind(world), mentor=world.mentor)
    services.end_pairing(pairing=pairing, end_date=TODAY, acting_user=world.coordinator)
    return world.coordinator


def _end_pairings_of_leaving_mentor(world):
    PairingFactory(child=_left_behind(world), mentor=world.mentor)
    services.end_pairings_of_leaving_mentor(mentor=world.mentor, on=TODAY, acting_user=world.principal)
    return world.principal


def _end_pairings_of_leaving_children(world):
    pairing = PairingFactory(child=_left_behind(world), mentor=world.mentor)
    services.end_pairings_of_leaving_children(
        children=[pairing.child], on=TODAY, reason="graduated", acting_user=world.principal
    )
    return world.principal


def _reopen_pairings_of_returning_children(world):
    pairing = PairingFactory(child=_left_behind(world), mentor=world.mentor)
    services.end_pairings_of_leaving_children(
        children=[pairing.child], on=TODAY, reason="graduated", acting_user=world.principal
    )
    services.reopen_pairings_of_returning_children(
        children=[pairing.child], on=TODAY, reason="graduated", acting_user=world.coordinator
    )
    return world.coordinator


def _create_log(world):
    child = _left_behind(world)
    PairingFactory(child=child, mentor=world.mentor)
    services.create_log(model=Talk, child=child, data={"date": TODAY, "text": "谈心"}, author=world.mentor)
    return world.mentor


def _update_log(world):
    talk = TalkFactory(child=_left_behind(world), author=world.mentor)
    services.update_log(log=talk, data={"text": "更正：数学测验92分。"}, acting_user=world.mentor)
    return world.mentor


def _delete_log(world):
    talk = TalkFactory(child=_left_behind(world), author=world.mentor)
    services.delete_log(log=talk, acting_user=world.coordinator, reason="录错了学生")
    return world.coordinator


def _close_concern(world):
    concern = ConcernFactory(child=_left_behind(world), raised_by=world.mentor)
    services.close_concern(concern=concern, action_taken="已家访，情况好转", acting_user=world.coordinator)
    return world.coordinator


def _create_external_mentor(world):
    data = {"name": "李桂芳", "organisation": "县妇联", "phone": "13900001111"}
    services.create_external_mentor(school=world.school, data=data, acting_user=world.coordinator)
    return world.coordinator


def _save_cadence(world):
    rules = {"talk": {"times": 1, "per": "week"}, "visit": {"times": 2, "per": "month"}}
    services.save_cadence(school=world.school, rules=rules, max_children_per_mentor=4, acting_user=world.principal)
    return world.principal


CASES = [
    AuditCase(services.pair_child, _pair_child, AuditAction.CREATE),
    AuditCase(services.bulk_pair, _bulk_pair, AuditAction.CREATE),
    AuditCase(services.end_pairing, _end_pairing, AuditAction.CHANGE),
    AuditCase(services.end_pairings_of_leaving_mentor, _end_pairings_of_leaving_mentor, AuditAction.CHANGE),
    AuditCase(services.end_pairings_of_leaving_children, _end_pairings_of_leaving_children, AuditAction.CHANGE),
    AuditCase(
        services.reopen_pairings_of_returning_children, _reopen_pairings_of_returning_children, AuditAction.CHANGE
    ),
    # create_log has no acting_user: its author is the one acting (the coordinator, for a volunteer).
    AuditCase(services.create_log, _create_log, AuditAction.CREATE),
    AuditCase(services.update_log, _update_log, AuditAction.CHANGE),
    AuditCase(services.delete_log, _delete_log, AuditAction.DELETE),
    AuditCase(services.close_concern, _close_concern, AuditAction.CHANGE),
    AuditCase(services.create_external_mentor, _create_external_mentor, AuditAction.CREATE),
    AuditCase(services.save_cadence, _save_cadence, AuditAction.CHANGE),
]

pytestmark = pytest.mark.django_db

LOG_DATA = {
    Talk: {"text": "谈心"},
    HomeVisit: {"text": "家访", "met_whom": "奶奶"},
    FamilyContact: {"text": "视频通话"},
    GuardianContact: {"text": "电话沟通", "guardian_name": "王秀英"},
}


@pytest.mark.parametrize("model", LOG_DATA, ids=lambda model: model.__name__)
def test_each_kind_of_log_is_audited_under_its_kind_and_id(world, model):
    child = _left_behind(world)
    log = services.create_log(model=model, child=child, data={"date": TODAY, **LOG_DATA[model]}, author=world.mentor)
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert (event.user, event.school) == (world.mentor, world.school)
    assert event.target == f"{model._meta.verbose_name} #{log.pk}" and child.name not in event.target


def test_a_concern_raised_with_a_log_has_its_own_row(world):
    child = _left_behind(world)
    visit = services.create_log(
        model=HomeVisit,
        child=child,
        data={"date": TODAY, "text": "家访", "met_whom": "奶奶"},
        author=world.mentor,
        concern=services.ConcernData(category="safety", description="屋后水塘"),
    )
    targets = set(AuditEvent.objects.filter(action=AuditAction.CREATE).values_list("target", flat=True))
    assert targets == {f"家访记录 #{visit.pk}", f"关注事项 #{visit.concern_id} · 提出"}


def test_a_refused_pairing_leaves_no_audit_row(world):
    a, b = _left_behind(world), _left_behind(world)
    PairingFactory(child=b, mentor=world.class_teacher)
    with pytest.raises(ValidationError):
        services.bulk_pair(
            school=world.school,
            assignments=[(a, world.mentor), (b, world.mentor)],
            start_date=TODAY,
            acting_user=world.coordinator,
        )
    assert not AuditEvent.objects.exists()


def test_each_pairing_of_a_bulk_pairing_is_audited(world):
    _bulk_pair(world)
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, user=world.principal, school=world.school)
    assert events.count() == 2 and all(e.target.startswith("结对帮扶 #") for e in events)


def test_a_volunteers_phone_stays_out_of_the_audit_log(world):
    _create_external_mentor(world)
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert "13900001111" not in f"{event.target} {event.detail}"


def test_ending_a_pairing_is_audited_with_its_reason(world):
    pairing = PairingFactory(child=_left_behind(world), mentor=world.mentor)
    services.end_pairing(
        pairing=pairing, end_date=TODAY, reason="mentor_left", note="调往县城", acting_user=world.principal
    )
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.target == f"结对帮扶 #{pairing.pk}" and event.detail["end_reason"] == "mentor_left"
    assert pairing.child.name not in f"{event.target} {event.detail}"


def test_leaving_writes_one_row_per_pairing_ended_and_names_why(world):
    children = [_left_behind(world) for _ in range(3)]
    for child in children:
        PairingFactory(child=child, mentor=world.mentor)
    services.end_pairings_of_leaving_children(
        children=children, on=TODAY, reason="transferred", acting_user=world.principal
    )
    events = AuditEvent.objects.filter(action=AuditAction.CHANGE, user=world.principal)
    assert events.count() == 3
    assert {e.detail["end_reason"] for e in events} == {"transferred"}
    assert {e.detail["cause"] for e in events} == {"children_left:transferred"}
