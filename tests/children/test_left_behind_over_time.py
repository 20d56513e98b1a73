"""留守 over time: each period keeps why it ended (a parent came home, the 16th birthday); a child is 留守 up to
the day before the 16th birthday, in the list, its badges and the figures, without waiting for any job; the
nightly command then closes the period and stores 非留守."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditEvent, Term
from children.chronology import chronology
from children.models import AwayStatus, LeftBehindPeriod, LeftBehindType, ParentRole, years_before
from children.services import reclassify_child, update_parent_status
from children.services.calendar import close_periods_at_age_limit
from reports.selectors import school_term_figures
from tests.factories import ChildFactory, ParentFactory, TermFactory
from tests.reports.helpers import left_behind_child

pytestmark = pytest.mark.django_db

SIXTEENTH = date(2026, 10, 1)  # the 16th birthday of a child born 2010-10-01


def period_of(child) -> LeftBehindPeriod:
    return LeftBehindPeriod.objects.filter(child=child).order_by("start_date").first()


def test_a_parent_coming_home_ends_the_period_with_that_reason_in_the_chronology(world):
    child = left_behind_child(world.school_class)
    update_parent_status(
        child=child,
        role=ParentRole.FATHER,
        values={"away_status": AwayStatus.AT_HOME},
        on=date(2026, 10, 10),
        reason="父亲返乡",
        acting_user=world.class_teacher,
    )
    period = period_of(child)
    assert (period.end_date, period.end_reason) == (date(2026, 10, 9), "父亲返乡")
    titles = [e.title for e in chronology(child, world.coordinator)]
    assert "留守状态结束：父亲返乡" in titles


def test_the_nightly_run_ends_each_sixteen_year_olds_period_the_day_before_the_birthday(world):
    turning = left_behind_child(world.school_class, name="满16", birth_date=date(2010, 10, 1))
    younger = left_behind_child(world.school_class, name="差一天", birth_date=date(2010, 10, 2))
    elsewhere = left_behind_child(world.foreign_class, name="外校满16", birth_date=date(2010, 9, 15))

    assert close_periods_at_age_limit(on=SIXTEENTH, acting_user=None) == 2

    period = period_of(turning)
    assert (period.end_date, period.end_reason) == (date(2026, 9, 30), "年满16周岁")
    turning.refresh_from_db()
    assert turning.left_behind_type == LeftBehindType.NOT_LEFT_BEHIND
    assert history_reason(turning) == "年满16周岁"
    assert period_of(elsewhere).end_date == date(2026, 9, 14)
    assert period_of(younger).end_date is None
    younger.refresh_from_db()
    assert younger.left_behind_type == LeftBehindType.BOTH_AWAY
    # One audit row per school, by nobody (the nightly run), naming the children.
    rows = AuditEvent.objects.filter(detail__reason="年满16周岁")
    assert sorted((r.school.pk, r.user, r.detail["children"]) for r in rows) == [
        (world.school.pk, None, [turning.pk]),
        (world.other_school.pk, None, [elsewhere.pk]),
    ]
    assert "留守状态结束：年满16周岁" in [e.title for e in chronology(turning, world.coordinator)]

    # Run again the same day: nothing left to do, nothing written. The next day it is 差一天's turn.
    assert close_periods_at_age_limit(on=SIXTEENTH, acting_user=None) == 0
    assert AuditEvent.objects.filter(detail__reason="年满16周岁").count() == 2
    assert close_periods_at_age_limit(on=SIXTEENTH + timedelta(days=1), acting_user=None) == 1
    assert period_of(younger).end_date == date(2026, 10, 1)


def history_reason(child) -> str:
    return child.history.order_by("-history_date", "-history_id").first().history_change_reason


def test_a_change_noticed_after_the_16th_birthday_still_ends_the_period_on_the_birthday(world):
    child = left_behind_child(world.school_class, birth_date=date(2010, 10, 1))
    update_parent_status(
        child=child,
        role=ParentRole.MOTHER,
        values={"away_status": AwayStatus.AT_HOME},
        on=date(2026, 11, 20),
        reason="母亲返乡",
        acting_user=world.coordinator,
    )
    period = period_of(child)
    assert (period.end_date, period.end_reason) == (date(2026, 9, 30), "年满16周岁")


def test_the_command_closes_the_periods_and_says_how_many(world):
    left_behind_child(world.school_class, birth_date=date(2010, 10, 1))
    out = StringIO()
    call_command("close_age_limit_periods", "--date", "2026-10-01", stdout=out)
    assert "2026-10-01：1 名学生年满16周岁，留守时段已结束。" in out.getvalue()
    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("close_age_limit_periods", "--date", "10/01/2026")


# --- Today, without running anything -------------------------------------------------------------


@pytest.fixture
def turning_tomorrow(world):
    """A child whose parents both work away and whose 16th birthday is tomorrow (nothing run since)."""
    today = timezone.localdate()
    child = ChildFactory(
        school_class=world.school_class, name="明天满16", birth_date=years_before(today + timedelta(days=1), 16)
    )
    ParentFactory(child=child, role=ParentRole.FATHER)
    ParentFactory(child=child, role=ParentRole.MOTHER, name="李秀兰")
    reclassify_child(child=child, on=today - timedelta(days=30))
    assert child.left_behind_type == LeftBehindType.BOTH_AWAY
    return child


@pytest.fixture
def tomorrow(monkeypatch):
    """The site as it will answer tomorrow (the clock moved on, no nightly job run)."""
    day = timezone.localdate() + timedelta(days=1)
    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: real(*args, **kwargs) if args else day)
    return day


def _listed(client, **params) -> str:
    return client.get(reverse("children:list"), params).content.decode()


def test_the_list_filter_and_badge_show_the_child_as_left_behind_today(login, world, turning_tomorrow):
    client = login(world.coordinator)
    assert "明天满16" in _listed(client)  # the default filter: every left-behind child
    assert "明天满16" in _listed(client, left_behind_type=LeftBehindType.BOTH_AWAY)
    assert "明天满16" not in _listed(client, left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
    assert 'data-left-behind="both_away">父母均外出' in _listed(client)


def test_from_the_16th_birthday_the_list_and_badges_show_non_left_behind_without_any_job(
    login, world, turning_tomorrow, tomorrow
):
    client = login(world.coordinator)
    assert "明天满16" not in _listed(client)
    assert "明天满16" not in _listed(client, left_behind_type=LeftBehindType.BOTH_AWAY)
    everyone = _listed(client, left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
    assert "明天满16" in everyone and 'data-left-behind="none">非留守' in everyone
    detail = client.get(reverse("children:detail", args=[turning_tomorrow.pk])).content.decode()
    assert 'data-left-behind="none">非留守' in detail


def test_the_dashboard_counts_the_child_in_the_term_ending_today_and_not_in_the_one_starting_tomorrow(
    world, turning_tomorrow
):
    today = timezone.localdate()
    ending = TermFactory(school=world.school, start_year=2030, semester=1, start_date=today - timedelta(days=60),
                         end_date=today, is_current=False)  # fmt: skip
    starting = TermFactory(school=world.school, start_year=2030, semester=2, start_date=today + timedelta(days=1),
                           end_date=today + timedelta(days=120), is_current=False)  # fmt: skip
    assert school_term_figures(world.school, ending, today).left_behind == 1
    assert school_term_figures(world.school, starting, today + timedelta(days=1)).left_behind == 0
    assert Term.objects.filter(school=world.school).count() == 3


def test_the_list_reads_in_a_fixed_number_of_queries_with_its_badges(login, world, django_assert_max_num_queries):
    for i in range(25):
        left_behind_child(world.school_class, name=f"学生{i}", complete=False)
    client = login(world.coordinator)
    client.get(reverse("children:list"))
    # +2 since the menu has counts: the bell's unread notifications, the open cases of 待处理
    with django_assert_max_num_queries(14):
        html = _listed(client)
    assert html.count('data-left-behind="both_away"') == 25
