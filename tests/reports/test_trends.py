"""历年趋势: each term's headline figures are the dashboard's figures of that term, the change against the term
before is given only where the previous term has figures, and the dashboard shows both."""

from datetime import date

import pytest
from django.urls import reverse

from children.models import LeftBehindPeriod
from reports import selectors, trends
from tests.factories import ActivityFactory, FamilyContactFactory, TalkFactory, TermFactory
from tests.reports.helpers import build_known_school

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


@pytest.fixture
def two_terms(world):
    """The known school (its children left-behind since February) with last spring's term and this one."""
    build_known_school(world)
    LeftBehindPeriod.objects.update(start_date=date(2026, 2, 20))
    spring = TermFactory(
        school=world.school, start_year=2025, semester=2, start_date=date(2026, 2, 20),
        end_date=date(2026, 7, 10), is_current=False,
    )  # fmt: skip
    child = world.school_class.children.get(name="王小0")
    for day in (date(2026, 3, 2), date(2026, 4, 8)):
        TalkFactory(child=child, date=day)
    for day in (date(2026, 9, 7), date(2026, 9, 14), date(2026, 10, 12), date(2026, 11, 2), date(2026, 11, 9)):
        TalkFactory(child=child, date=day)
    FamilyContactFactory(child=child, date=date(2026, 10, 1))
    ActivityFactory(school=world.school, date=date(2026, 10, 20))
    return spring, world.school.terms.get(is_current=True)


def _dashboard_values(school, term) -> dict:
    f = selectors.school_term_figures(school, term, today=TODAY)
    m, a = f.mentoring, f.activities
    return {
        "left_behind": f.left_behind,
        "archive_rate": f.archive.rate,
        "pairing_coverage": m.pairing_coverage,
        "talk_compliance_term": m.talk_compliance_term,
        "visit_coverage_term": m.visit_coverage_term,
        "talks_term": m.talks_term,
        "visits_term": m.visits_term,
        "family_contacts_term": f.family_contacts_term,
        "activities": a.activities,
    }


def test_each_terms_figures_in_the_trend_are_that_terms_dashboard_figures(world, two_terms):
    spring, autumn = two_terms
    trend = trends.school_trend(school=world.school, until=autumn, today=TODAY)
    assert [p.label for p in trend.points] == ["2026春", "2026秋"]
    for point, term in zip(trend.points, (spring, autumn), strict=True):
        assert point.values == _dashboard_values(world.school, term)
    assert trend.points[1].values["talks_term"] == 5 and trend.points[0].values["talks_term"] == 2


def test_the_change_against_last_term_is_given_only_where_last_term_has_figures(world, two_terms):
    trend = trends.school_trend(school=world.school, until=two_terms[1], today=TODAY)
    assert trend.change("talks_term").text == "与上学期相比 +3 次"
    assert trend.change("archive_rate").text == "与上学期持平"
    # Last spring had no 亲情联系 and no activity recorded: no claim of a rise from nothing.
    assert trend.change("family_contacts_term") is None and trend.change("activities") is None
    assert all(change is None for change in trend.points[0].changes.values())  # no term before the first


def test_a_rate_change_is_in_percentage_points(world, two_terms):
    spring, autumn = two_terms
    trend = trends.school_trend(school=world.school, until=autumn, today=TODAY)
    before, after = trend.points[0].values["talk_compliance_term"], trend.points[1].values["talk_compliance_term"]
    change = trend.change("talk_compliance_term")
    assert change.delta == round(after - before, 1)
    assert change.text.endswith("个百分点") or change.text == "与上学期持平"


def test_the_dashboard_shows_the_trend_and_the_change_on_its_cards(
    client, world, two_terms, django_assert_max_num_queries
):
    client.force_login(world.principal)
    with django_assert_max_num_queries(120):
        response = client.get(reverse("reports:dashboard"))
    page = response.content.decode()
    assert "历年趋势" in page and "data-trend-table" in page and 'data-chart="trend"' in page
    chart = response.context["charts"]["trend"]
    assert chart[0] == ["学期", "建档率", "结对覆盖率", "谈心达标率", "家访覆盖率"]
    assert [row[0] for row in chart[1:]] == ["2026春", "2026秋"]
    assert '<div class="small trend-change" data-change="archive_rate">与上学期持平</div>' in page
    assert 'data-change="activities"' not in page  # nothing to compare with


