"""The dashboard's weekly talk series marks the week under way: on a Wednesday its talks are not all in, so it
is shown apart (本周进行中) rather than read as a fall from the weeks before."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from caretrack.models import Term
from reports.presentation import dashboard_charts, dashboard_tables, weekly_talks
from reports.selectors import school_term_figures
from tests.factories import ChildFactory, TalkFactory

pytestmark = pytest.mark.django_db

WEDNESDAY = date(2026, 11, 4)  # the current term is 2026-09-01 … 2027-01-20 (tests.factories.TermFactory)
MONDAY = date(2026, 11, 2)


@pytest.fixture
def term(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    for week in range(1, 4):  # four talks a week in the three weeks before, one so far this week
        for day in range(4):
            TalkFactory(child=child, author=world.mentor, date=MONDAY - timedelta(weeks=week) + timedelta(days=day))
    TalkFactory(child=child, author=world.mentor, date=MONDAY + timedelta(days=1))
    return Term.objects.get(school=world.school)


def test_on_a_wednesday_the_current_week_is_marked_in_progress_up_to_that_day(world, term):
    figures = school_term_figures(world.school, term, today=WEDNESDAY)
    assert figures.week_in_progress == MONDAY
    weeks = weekly_talks(figures)
    assert [(w.label, w.talks) for w in weeks[-4:]] == [("10/12", 4), ("10/19", 4), ("10/26", 4), ("11/2", 1)]
    assert [w.note for w in weeks[-2:]] == ["", "本周进行中，截至11月4日"]
    assert [w for w in weeks if w.note] == [weeks[-1]]
    assert dashboard_charts(figures)["weekly_talks"][-2:] == [["10/26", 4, ""], ["11/2", 1, "本周进行中，截至11月4日"]]


def test_a_sunday_is_still_part_of_the_week_under_way(world, term):
    figures = school_term_figures(world.school, term, today=MONDAY + timedelta(days=6))
    assert figures.week_in_progress == MONDAY


def test_a_past_term_has_no_week_in_progress(world, term):
    figures = school_term_figures(world.school, term, today=date(2027, 2, 3))
    assert figures.week_in_progress is None
    assert all(row[2] == "" for row in dashboard_charts(figures)["weekly_talks"])


def test_the_dashboard_table_names_the_week_in_progress(world, term):
    tables = dashboard_tables(school_term_figures(world.school, term, today=WEDNESDAY), _no_links())
    assert tables["week_in_progress"].monday == MONDAY and tables["week_in_progress"].until == WEDNESDAY


def test_the_dashboard_page_says_this_week_is_not_over(world, login):
    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=40), end_date=today + timedelta(days=40)
    )
    html = login(world.principal).get("/reports/dashboard/").content.decode()
    assert "这一周还没有结束，所以不与前几周连线" in html
    assert "本周进行中，截至" in html  # in the table of the numbers, readable without the chart


def _no_links():
    return {"classes": {}, "grades": {}, "activity_types": {}, "types": {}}
