"""Pairings through the school year: ending with a reason, a teacher leaving, children graduating or moving
away (and an 升年级 undone the same day), and what the mentor's phone and the school's cap count after."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.lifecycle import staff_left
from caretrack.models import AuditAction, AuditEvent, Term
from children.lifecycle import LeavingReason, children_left, children_returned
from children.models import EnrolmentStatus
from mentoring import services
from mentoring.models import Pairing, PairingEndReason
from mentoring.selectors.lists import mentor_options, unpaired_children
from tests.factories import ChildFactory, PairingFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def term_around_today(world):
    """Whatever day the suite runs, today is in term."""
    Term.objects.filter(school=world.school).update(
        start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60)
    )


def left_behind(world, name="", **kwargs):
    extra = {"name": name} if name else {}
    return ChildFactory(
        school_class=kwargs.pop("school_class", world.school_class), left_behind_type="both_away", **extra
    )


def paired(world, child=None, mentor=None, **kwargs):
    return PairingFactory(
        child=child or left_behind(world),
        mentor=mentor or world.mentor,
        start_date=kwargs.pop("start_date", TODAY - timedelta(days=30)),
        **kwargs,
    )


def leave_roll(children, status, on=TODAY):
    """What the archive's 升年级 / 转出 services do to the child rows before they tell the apps above."""
    for child in children:
        child.status, child.left_on = status, on
        child.save(update_fields=["status", "left_on"])


def reload(pairing) -> Pairing:
    pairing.refresh_from_db()
    return pairing


# --- Ending a pairing with a reason ---------------------------------------------------------------------


def test_an_ended_pairing_keeps_its_reason_and_note_and_the_audit_row_names_the_reason(world):
    pairing = paired(world)
    services.end_pairing(
        pairing=pairing,
        end_date=TODAY,
        reason=PairingEndReason.TERM_CHANGE,
        note="新学期改由班主任帮扶",
        acting_user=world.coordinator,
    )
    pairing = reload(pairing)
    assert (pairing.end_date, pairing.end_reason, pairing.end_note) == (TODAY, "term_change", "新学期改由班主任帮扶")
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, target=f"结对帮扶 #{pairing.pk}")
    assert event.user == world.coordinator and event.detail["end_reason"] == "term_change"


def test_a_caller_that_gives_no_reason_records_other(world):
    pairing = paired(world)
    services.end_pairing(pairing=pairing, end_date=TODAY, acting_user=world.coordinator)
    assert reload(pairing).get_end_reason_display() == "其他"


def test_ending_twice_is_refused_in_chinese_and_changes_nothing(world):
    pairing = paired(world)
    services.end_pairing(pairing=pairing, end_date=TODAY, reason="term_change", acting_user=world.coordinator)
    stale = Pairing.objects.get(pk=pairing.pk)
    stale.end_date = None  # a second tab still showing the pairing as running
    with pytest.raises(ValidationError, match="该结对已结束"):
        services.end_pairing(pairing=stale, end_date=TODAY, reason="other", acting_user=world.coordinator)
    assert reload(pairing).end_reason == "term_change"
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE).count() == 1


def test_an_unknown_reason_or_an_end_before_the_start_is_refused(world):
    pairing = paired(world)
    with pytest.raises(ValidationError, match="请选择结束原因"):
        services.end_pairing(pairing=pairing, end_date=TODAY, reason="bored", acting_user=world.coordinator)
    with pytest.raises(ValidationError, match="不能早于"):
        services.end_pairing(
            pairing=pairing, end_date=pairing.start_date - timedelta(days=1), acting_user=world.coordinator
        )
    assert reload(pairing).end_date is None and not AuditEvent.objects.exists()


def test_the_pairings_page_asks_for_the_reason_and_lists_ended_pairings_with_theirs(client, world):
    pairing = paired(world, child=left_behind(world, name="王小花"))
    client.force_login(world.coordinator)
    page = client.get(reverse("mentoring:pairings")).content.decode()
    assert 'name="reason"' in page and "不再属于留守儿童" in page and 'name="note"' in page
    response = client.post(
        reverse("mentoring:pairing_end", args=[pairing.pk]),
        {"end_date": TODAY.isoformat(), "reason": "not_left_behind", "note": "父母已返乡"},
        follow=True,
    )
    html = response.content.decode()
    assert "已结束结对" in html
    ended = html.split('id="ended-pairings"')[1]
    assert "王小花" in ended and "不再属于留守儿童" in ended and "父母已返乡" in ended
    assert reload(pairing).end_reason == PairingEndReason.NO_LONGER_LEFT_BEHIND