def test_a_school_with_one_term_gets_no_comparison(client, world):
    build_known_school(world)
    client.force_login(world.principal)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "data-trend-none" in page and "与上学期相比" not in page and "与上学期持平" not in page


def test_the_trends_queries_do_not_grow_with_the_schools(world, two_terms):
    from caretrack.models import School
    from tests.factories import SchoolFactory

    def count(schools) -> int:
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            trends.county_trend(schools=schools, today=TODAY)
        return len(ctx)

    few = count([world.school, world.other_school])
    for _ in range(4):
        school = SchoolFactory()
        TermFactory(school=school)
        TermFactory(school=school, start_year=2025, semester=2, start_date=date(2026, 2, 20),
                    end_date=date(2026, 7, 10), is_current=False)  # fmt: skip
    TermFactory(school=world.other_school, start_year=2025, semester=2, start_date=date(2026, 2, 20),
                end_date=date(2026, 7, 10), is_current=False)  # fmt: skip
    many = count(list(School.objects.all()))
    assert many <= few + 2  # the same term calendars: the same queries (a cache read per term may join)


def _results_draft(world, term, today=None):
    from reports.drafts import draft_sections

    figures = selectors.school_term_figures(world.school, term, today=today)
    return draft_sections(figures, term, selectors.leading_group(world.school))["results"]


def test_the_term_report_compares_the_rates_with_last_term(world, two_terms, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    spring, autumn = two_terms
    trend = trends.school_trend(school=world.school, until=autumn, today=TODAY)
    talk = trend.change("talk_compliance_term")
    word = "提高" if talk.delta > 0 else "下降"
    text = _results_draft(world, autumn, TODAY)
    assert text.startswith("与上学期相比，建档率持平、结对覆盖率持平、")
    assert f"谈心达标率{word}{abs(talk.delta):.1f}个百分点" in text or "谈心达标率持平" in text
    # The term is under way: its counts are not all in, so no 谈心减少 / 增加 is claimed yet.
    assert "谈心增加" not in text and "谈心减少" not in text and "次" not in text.split("。")[0]


def test_a_finished_term_compares_its_counts_too_but_never_from_nothing(world, two_terms, monkeypatch):
    from django.utils import timezone

    later = date(2027, 2, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    _, autumn = two_terms
    first = _results_draft(world, autumn, later).split("。")[0]
    assert "谈心增加3次" in first
    assert "亲情联系" not in first and "关爱活动" not in first  # spring had none: no rise from nothing


def test_the_first_term_report_makes_no_comparison(world, two_terms):
    spring, _ = two_terms
    assert "与上学期" not in _results_draft(world, spring)


def test_the_exported_pdf_says_how_the_term_compares(client, world, two_terms):
    from tests.reports.helpers import pdf_text

    client.force_login(world.principal)
    response = client.post(reverse("reports:term_report_pdf"), {"term": two_terms[1].pk})
    assert response.status_code == 200
    assert "与上学期相比" in pdf_text(response.content).replace("\n", "")


def test_last_terms_point_is_kept_and_a_backdated_talk_saved_through_the_service_moves_it_at_once(
    world, two_terms, django_assert_max_num_queries
):
    from mentoring import services as mentoring
    from mentoring.models import Talk

    spring, autumn = two_terms

    def dashboard_trend():  # as the dashboard reads it: this term's figures, then the trend keyed on them
        current = selectors.school_term_figures(world.school, autumn, today=TODAY)
        return trends.school_trend(school=world.school, until=autumn, current=current, today=TODAY)

    before = dashboard_trend()
    current = selectors.school_term_figures(world.school, autumn, today=TODAY)
    with django_assert_max_num_queries(1):  # kept: the cache, under the version the figures were read with
        again = trends.school_trend(school=world.school, until=autumn, current=current, today=TODAY)
    assert again.points[0].values == before.points[0].values
    child = world.school_class.children.get(name="王小0")
    mentoring.create_log(  # a talk of last spring entered late
        model=Talk, child=child, data={"date": date(2026, 5, 6), "text": "补记"}, author=world.mentor, today=TODAY
    )
    after = dashboard_trend()
    assert after.points[0].values["talks_term"] == before.points[0].values["talks_term"] + 1
