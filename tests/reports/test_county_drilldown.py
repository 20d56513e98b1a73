"""The bureau's 历年趋势 (school × term for a chosen figure) and its drill-down into one school by grade: counts
and rates only, never a child, and only for the bureau's own schools."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from reports import selectors
from reports.grade_figures import grade_rows
from tests.factories import SchoolFactory, StaffFactory, TalkFactory, TermFactory
from tests.reports.helpers import build_known_school

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


@pytest.fixture
def known(world, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    known = build_known_school(world)
    children = list(world.school_class.children.filter(name__startswith="王小"))
    for week in range(6):
        TalkFactory(child=children[0], date=date(2026, 9, 8) + timedelta(weeks=week))
    TalkFactory(child=children[1], date=date(2026, 9, 9))
    return known


def _url(world, school=None, **query):
    url = reverse("reports:county_grades", args=[(school or world.school).pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_bureau_sees_a_schools_figures_by_grade_and_no_child(client, world, known):
    client.force_login(world.bureau)
    response = client.get(_url(world, term="2026-1"))
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级"):
        assert label in page
    rows = {r.label: r for r in response.context["rows"]}
    assert (rows["三年级"].children, rows["三年级"].left_behind, rows["三年级"].archive_rate) == (4, 3, 100.0)
    assert (rows["四年级"].children, rows["四年级"].left_behind, rows["四年级"].archive_rate) == (1, 1, 0.0)
    for name in ("王小0", "王小1", "王小2", "赵小明", "不留守", "外校生"):
        assert name not in page
    assert "/children/" not in page  # no link to a child's page either


def test_the_grades_add_up_to_the_schools_row_on_the_county_page(world, known):
    term = world.school.terms.get()
    rows, total = grade_rows(school=world.school, term=term, today=TODAY)
    county = selectors.county_rows(schools=[world.school], key=selectors.TermKey(2026, 1), today=TODAY)[0].figures
    assert total.left_behind == county.left_behind == known.left_behind
    assert total.archive_rate == county.archive.rate
    assert total.paired == county.mentoring.paired == known.paired
    assert total.talk_compliance == county.mentoring.talk_compliance_term
    assert sum(r.talks_done for r in rows) == 7  # one talk a week, in whole weeks of the pairing


def test_a_bureau_of_another_county_gets_404_and_school_staff_403(client, world, known):
    other_bureau = StaffFactory(school=None, is_bureau=True, is_teacher=False, user__first_name="外县教育局")
    other_bureau.bureau_schools.set([SchoolFactory()])
    client.force_login(other_bureau.user)
    assert client.get(_url(world)).status_code == 404
    for user in (world.principal, world.coordinator, world.mentor):
        client.force_login(user)
        assert client.get(_url(world)).status_code == 403


def test_a_term_the_school_does_not_have_is_404(client, world, known):
    client.force_login(world.bureau)
    assert client.get(_url(world, term="2019-1")).status_code == 404


def test_the_county_page_links_each_school_to_its_grades(client, world, known):
    client.force_login(world.bureau)
    page = client.get(reverse("reports:county")).content.decode()
    assert _url(world, term="2026-1").replace("&", "&amp;") in page
    assert reverse("reports:county_trends") in page


def test_the_county_trends_show_a_chosen_figure_school_by_term(client, world, known):
    TermFactory(school=world.school, start_year=2025, semester=2, start_date=date(2026, 2, 20),
                end_date=date(2026, 7, 10), is_current=False)  # fmt: skip
    client.force_login(world.bureau)
    response = client.get(reverse("reports:county_trends") + "?figure=left_behind")
    assert response.status_code == 200
    table = {school.name: values for school, values in response.context["table"]}
    assert table["思蒙镇中心小学"] == [0, 4]  # spring had no left-behind child yet; this term 4
    assert table["桥江镇第一小学"] == [None, 1]  # no spring term; 外校生 this term
    page = response.content.decode()
    assert 'id="school-term-table"' in page and 'data-chart="figure"' in page
    assert "王小0" not in page
    assert response.context["charts"]["figure"][0] == ["学期", "留守儿童"]


def test_an_unknown_figure_is_404_and_school_staff_get_403(client, world, known):
    client.force_login(world.bureau)
    assert client.get(reverse("reports:county_trends") + "?figure=names").status_code == 404
    client.force_login(world.principal)
    assert client.get(reverse("reports:county_trends")).status_code == 403


def test_the_county_trends_queries_do_not_grow_with_the_schools(client, world, known):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.bureau)

    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:county_trends")).status_code == 200
        return len(ctx)

    few = count()
    profile = world.bureau.profile
    for _ in range(5):
        school = SchoolFactory()
        TermFactory(school=school)
        profile.bureau_schools.add(school)
    assert count() <= few + 1


def test_the_drilldown_queries_do_not_grow_with_the_children(client, world, known, django_assert_max_num_queries):
    client.force_login(world.bureau)
    with django_assert_max_num_queries(20):  # session, roles, terms, six for the figures
        assert client.get(_url(world)).status_code == 200


def test_a_term_yet_to_begin_is_not_part_of_the_county_trend(client, world, known):
    TermFactory(school=world.school, start_year=2026, semester=2, start_date=date(2027, 2, 20),
                end_date=date(2027, 7, 10), is_current=False)  # fmt: skip
    client.force_login(world.bureau)
    response = client.get(reverse("reports:county_trends"))
    assert [p.label for p in response.context["trend"].points] == ["2026秋"]