def test_a_bad_end_form_says_why_and_ends_nothing(client, world):
    pairing = paired(world)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("mentoring:pairing_end", args=[pairing.pk]), {"end_date": "", "reason": "bored"}, follow=True
    )
    html = response.content.decode()
    assert "请填写结束日期" in html and "请选择结束原因" in html
    assert reload(pairing).end_date is None


# --- A teacher leaves -----------------------------------------------------------------------------------


def test_a_leaving_teachers_pairings_end_that_day_and_their_children_wait_for_a_mentor(client, world):
    first = paired(world, child=left_behind(world, name="王小花"))
    second = paired(world, child=left_behind(world, name="李小军"))
    earlier = paired(world, start_date=TODAY - timedelta(days=200), end_date=TODAY - timedelta(days=100))
    other = paired(world, mentor=world.class_teacher, child=left_behind(world, name="张小红"))
    staff_left(user=world.mentor, on=TODAY, acting_user=world.principal)
    for pairing in (first, second):
        pairing = reload(pairing)
        assert (pairing.end_date, pairing.end_reason) == (TODAY, PairingEndReason.MENTOR_LEFT)
        assert pairing.get_end_reason_display() == "教师离职"
    assert reload(earlier).end_date == TODAY - timedelta(days=100) and reload(earlier).end_reason == ""
    assert reload(other).end_date is None
    rows = AuditEvent.objects.filter(action=AuditAction.CHANGE, user=world.principal)
    assert sorted(rows.values_list("target", flat=True)) == sorted([f"结对帮扶 #{first.pk}", f"结对帮扶 #{second.pk}"])
    client.force_login(world.coordinator)
    unpaired = client.get(reverse("mentoring:unpaired")).content.decode()
    assert "王小花" in unpaired and "李小军" in unpaired and "张小红" not in unpaired


def test_a_teacher_leaving_later_keeps_their_pairings_until_that_day(world):
    pairing = paired(world)
    staff_left(user=world.mentor, on=TODAY + timedelta(days=10), acting_user=world.principal)
    assert reload(pairing).end_date == TODAY + timedelta(days=10)
    assert pairing.child not in unpaired_children(school=world.school, on=TODAY)  # still their mentor today


# --- Children leave the roll ----------------------------------------------------------------------------


def test_graduated_children_leave_the_mentors_list_and_free_their_places(client, world):
    world.school.max_children_per_mentor = 2
    world.school.save(update_fields=["max_children_per_mentor"])
    graduate = paired(world, child=left_behind(world, name="毕业生"))
    staying = paired(world, child=left_behind(world, name="在读生", school_class=world.other_class))
    client.force_login(world.mentor)
    assert "毕业生" in client.get(reverse("mentoring:my_students")).content.decode()
    newcomer = left_behind(world, name="新同学", school_class=world.other_class)
    with pytest.raises(ValidationError, match="达到本校上限"):
        services.pair_child(child=newcomer, mentor=world.mentor, start_date=TODAY, acting_user=world.coordinator)

    leave_roll([graduate.child], EnrolmentStatus.GRADUATED)
    children_left(children=[graduate.child], on=TODAY, reason=LeavingReason.GRADUATED, acting_user=world.principal)

    graduate = reload(graduate)
    assert (graduate.end_date, graduate.end_reason) == (TODAY, PairingEndReason.GRADUATED)
    assert reload(staying).end_date is None
    page = client.get(reverse("mentoring:my_students")).content.decode()
    assert "毕业生" not in page and "在读生" in page
    pairing = services.pair_child(child=newcomer, mentor=world.mentor, start_date=TODAY, acting_user=world.coordinator)
    assert pairing.over_limit_reason == ""  # the graduate's place was free: no reason needed


