"""mentoring_figures: the numbers the dashboard, county overview and term report show, on a small
hand-counted fixture, in a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from children.models import LeftBehindPeriod
from mentoring.models import ConcernStatus
from mentoring.selectors import MentoringFigures, mentoring_figures, talk_counts_by_child, talks_in_term, visits_in_term
from tests.factories import (
    ChildFactory,
    ConcernFactory,
    GuardianContactFactory,
    HomeVisitFactory,
    PairingFactory,
    SchoolClassFactory,
    SchoolFactory,
    TalkFactory,
    TermFactory,
)

pytestmark = pytest.mark.django_db

START, END = date(2026, 9, 1), date(2027, 1, 20)
ON = date(2026, 9, 23)  # a Wednesday: weeks of Sep 7 and Sep 14 have ended


def left_behind_child(school_class, **kwargs):
    child = ChildFactory(school_class=school_class, left_behind_type="both_away", **kwargs)
    LeftBehindPeriod.objects.create(child=child, kind="both_away", start_date=date(2025, 9, 1))
    return child


@pytest.fixture
def county(world):
    one, two, three = (left_behind_child(world.school_class) for _ in range(3))
    ChildFactory(school_class=world.school_class)  # not left-behind: counted nowhere
    PairingFactory(child=one, mentor=world.mentor, start_date=START)
    PairingFactory(child=two, mentor=world.mentor, start_date=START)
    for day in (date(2026, 9, 8), date(2026, 9, 9), date(2026, 9, 15), date(2026, 9, 22)):
        TalkFactory(child=one, author=world.mentor, date=day)
    TalkFactory(child=two, author=world.mentor, date=date(2026, 9, 16))
    deleted = TalkFactory(child=two, author=world.mentor, date=date(2026, 9, 10))
    deleted.is_deleted = True
    deleted.save()
    HomeVisitFactory(child=one, author=world.mentor, date=date(2026, 9, 5))
    GuardianContactFactory(child=one, author=world.mentor, date=date(2026, 9, 2))
    ConcernFactory(child=one, raised_by=world.mentor)
    ConcernFactory(
        child=two, raised_by=world.mentor, status=ConcernStatus.CLOSED, action_taken="已处理", closed_at=timezone.now()
    )
    return {"one": one, "two": two, "three": three}


def test_figures_of_a_hand_counted_school(world, county):
    figures = mentoring_figures(schools=[world.school, world.other_school], start=START, end=END, on=ON)
    f = figures[world.school.pk]
    assert (f.left_behind, f.paired, f.pairing_coverage) == (3, 2, 66.7)
    assert f.mentor_load == {1: 0, 2: 1, 3: 0, 4: 0}
    assert (f.talks_this_week, f.children_talked_this_week, f.talk_compliance_week) == (1, 1, 50.0)
    # Required: 2 children × 2 whole weeks; done: child one both weeks, child two the second.
    assert (f.talks_term, f.talk_compliance_term) == (5, 75.0)
    assert (f.visits_term, f.visit_coverage_term) == (1, 50.0)
    assert (f.guardian_contacts_month, f.family_contacts_month, f.open_concerns) == (1, 0, 1)
    assert f.weekly_talks == [
        (date(2026, 8, 31), 0),
        (date(2026, 9, 7), 2),
        (date(2026, 9, 14), 2),
        (date(2026, 9, 21), 1),
    ]
    empty = figures[world.other_school.pk]
    assert isinstance(empty, MentoringFigures) and empty.left_behind == 0 and empty.pairing_coverage == 0.0
    assert [n for _, n in empty.weekly_talks] == [0, 0, 0, 0]


def test_a_past_term_is_read_at_its_end(world, county):
    f = mentoring_figures(schools=[world.school], start=START, end=END, on=date(2027, 6, 1))[world.school.pk]
    assert f.talks_term == 5 and len(f.weekly_talks) == 21  # Aug 31 … Jan 18
    assert f.talk_compliance_term == round(100 * 4 / (2 * 19), 1)  # weeks of Sep 7, 14, 21 and Sep 14


def test_figures_take_the_same_number_of_queries_for_one_school_or_many(world, county):
    with CaptureQueriesContext(connection) as small:
        mentoring_figures(schools=[world.school], start=START, end=END, on=ON)
    for _ in range(4):
        school = SchoolFactory()
        TermFactory(school=school)
        cls = SchoolClassFactory(school=school)
        for _ in range(5):
            child = left_behind_child(cls)
            PairingFactory(child=child, start_date=START)
            TalkFactory(child=child, date=date(2026, 9, 15))
    with CaptureQueriesContext(connection) as large:
        figures = mentoring_figures(schools=type(world.school).objects.all(), start=START, end=END, on=ON)
    assert len(large) == len(small) + 1  # + the query listing the schools of the queryset
    assert len(large) <= 15
    assert sum(f.talks_term for f in figures.values()) == 5 + 4 * 5


def test_export_helpers(world, county):
    talks = list(talks_in_term(school=world.school, start=START, end=END))
    assert len(talks) == 5 and talks[0].date == date(2026, 9, 8)
    assert len(visits_in_term(school=world.school, start=START, end=END)) == 1
    counts = talk_counts_by_child(school=world.school, start=START, end=END)
    assert counts == {county["one"].pk: (4, 1), county["two"].pk: (1, 0)}
