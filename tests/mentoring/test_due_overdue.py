"""Done / due / overdue on hand-made fixtures that cross a week, a month and a term boundary.

The school's autumn term runs Tue 2026-09-01 … Wed 2027-01-20, the spring term Mon 2027-02-22 …
2027-07-05. A period (week, month) is required when it lies wholly inside the term and the pairing.
"""

from datetime import date

import pytest

from caretrack.models import Term
from mentoring.models import CadenceRule
from mentoring.periods import required_weeks, visit_windows
from mentoring.selectors import DONE, DUE, OFF, OVERDUE, child_statuses
from tests.factories import (
    ChildFactory,
    FamilyContactFactory,
    GuardianContactFactory,
    HomeVisitFactory,
    PairingFactory,
    TalkFactory,
)

pytestmark = pytest.mark.django_db

AUTUMN_START = date(2026, 9, 1)


@pytest.fixture
def school(world):
    Term.objects.create(
        school=world.school, start_year=2026, semester=2, start_date=date(2027, 2, 22), end_date=date(2027, 7, 5)
    )
    return world.school


@pytest.fixture
def paired(world, school):
    def make(since=AUTUMN_START):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
        PairingFactory(child=child, mentor=world.mentor, start_date=since)
        return child

    return make


def status(child, on):
    (result,) = child_statuses(type(child).objects.filter(pk=child.pk), school=child.school, on=on)
    return result


# --- Weeks ------------------------------------------------------------------------------------------


def test_a_talk_on_sunday_keeps_the_child_off_the_overdue_list_on_monday(world, paired):
    child = paired()
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 13))  # Sunday
    badge = status(child, date(2026, 9, 14)).talk  # Monday
    assert badge.state == DUE and badge.label == "本周谈心 0/1"


def test_a_missed_week_makes_the_talk_overdue_until_the_next_talk(world, paired):
    child = paired()
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 4))  # the first, partial week
    assert status(child, date(2026, 9, 14)).talk.state == OVERDUE  # nothing in Mon 7 … Sun 13
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 14))
    assert status(child, date(2026, 9, 14)).talk.state == DONE
    assert status(child, date(2026, 9, 14)).talk.label == "本周谈心 1/1"


def test_the_first_partial_week_of_term_makes_nobody_overdue(paired):
    child = paired()
    assert status(child, date(2026, 9, 4)).talk.state == DUE
    assert status(child, date(2026, 9, 8)).talk.state == DUE  # week of Aug 31 started before the term


def test_a_child_paired_mid_week_is_not_overdue_for_that_week(paired):
    child = paired(since=date(2026, 9, 9))  # a Wednesday
    assert status(child, date(2026, 9, 14)).talk.state == DUE
    assert status(child, date(2026, 9, 21)).talk.state == OVERDUE  # Mon 14 … Sun 20 was a whole week


def test_a_deleted_talk_does_not_count(world, paired):
    child = paired()
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 10))
    talk = TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 14))
    talk.is_deleted = True
    talk.save()
    assert status(child, date(2026, 9, 14)).talk.state == DUE


def test_two_talks_a_week_when_the_school_asks_for_two(world, school, paired):
    CadenceRule.objects.create(school=school, kind="talk", times=2, per="week")
    child = paired()
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 14))
    assert status(child, date(2026, 9, 15)).talk.state == OVERDUE  # last week had none, this week 1 of 2
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 15))
    assert status(child, date(2026, 9, 15)).talk.state == DONE


# --- Months -----------------------------------------------------------------------------------------


def test_a_contact_on_the_last_day_of_september_counts_for_september_not_october(world, paired):
    child = paired()
    GuardianContactFactory(child=child, author=world.mentor, date=date(2026, 9, 30))
    FamilyContactFactory(child=child, author=world.mentor, date=date(2026, 9, 30))
    on = date(2026, 10, 1)
    s = status(child, on)
    assert (s.guardian.state, s.family.state) == (DUE, DUE)
    assert s.guardian.label == "本月监护人沟通 0/1"
    GuardianContactFactory(child=child, author=world.mentor, date=on)
    assert status(child, on).guardian.state == DONE