def test_a_graduated_child_no_longer_counts_on_the_mentor_board_or_in_the_suggestions(client, world):
    graduate = paired(world, child=left_behind(world, name="毕业生"))
    leave_roll([graduate.child], EnrolmentStatus.GRADUATED)
    children_left(children=[graduate.child], on=TODAY, reason=LeavingReason.GRADUATED, acting_user=world.principal)
    client.force_login(world.coordinator)
    assert "毕业生" not in client.get(reverse("mentoring:pairings")).content.decode().split('id="ended-pairings"')[0]
    loads = {o.user_id: o.load for o in mentor_options(school=world.school, on=TODAY)}
    assert loads[world.mentor.pk] == 0


def test_transferred_children_pairings_end_with_the_reason_transfer(world):
    pairing = paired(world)
    secondary = paired(world, child=pairing.child, mentor=world.class_teacher, is_secondary=True)
    leave_roll([pairing.child], EnrolmentStatus.TRANSFERRED)
    children_left(children=[pairing.child], on=TODAY, reason=LeavingReason.TRANSFERRED, acting_user=world.principal)
    for p in (pairing, secondary):
        assert reload(p).end_reason == PairingEndReason.TRANSFERRED and p.end_date == TODAY
    assert reload(pairing).get_end_reason_display() == "学生转学"
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, user=world.principal).count() == 2


def test_an_undone_promotion_reopens_exactly_the_pairings_it_ended(client, world):
    graduate = paired(world, child=left_behind(world, name="毕业生"))
    ended_by_hand = paired(world, child=graduate.child, mentor=world.class_teacher, is_secondary=True)
    services.end_pairing(pairing=ended_by_hand, end_date=TODAY, reason="term_change", acting_user=world.coordinator)
    last_year = paired(world, start_date=TODAY - timedelta(days=700))
    last_year.end_date, last_year.end_reason = TODAY - timedelta(days=365), PairingEndReason.GRADUATED
    last_year.save(update_fields=["end_date", "end_reason"])

    leave_roll([graduate.child], EnrolmentStatus.GRADUATED)
    children_left(children=[graduate.child], on=TODAY, reason=LeavingReason.GRADUATED, acting_user=world.principal)
    leave_roll([graduate.child], EnrolmentStatus.ENROLLED)
    graduate.child.left_on = None
    graduate.child.save(update_fields=["left_on"])
    children_returned(children=[graduate.child], on=TODAY, reason=LeavingReason.GRADUATED, acting_user=world.principal)

    graduate = reload(graduate)
    assert (graduate.end_date, graduate.end_reason, graduate.end_note) == (None, "", "")
    assert reload(ended_by_hand).end_reason == "term_change"  # ended that day, but not by the leaving
    assert reload(last_year).end_date == TODAY - timedelta(days=365)
    reopened = AuditEvent.objects.filter(target=f"结对帮扶 #{graduate.pk}").order_by("at", "pk").last()
    assert reopened.detail.get("reopened") is True and reopened.user == world.principal
    client.force_login(world.mentor)
    assert "毕业生" in client.get(reverse("mentoring:my_students")).content.decode()


def test_reopening_is_refused_when_the_child_has_a_new_mentor_and_changes_nothing(world):
    pairing = paired(world)
    children_left(children=[pairing.child], on=TODAY, reason=LeavingReason.GRADUATED, acting_user=world.principal)
    PairingFactory(child=pairing.child, mentor=world.class_teacher, start_date=TODAY)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="已有新的帮扶教师"):
        children_returned(
            children=[pairing.child], on=TODAY, reason=LeavingReason.GRADUATED, acting_user=world.principal
        )
    assert reload(pairing).end_reason == PairingEndReason.GRADUATED and AuditEvent.objects.count() == before


def test_a_child_who_left_the_roll_cannot_be_paired_again(client, world):
    graduate = left_behind(world, name="毕业生")
    leave_roll([graduate], EnrolmentStatus.GRADUATED)
    with pytest.raises(ValidationError, match="毕业生 已毕业，不在本校就读"):
        services.pair_child(child=graduate, mentor=world.mentor, start_date=TODAY, acting_user=world.coordinator)
    assert not Pairing.objects.filter(child=graduate).exists()
    client.force_login(world.coordinator)
    assert "毕业生" not in client.get(reverse("mentoring:pairing_create")).content.decode()
