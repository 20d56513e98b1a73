"""Concerns handled as cases: risk, who is responsible, follow-ups, referrals, closing and reopening, and who
may see a case (sensitive ones: author, assignee, coordinator and principal only)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentoring import case_services as cases
from mentoring.case_services import ConcernData
from mentoring.models import CaseAction, Concern, ConcernRisk, ConcernStatus, Referral, ReferralOutcome
from mentoring.permissions import can_work_case, concerns_visible_to, get_case_for_user
from tests.factories import ChildFactory, ConcernFactory, PairingFactory, StaffFactory


@pytest.fixture
def child(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小明")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    return child


def raise_(world, child, category="psychological", risk="", by=None):
    return cases.raise_case(
        child=child,
        data=ConcernData(category=category, description="情绪低落", risk=risk),
        day=timezone.localdate(),
        acting_user=by or world.mentor,
    )


def test_a_new_case_is_a_new_report_assigned_to_the_schools_coordinator(world, child):
    case = raise_(world, child)
    assert case.status == ConcernStatus.NEW and case.assigned_to == world.coordinator
    assert case.risk == ConcernRisk.NORMAL


@pytest.mark.parametrize("category", ["crisis", "abuse", "self_harm"])
def test_crisis_abuse_and_self_harm_are_urgent_and_a_teacher_cannot_lower_them(world, child, category):
    assert raise_(world, child, category).risk == ConcernRisk.URGENT
    with pytest.raises(ValidationError, match="只有关爱工作负责人或校长可以降低"):
        raise_(world, child, category, risk=ConcernRisk.NORMAL)
    lowered = raise_(world, child, category, risk=ConcernRisk.HIGH, by=world.coordinator)
    assert lowered.risk == ConcernRisk.HIGH


def test_the_raiser_may_raise_the_risk_of_an_ordinary_concern(world, child):
    assert raise_(world, child, "academic", risk=ConcernRisk.HIGH).risk == ConcernRisk.HIGH


def test_a_risk_change_below_the_default_is_refused_to_the_assignee_but_allowed_to_the_principal(world, child):
    case = raise_(world, child, "crisis")
    cases.assign_case(concern=case, assignee=world.class_teacher, acting_user=world.coordinator)
    with pytest.raises(ValidationError):
        cases.change_risk(concern=case, risk=ConcernRisk.NORMAL, acting_user=world.class_teacher)
    cases.change_risk(concern=case, risk=ConcernRisk.NORMAL, acting_user=world.principal)
    case.refresh_from_db()
    assert case.risk == ConcernRisk.NORMAL


def test_assigning_moves_a_new_report_to_in_progress_and_only_staff_of_the_school_can_be_assigned(world, child):
    case = raise_(world, child)
    with pytest.raises(ValidationError, match="本校在职教职工"):
        cases.assign_case(concern=case, assignee=world.other_teacher, acting_user=world.coordinator)
    counsellor = StaffFactory(school=world.school, user__first_name="心理老师").user
    cases.assign_case(concern=case, assignee=counsellor, acting_user=world.coordinator)
    case.refresh_from_db()
    assert case.assigned_to == counsellor and case.status == ConcernStatus.IN_PROGRESS


def test_the_assignee_sees_and_works_a_sensitive_case_others_do_not(world, child):
    case = raise_(world, child, "abuse")
    counsellor = StaffFactory(school=world.school, user__first_name="心理老师").user
    assert not concerns_visible_to(counsellor).filter(pk=case.pk).exists()
    assert not concerns_visible_to(world.class_teacher).filter(pk=case.pk).exists()  # sees the child, not this
    cases.assign_case(concern=case, assignee=counsellor, acting_user=world.principal)
    assert concerns_visible_to(counsellor).filter(pk=case.pk).exists()
    assert can_work_case(counsellor, get_case_for_user(counsellor, case.pk))
    assert not concerns_visible_to(world.class_teacher).filter(pk=case.pk).exists()
    assert concerns_visible_to(world.mentor).filter(pk=case.pk).exists()  # its author
    assert not concerns_visible_to(world.other_principal).filter(pk=case.pk).exists()


def test_a_follow_up_goes_to_someone_who_may_see_the_case_and_is_saved_once(world, child):
    case = raise_(world, child, "crisis")
    due = timezone.localdate() + timedelta(days=3)
    with pytest.raises(ValidationError, match="无权查看此个案"):
        cases.add_action(concern=case, what="家访", who=world.class_teacher, due_on=due, acting_user=world.coordinator)
    cases.add_action(concern=case, what="家访", who=world.principal, due_on=due, acting_user=world.coordinator)
    with pytest.raises(ValidationError, match="请勿重复提交"):
        cases.add_action(concern=case, what="家访", who=world.principal, due_on=due, acting_user=world.coordinator)
    case.refresh_from_db()
    assert CaseAction.objects.count() == 1 and case.status == ConcernStatus.IN_PROGRESS


def test_a_follow_up_is_marked_done_once(world, child):
    case = raise_(world, child)
    action = cases.add_action(
        concern=case, what="电话联系母亲", who=world.mentor, due_on=timezone.localdate(), acting_user=world.coordinator
    )
    cases.mark_action_done(action=action, done_on=timezone.localdate(), note="已通话", acting_user=world.mentor)
    action.refresh_from_db()
    assert action.done_on == timezone.localdate() and "已通话" in action.note
    with pytest.raises(ValidationError, match="已完成"):
        cases.mark_action_done(action=action, done_on=timezone.localdate(), acting_user=world.mentor)


def test_a_referral_makes_the_case_referred_and_records_its_outcome(world, child):
    case = raise_(world, child, "abuse")
    referral = cases.add_referral(
        concern=case,
        agency="police",
        referred_on=timezone.localdate(),
        contact_person="王警官",
        acting_user=world.coordinator,
    )
    case.refresh_from_db()
    assert case.status == ConcernStatus.REFERRED and referral.outcome == ReferralOutcome.PENDING
    with pytest.raises(ValidationError, match="请勿重复提交"):
        cases.add_referral(
            concern=case, agency="police", referred_on=timezone.localdate(), acting_user=world.coordinator
        )
    cases.record_referral_outcome(referral=referral, outcome="accepted", note="已立案", acting_user=world.coordinator)
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.ACCEPTED and Referral.objects.count() == 1


def test_closing_needs_an_outcome_and_reopening_needs_a_reason(world, child):
    case = raise_(world, child)
    with pytest.raises(ValidationError, match="请填写结案情况"):
        cases.close_case(concern=case, action_taken="  ", acting_user=world.coordinator)
    cases.close_case(concern=case, action_taken="已家访，情绪好转", acting_user=world.coordinator)
    assert case.status == ConcernStatus.CLOSED
    with pytest.raises(ValidationError, match="已结案"):
        cases.add_action(
            concern=case, what="x", who=world.coordinator, due_on=timezone.localdate(), acting_user=world.coordinator
        )
    with pytest.raises(ValidationError, match="原因"):
        cases.reopen_case(concern=case, reason="", acting_user=world.coordinator)
    cases.reopen_case(concern=case, reason="孩子再次出现厌学情绪", acting_user=world.coordinator)
    case.refresh_from_db()
    assert case.status == ConcernStatus.IN_PROGRESS and case.closed_at is None
    assert case.reopen_reason == "孩子再次出现厌学情绪" and case.action_taken == "已家访，情绪好转"
    with pytest.raises(ValidationError, match="尚未结案"):
        cases.reopen_case(concern=case, reason="再次", acting_user=world.coordinator)


def test_the_database_refuses_a_closed_case_without_an_outcome(world, child):
    case = ConcernFactory(child=child, raised_by=world.mentor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Concern.objects.filter(pk=case.pk).update(status=ConcernStatus.CLOSED, closed_at=timezone.now())


def test_a_flagged_log_raises_an_urgent_case_for_a_crisis(world, child):
    from mentoring import services
    from mentoring.models import Talk

    talk = services.create_log(
        model=Talk,
        child=child,
        data={"date": timezone.localdate(), "text": "说不想活了"},
        author=world.mentor,
        concern=ConcernData(category="self_harm"),
    )
    assert talk.concern.risk == ConcernRisk.URGENT and talk.concern.is_sensitive


def test_the_demo_shows_cases_with_risk_an_assignee_a_follow_up_and_a_referral(db):
    from datetime import date

    from caretrack.demo import build_demo

    school = build_demo(schools=1, children=200, teachers=12, today=date(2026, 11, 25)).schools[0]
    open_cases = Concern.objects.open().filter(child__school=school)
    assert open_cases.exists() and not open_cases.filter(assigned_to__isnull=True).exists()
    assert CaseAction.objects.filter(concern__in=open_cases).exists()
    assert Referral.objects.filter(concern__in=open_cases).exists()
    assert open_cases.filter(status=ConcernStatus.REFERRED).exists()


def test_a_closed_sensitive_case_is_in_the_chronology_as_a_child_protection_record(world, child):
    from mentoring.chronology import log_entries

    ConcernFactory(
        child=child,
        raised_by=world.mentor,
        category="self_harm",
        status="closed",
        action_taken="已转介心理咨询",
        closed_at=timezone.now(),
    )
    ConcernFactory(
        child=child, raised_by=world.mentor, status="closed", action_taken="已谈心", closed_at=timezone.now()
    )
    entries = {e.text: e for e in log_entries(child, world.principal) if e.kind == "concern"}
    assert entries["已转介心理咨询"].safeguarding and not entries["已谈心"].safeguarding
    assert entries["已转介心理咨询"].title.startswith("已结案：自伤")
    assert "已转介心理咨询" not in {e.text for e in log_entries(child, world.class_teacher)}