def test_a_month_without_guardian_contact_is_overdue_in_the_next_month(paired):
    child = paired()
    s = status(child, date(2026, 10, 1))
    assert s.guardian.state == OVERDUE and s.guardian.label == "监护人沟通逾期 · 上月 0/1"
    assert s.family.state == OVERDUE


def test_a_month_only_partly_in_the_term_is_not_required(paired):
    child = paired()
    # February 2027: the spring term starts on the 22nd, so in March nobody is overdue for February.
    assert status(child, date(2027, 3, 2)).guardian.state == DUE
    # December 2026 lay wholly in the autumn term: in January it is overdue.
    assert status(child, date(2027, 1, 4)).guardian.state == OVERDUE


# --- Terms ------------------------------------------------------------------------------------------


def test_holidays_show_no_due_work(paired):
    child = paired()
    s = status(child, date(2027, 1, 25))
    assert {b.state for b in s.badges} == {OFF} and s.talk.label == "假期中"


def test_the_first_week_of_a_new_term_looks_back_only_into_the_term(world, paired):
    child = paired()
    assert status(child, date(2027, 2, 23)).talk.state == DUE  # Feb 15–21 was holiday
    assert status(child, date(2027, 3, 1)).talk.state == OVERDUE  # Feb 22–28: whole week of term
    TalkFactory(child=child, author=world.mentor, date=date(2027, 2, 26))
    assert status(child, date(2027, 3, 1)).talk.state == DUE


def test_last_terms_visit_does_not_count_in_the_new_term(world, paired):
    child = paired()
    HomeVisitFactory(child=child, author=world.mentor, date=date(2027, 1, 15))
    assert status(child, date(2027, 1, 18)).visit.label == "本学期家访 ✓"
    spring = status(child, date(2027, 3, 1)).visit
    assert spring.state == DUE and spring.label == "本学期家访 ✗"


def test_three_visits_a_term_fall_due_in_thirds(world, school, paired):
    CadenceRule.objects.create(school=school, kind="visit", times=3, per="term")  # 期初、期中、期末
    child = paired()
    windows = visit_windows(date(2026, 9, 1), date(2027, 1, 20), 3)
    assert [(w.start, w.end) for w in windows] == [
        (date(2026, 9, 1), date(2026, 10, 17)),
        (date(2026, 10, 18), date(2026, 12, 3)),
        (date(2026, 12, 4), date(2027, 1, 20)),
    ]
    assert status(child, date(2026, 9, 10)).visit.state == DUE
    HomeVisitFactory(child=child, author=world.mentor, date=date(2026, 9, 10))
    assert status(child, date(2026, 9, 10)).visit.state == DONE  # 期初 done, 期中 not yet open
    assert status(child, date(2026, 10, 20)).visit.state == DUE  # 期中 window open
    late = status(child, date(2026, 12, 5)).visit  # 期中 window closed without a visit
    assert late.state == OVERDUE and late.label == "家访逾期 1/3"


def test_once_a_term_visit_is_due_all_term_and_never_overdue_within_it(paired):
    child = paired()
    assert status(child, date(2027, 1, 20)).visit.state == DUE


# --- Whole-term arithmetic ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reference, since, expected",
    [
        (date(2026, 9, 12), AUTUMN_START, 0),  # Sat: the first whole week has not ended
        (date(2026, 9, 13), AUTUMN_START, 1),  # Sun 13: Mon 7 … Sun 13
        (date(2026, 9, 20), date(2026, 9, 9), 1),  # paired on Wed 9: only Mon 14 … Sun 20
        (date(2027, 3, 1), AUTUMN_START, 19),  # after the term: Sep 7 … Jan 17, the last partial week excluded
    ],
)
def test_required_weeks(reference, since, expected):
    assert (
        required_weeks(start=AUTUMN_START, reference=reference, term_end=date(2027, 1, 20), paired_since=since)
        == expected
    )
