"""Badges under cadence rules in general form (每月家访两次, 每周谈心两次, 每学期家访两次, 每月谈心一次): what a
mentor sees on 我的学生 and the mentor board, across week, month and term boundaries.

The `world` school's autumn term runs Tue 2026-09-01 … Wed 2027-01-20."""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from children.models import Child
from mentoring.models import CadenceRule
from mentoring.selectors import DONE, DUE, OVERDUE, child_statuses
from tests.factories import ChildFactory, HomeVisitFactory, PairingFactory, TalkFactory

pytestmark = pytest.mark.django_db


def rule(school, kind, times, per):
    return CadenceRule.objects.create(school=school, kind=kind, times=times, per=per)


@pytest.fixture
def paired(world):
    def make(since=date(2026, 10, 1), name="王小明"):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=name)
        PairingFactory(child=child, mentor=world.mentor, start_date=since)
        return child

    return make


def visits(world, child, *days):
    for day in days:
        HomeVisitFactory(child=child, author=world.mentor, date=day)


def badges(school, on):
    return {s.child.pk: s for s in child_statuses(Child.objects.filter(school=school), school=school, on=on)}


# --- 每月家访两次 ---------------------------------------------------------------------------------------


def test_twice_a_month_visits_on_31_october_are_done_or_still_due_never_overdue(world, paired):
    rule(world.school, "visit", 2, "month")
    twice, once = paired(name="王小明"), paired(name="李小红")
    visits(world, twice, date(2026, 10, 8), date(2026, 10, 22))
    visits(world, once, date(2026, 10, 8))
    status = badges(world.school, date(2026, 10, 31))
    assert (status[twice.pk].visit.state, status[twice.pk].visit.label) == (DONE, "本月家访 2/2")
    assert (status[once.pk].visit.state, status[once.pk].visit.label) == (DUE, "本月家访 1/2")


def test_on_3_november_a_child_visited_once_in_october_is_overdue_one_visited_twice_is_not(world, paired):
    rule(world.school, "visit", 2, "month")
    twice, once = paired(name="王小明"), paired(name="李小红")
    visits(world, twice, date(2026, 10, 8), date(2026, 10, 22))
    visits(world, once, date(2026, 10, 8))
    status = badges(world.school, date(2026, 11, 3))
    assert (status[twice.pk].visit.state, status[twice.pk].visit.label) == (DUE, "本月家访 0/2")
    assert (status[once.pk].visit.state, status[once.pk].visit.label) == (OVERDUE, "家访逾期 · 上月 1/2")


def test_a_child_paired_in_mid_october_is_not_overdue_for_october(world, paired):
    rule(world.school, "visit", 2, "month")
    late = paired(since=date(2026, 10, 15))
    assert badges(world.school, date(2026, 11, 3))[late.pk].visit.state == DUE
    assert badges(world.school, date(2026, 12, 1))[late.pk].visit.state == OVERDUE  # November was whole


def test_the_month_rule_shows_on_my_students(client, world, paired):
    rule(world.school, "visit", 2, "month")
    child = paired()
    visits(world, child, date(2026, 10, 8))
    client.force_login(world.mentor)
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 3)):
        page = client.get(reverse("mentoring:my_students")).content.decode()
    assert "家访逾期 · 上月 1/2" in page


# --- 每周谈心两次, 每月谈心一次 --------------------------------------------------------------------------


def test_twice_a_week_talks_count_up_and_a_short_week_is_overdue(world, paired):
    rule(world.school, "talk", 2, "week")
    child = paired(since=date(2026, 9, 1))
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 8))
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 10))
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 15))
    tuesday = badges(world.school, date(2026, 9, 15))[child.pk].talk
    assert (tuesday.state, tuesday.label) == (DUE, "本周谈心 1/2")  # last week had two
    monday = badges(world.school, date(2026, 9, 21))[child.pk].talk
    assert (monday.state, monday.label) == (OVERDUE, "谈心逾期 · 上周 1/2")


def test_a_monthly_talk_rule_does_not_ask_for_a_talk_every_week(world, paired):
    rule(world.school, "talk", 1, "month")
    child = paired(since=date(2026, 9, 1))
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 2))
    talk = badges(world.school, date(2026, 9, 28))[child.pk].talk
    assert (talk.state, talk.label) == (DONE, "本月谈心 1/1")
    assert badges(world.school, date(2026, 10, 20))[child.pk].talk.state == DUE  # September had its talk


# --- 每学期家访两次: paced over two halves -------------------------------------------------------------


def test_twice_a_term_visits_fall_due_in_halves(world, paired):
    rule(world.school, "visit", 2, "term")
    child = paired(since=date(2026, 9, 1))
    # Halves: 1 Sep … 10 Nov, 11 Nov … 20 Jan.
    assert badges(world.school, date(2026, 9, 10))[child.pk].visit.state == DUE
    visits(world, child, date(2026, 9, 10))
    first = badges(world.school, date(2026, 10, 1))[child.pk].visit
    assert (first.state, first.label) == (DONE, "本学期家访 1/2")
    assert badges(world.school, date(2026, 11, 12))[child.pk].visit.state == DUE
    late = badges(world.school, date(2027, 1, 21))  # holiday: nothing is due
    assert late[child.pk].visit.state == "off"


def test_a_term_rule_with_no_visit_in_the_first_half_is_overdue_once_it_ends(world, paired):
    rule(world.school, "visit", 2, "term")
    child = paired(since=date(2026, 9, 1))
    late = badges(world.school, date(2026, 11, 12))[child.pk].visit
    assert (late.state, late.label) == (OVERDUE, "家访逾期 0/2")


def test_my_students_keeps_its_query_count_with_month_rules(client, world, paired, django_assert_max_num_queries):
    rule(world.school, "visit", 2, "month")
    rule(world.school, "talk", 1, "month")
    for i in range(3):
        paired(name=f"王小{i}")
    client.force_login(world.mentor)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("mentoring:my_students"))
    for i in range(10):
        paired(name=f"李小{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("mentoring:my_students"))
