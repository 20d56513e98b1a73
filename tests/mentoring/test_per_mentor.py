"""帮扶教师工作情况: each mentor's talks, visits and contacts done against what the school's rules asked, from the
logs of their children on the pairing's days; who is 落后; the page for the principal and the coordinator."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from mentoring.selectors.per_mentor import BEHIND_BELOW, mentor_work, sort_mentor_work
from tests.factories import (
    ChildFactory,
    FamilyContactFactory,
    GuardianContactFactory,
    HomeVisitFactory,
    PairingFactory,
    StaffFactory,
    TalkFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)  # a Thursday: the whole weeks of the term so far are 9/7 … 11/23 (12 weeks)
MONDAYS = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(12)]
MONTHS = [date(2026, 9, 15), date(2026, 10, 15), date(2026, 11, 15)]


@pytest.fixture
def mentors(world):
    """刘老师 (world.mentor) with two children and few talks; 黄老师 with one child and all her work done."""
    first, second = (ChildFactory(school_class=world.school_class, name=n) for n in ("张小花", "李小草"))
    PairingFactory(child=first, mentor=world.mentor, start_date=date(2026, 9, 1))
    PairingFactory(child=second, mentor=world.mentor, start_date=date(2026, 9, 1))
    for day in (MONDAYS[0], MONDAYS[0] + timedelta(days=1), MONDAYS[0] + timedelta(days=2), MONDAYS[1]):
        TalkFactory(child=first, date=day)  # three in one week count once
    HomeVisitFactory(child=first, date=date(2026, 10, 8))
    TalkFactory(child=first, date=date(2026, 8, 20))  # before the term: not this term's
    huang = StaffFactory(school=world.school, user__first_name="黄老师").user
    third = ChildFactory(school_class=world.other_class, name="王小树")
    PairingFactory(child=third, mentor=huang, start_date=date(2026, 9, 1))
    for day in MONDAYS:
        TalkFactory(child=third, date=day + timedelta(days=2))
    for day in MONTHS:
        FamilyContactFactory(child=third, date=day)
        GuardianContactFactory(child=third, date=day)
    return world.school.terms.get(), huang


def _by_name(rows):
    return {r.name: r for r in rows}


def test_each_mentors_work_is_counted_from_their_childrens_logs_against_the_rules(world, mentors):
    term, _ = mentors
    rows = _by_name(mentor_work(school=world.school, terms=[term], today=TODAY))
    liu, huang = rows["刘老师"].current, rows["黄老师"].current
    assert liu.children == 2 and huang.children == 1
    talk = liu.quotas["talk"]
    assert (talk.logs, talk.done, talk.due) == (4, 2, 24)  # 12 weeks × 2 children; one talk a week counts
    assert (liu.quotas["visit"].logs, liu.quotas["visit"].due) == (1, 0)  # 每学期1次: due at the end of term
    assert liu.quotas["family"].due == 6 and liu.quotas["family"].done == 0  # Sep, Oct, Nov × 2
    assert (huang.quotas["talk"].done, huang.quotas["talk"].due) == (12, 12)
    assert huang.quotas["family"].done == huang.quotas["family"].due == 3
    assert huang.completion == 100.0


def test_a_mentor_is_behind_when_any_kind_falls_under_the_threshold(world, mentors):
    term, huang = mentors
    rows = _by_name(mentor_work(school=world.school, terms=[term], today=TODAY))
    assert rows["刘老师"].current.behind and not rows["黄老师"].current.behind
    # One week short of twelve is 91.7% of the talks: still above 80%, so not behind.
    third = huang.pairings.get().child
    third.talks.filter(date=MONDAYS[5] + timedelta(days=2)).delete()
    rows = _by_name(mentor_work(school=world.school, terms=[term], today=TODAY))
    assert rows["黄老师"].current.quotas["talk"].share == 91.7 > BEHIND_BELOW
    assert not rows["黄老师"].current.behind


def test_a_log_counts_for_the_mentor_paired_on_its_day(world, mentors):
    term, huang = mentors
    child = ChildFactory(school_class=world.school_class, name="赵小川")
    PairingFactory(child=child, mentor=world.mentor, start_date=date(2026, 9, 1), end_date=date(2026, 10, 31))
    PairingFactory(child=child, mentor=huang, start_date=date(2026, 11, 1))
    TalkFactory(child=child, date=date(2026, 10, 14))
    TalkFactory(child=child, date=date(2026, 11, 11))
    rows = _by_name(mentor_work(school=world.school, terms=[term], today=TODAY))
    assert rows["刘老师"].current.quotas["talk"].logs == 5 and rows["刘老师"].current.children == 3
    assert rows["黄老师"].current.quotas["talk"].logs == 13 and rows["黄老师"].current.children == 2


def test_past_terms_are_counted_by_their_own_dates(world, mentors):
    term, huang = mentors
    spring = TermFactory(
        school=world.school, start_year=2025, semester=2, start_date=date(2026, 2, 23), end_date=date(2026, 7, 10),
        is_current=False,
    )  # fmt: skip
    child = huang.pairings.get().child
    PairingFactory(
        child=child, mentor=huang, start_date=date(2026, 3, 2), end_date=date(2026, 7, 10), is_secondary=True
    )
    TalkFactory(child=child, date=date(2026, 3, 4))
    rows = _by_name(mentor_work(school=world.school, terms=[spring, term], today=TODAY))
    past = rows["黄老师"].past[0]
    assert past.term == spring and past.children == 1 and past.quotas["talk"].logs == 1
    assert rows["刘老师"].past[0].children == 0


def test_the_queries_do_not_grow_with_mentors_or_terms(world, mentors, django_assert_num_queries):
    term, _ = mentors
    spring = TermFactory(school=world.school, start_year=2025, semester=2, start_date=date(2026, 2, 23),
                         end_date=date(2026, 7, 10), is_current=False)  # fmt: skip
    for _ in range(5):
        mentor = StaffFactory(school=world.school).user
        PairingFactory(child=ChildFactory(school_class=world.school_class), mentor=mentor, start_date=date(2026, 3, 1))
    with django_assert_num_queries(6):  # rules, pairings, one per log kind
        rows = mentor_work(school=world.school, terms=[spring, term], today=TODAY)
    assert len(rows) == 7


def test_the_default_order_puts_who_is_most_behind_first_and_columns_sort(world, mentors):
    term, _ = mentors
    rows = mentor_work(school=world.school, terms=[term], today=TODAY)
    assert [r.name for r in sort_mentor_work(rows, "completion")] == ["刘老师", "黄老师"]
    assert [r.name for r in sort_mentor_work(rows, "-talk")] == ["黄老师", "刘老师"]
    assert [r.name for r in sort_mentor_work(rows, "-children")] == ["刘老师", "黄老师"]


@pytest.fixture
def today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)


def test_the_principal_and_the_coordinator_see_the_page(client, world, mentors, today, django_assert_max_num_queries):
    for user in (world.principal, world.coordinator):
        client.force_login(user)
        with django_assert_max_num_queries(20):
            page = client.get(reverse("reports:mentor_work")).content.decode()
        assert "帮扶教师工作情况" in page and "刘老师" in page and "黄老师" in page
        assert page.index("刘老师") < page.index("黄老师")  # the one behind first
        assert page.count("data-behind>") == 1 and "2 / 24" in page and "共记录 4 次" in page
        assert "张小花" not in page  # figures per mentor, not the children's names


@pytest.mark.parametrize("persona", ["mentor", "class_teacher", "bureau", "other_teacher"])
def test_other_people_may_not_see_the_page(client, world, mentors, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("reports:mentor_work")).status_code == 403


def test_another_schools_principal_sees_only_their_own_mentors(client, world, mentors):
    client.force_login(world.other_principal)
    page = client.get(reverse("reports:mentor_work")).content.decode()
    assert "刘老师" not in page and "黄老师" not in page


def test_the_excel_export_lists_each_mentor_and_is_audited(client, world, mentors, today):
    from io import BytesIO

    from openpyxl import load_workbook

    from caretrack.models import AuditAction, AuditEvent

    client.force_login(world.coordinator)
    response = client.post(reverse("reports:mentor_work_xlsx"), {"term": mentors[0].pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    liu = next(row for row in cells if row and row[0] == "刘老师")
    assert liu[1:4] == [2, 2, 24] and "落后" in liu
    assert not any("张小花" in str(c) for row in cells for c in row)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["kind"] == "mentor_work_xlsx" and event.user == world.coordinator
    client.force_login(world.mentor)
    assert client.post(reverse("reports:mentor_work_xlsx")).status_code == 403
