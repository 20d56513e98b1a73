"""The dashboard's, county overview's and term report's compliance figures under cadence rules in
general form: a school with 每月谈心1次 and 每月家访2次 next to a school with the defaults (每周谈心1次,
每学期家访1次), counted by hand, in the same number of queries."""

import re
from datetime import date
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import LeftBehindPeriod
from mentoring.models import CadenceRule
from mentoring.selectors import mentoring_figures
from tests.factories import (
    ChildFactory,
    HomeVisitFactory,
    PairingFactory,
    SchoolClassFactory,
    TalkFactory,
)
from tests.reports.helpers import pdf_text

pytestmark = pytest.mark.django_db

START, END = date(2026, 9, 1), date(2027, 1, 20)
ON = date(2026, 11, 3)  # September and October have ended; November has begun


def paired_child(school_class, mentor=None):
    child = ChildFactory(school_class=school_class, left_behind_type="both_away")
    LeftBehindPeriod.objects.create(child=child, kind="both_away", start_date=date(2025, 9, 1))
    PairingFactory(child=child, start_date=START, **({"mentor": mentor} if mentor else {}))
    return child


def logs(factory, child, *days):
    for day in days:
        factory(child=child, date=day)


@pytest.fixture
def monthly(world):
    CadenceRule.objects.create(school=world.school, kind="talk", times=1, per="month")
    CadenceRule.objects.create(school=world.school, kind="visit", times=2, per="month")
    one, two = paired_child(world.school_class, world.mentor), paired_child(world.school_class, world.mentor)
    # Visits: one 2 in September, 1 in October; two 3 in October (counted as 2).
    logs(HomeVisitFactory, one, date(2026, 9, 5), date(2026, 9, 20), date(2026, 10, 8))
    logs(HomeVisitFactory, two, date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10))
    # Talks: one in September and twice in October; two only in November.
    logs(TalkFactory, one, date(2026, 9, 2), date(2026, 10, 2), date(2026, 10, 3))
    logs(TalkFactory, two, date(2026, 11, 2))
    return world.school


@pytest.fixture
def weekly(world):
    """The other school keeps the defaults: one talk a week, one visit a term."""
    school_class = SchoolClassFactory(school=world.other_school)
    child = paired_child(school_class)
    logs(HomeVisitFactory, child, date(2026, 9, 10))
    logs(TalkFactory, child, date(2026, 10, 27))  # the week of 26 Oct: 1 of the 8 whole weeks since 7 Sep
    return world.other_school


def test_month_rules_count_months_not_weeks(world, monthly, weekly):
    f = mentoring_figures(schools=[monthly, weekly], start=START, end=END, on=ON)[monthly.pk]
    # Visits: 2 children × 2 months × 2 visits = 8 required; done 2 + 1 (one) + 2 (two) = 5.
    assert f.visit_coverage_term == 62.5 and f.visit_per == "month" and f.visit_rule == "每月2次"
    # Talks: 2 children × 2 months × 1 = 4 required; done: one in September and October.
    assert f.talk_compliance_term == 50.0 and f.talk_rule == "每月1次"
    # This month: two has talked in November, one not yet.
    assert f.talk_compliance_week == 50.0
    assert (f.talk_current_label, f.visit_term_label) == ("本月谈心达标率", "本学期家访达标率")


def test_the_other_school_keeps_its_weekly_and_per_term_rules(world, monthly, weekly):
    f = mentoring_figures(schools=[monthly, weekly], start=START, end=END, on=ON)[weekly.pk]
    assert f.visit_coverage_term == 100.0 and f.visit_term_label == "本学期家访覆盖率"
    assert f.talk_compliance_term == round(100 * 1 / 8, 1)  # whole weeks 7 Sep … 1 Nov
    assert f.talk_current_label == "本周谈心达标率"


def test_mixed_rules_take_no_more_queries_than_the_defaults(world, monthly, weekly):
    with CaptureQueriesContext(connection) as default_only:
        mentoring_figures(schools=[weekly], start=START, end=END, on=ON)
    with CaptureQueriesContext(connection) as mixed:
        mentoring_figures(schools=[monthly, weekly], start=START, end=END, on=ON)
    assert len(mixed) <= len(default_only) <= 14


def test_the_dashboard_names_the_month_rule(client, world, monthly):
    client.force_login(world.principal)
    with mock.patch("django.utils.timezone.localdate", return_value=ON):
        html = client.get(reverse("reports:dashboard")).content.decode()
    assert "本月谈心达标率" in html and "本学期家访达标率" in html and "要求每月2次" in html
    assert re.search(r'data-figure="visit_coverage_term">62.5%<', html)


def test_the_term_report_pdf_states_the_month_rule_compliance(client, world, monthly):
    client.force_login(world.principal)
    with mock.patch("django.utils.timezone.localdate", return_value=ON):
        text = re.sub(r"[ \t]+", " ", pdf_text(client.post(reverse("reports:term_report_pdf")).content))
    assert re.search(r"本学期谈心达标率\s*50.0%", text)
