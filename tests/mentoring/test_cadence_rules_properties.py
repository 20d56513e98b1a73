"""Property tests for cadence rules in general form: the calendar of any rule (N per week, month or term)
against a day-by-day count, and the badges from the database against that calendar across week, month
and term boundaries, for rules such as 每月家访2次, 每周谈心3次 and 每学期家访2次."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from mentoring.periods import parts_due, periods_between, required_periods, term_parts, whole_periods

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
calendar_pers = st.sampled_from(["week", "month"])


def _days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


def _key(per: str, day: date):
    return (day - timedelta(days=day.weekday())) if per == "week" else (day.year, day.month)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(calendar_pers, days, st.integers(min_value=0, max_value=150))
def test_periods_between_tile_the_range_one_week_or_month_at_a_time(per, start, length):
    end = start + timedelta(days=length)
    found = periods_between(per, start, end)
    assert found[0].contains(start) and found[-1].contains(end)
    for earlier, later in zip(found, found[1:], strict=False):
        assert earlier.end + timedelta(days=1) == later.start
    assert all(len({_key(per, d) for d in _days(p.start, p.end)}) == 1 for p in found)
    whole = whole_periods(per, start, end)
    assert all(start <= p.start and p.end <= end for p in whole) and set(whole) <= set(found)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(calendar_pers, days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=200), st.data())
def test_required_periods_count_whole_periods_ended_inside_term_and_pairing(per, start, since_offset, length, data):
    term_end = start + timedelta(days=length)
    since = start + timedelta(days=since_offset)
    reference = data.draw(st.dates(min_value=start, max_value=term_end + timedelta(days=40)))
    first, last = max(start, since), min(reference, term_end)
    groups: dict = {}
    for d in _days(first - timedelta(days=40), last + timedelta(days=40)):
        groups.setdefault(_key(per, d), []).append(d)
    expected = sum(1 for ds in groups.values() if ds[0] >= first and ds[-1] <= last)
    assert required_periods(per=per, start=start, reference=reference, term_end=term_end, paired_since=since) == (
        expected
    )


def _part_index(day: date, term_start: date, term_end: date, times: int) -> int:
    """Which of `times` equal parts a day falls in: the last part starting on or before it, part k starting
    k/times of the way through the term's days."""
    length = (term_end - term_start).days + 1
    return max(k for k in range(times) if length * k // times <= (day - term_start).days)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days, st.integers(min_value=30, max_value=200), st.integers(min_value=1, max_value=6), st.data())
def test_a_per_term_rule_is_paced_over_equal_parts(term_start, length, times, data):
    term_end = term_start + timedelta(days=length)
    parts = term_parts(term_start, term_end, times)
    assert len(parts) == times and parts[0].start == term_start and parts[-1].end == term_end
    for i, part in enumerate(parts):
        assert {_part_index(d, term_start, term_end, times) for d in _days(part.start, part.end)} == {i}
    on = data.draw(st.dates(min_value=term_start, max_value=term_end))
    since = data.draw(st.one_of(st.none(), st.dates(min_value=term_start - timedelta(days=10), max_value=on)))
    begun, ended = parts_due(parts, on=on, term_start=term_start, paired_since=since)
    assert begun == _part_index(on, term_start, term_end, times) + 1
    assert ended == sum(1 for p in parts if p.end < on and since is not None and p.start >= max(term_start, since))


# --- Badges from the database against the calendar ------------------------------------------------------------

AUTUMN = (date(2026, 9, 1), date(2027, 1, 20))  # the `world` school's current term (TermFactory)
SPRING = (date(2027, 2, 22), date(2027, 7, 5))
reference_days = st.one_of(
    st.dates(min_value=date(2026, 8, 25), max_value=date(2026, 11, 10)),
    st.dates(min_value=date(2026, 12, 20), max_value=date(2027, 3, 15)),
)
rules = st.one_of(
    st.tuples(st.just("week"), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("month"), st.integers(min_value=1, max_value=3)),
    st.tuples(st.just("term"), st.integers(min_value=1, max_value=4)),
)


def _in_term(day: date):
    return next((t for t in (AUTUMN, SPRING) if t[0] <= day <= t[1]), None)


def _expected_state(*, per: str, times: int, on: date, since: date, logs: list[date]) -> str:
    term = _in_term(on)
    if term is None:
        return "off"
    if per == "term":
        done = sum(1 for d in logs if term[0] <= d <= on)
        if done >= times:
            return "done"
        index = {d: _part_index(d, term[0], term[1], times) for d in _days(*term)}
        parts = [[d for d, i in index.items() if i == k] for k in range(times)]
        ended = sum(1 for p in parts if p[-1] < on and p[0] >= max(term[0], since))
        begun = sum(1 for p in parts if p[0] <= on)
        if done < ended:
            return "overdue"
        return "done" if done >= begun else "due"
    now = [d for d in logs if _key(per, d) == _key(per, on) and d <= on]
    if len(now) >= times:
        return "done"
    before = on - timedelta(days=1)
    while _key(per, before) == _key(per, on):
        before -= timedelta(days=1)
    previous = [d for d in _days(before - timedelta(days=31), before) if _key(per, d) == _key(per, before)]
    required = all(term[0] <= d <= term[1] and d >= since for d in previous)
    if required and sum(1 for d in logs if d in previous) < times:
        return "overdue"
    return "due"


@pytest.fixture
def paired_child_factory(world):
    from caretrack.models import Term

    Term.objects.create(school=world.school, start_year=2026, semester=2, start_date=SPRING[0], end_date=SPRING[1])

    def make(since):
        from tests.factories import ChildFactory, PairingFactory

        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
        PairingFactory(child=child, mentor=world.mentor, start_date=since)
        return child

    return make


@pytest.mark.django_db
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rule=rules,
    on=reference_days,
    since=st.dates(min_value=date(2026, 8, 20), max_value=date(2027, 3, 1)),
    offsets=st.lists(st.integers(min_value=-70, max_value=0), max_size=6),
)
def test_visit_badges_follow_any_rule_across_boundaries(world, paired_child_factory, rule, on, since, offsets):
    from mentoring.models import CadenceRule
    from mentoring.selectors import child_statuses
    from tests.factories import HomeVisitFactory

    per, times = rule
    assume(since <= on)
    visits = sorted({on + timedelta(days=k) for k in offsets if on + timedelta(days=k) >= since})
    with transaction.atomic():
        CadenceRule.objects.create(school=world.school, kind="visit", times=times, per=per)
        child = paired_child_factory(since)
        for day in visits:
            HomeVisitFactory(child=child, author=world.mentor, date=day)
        (status,) = child_statuses(type(child).objects.filter(pk=child.pk), school=world.school, on=on)
        transaction.set_rollback(True)
    event(f"{per} {status.visit.state}")
    expected = _expected_state(per=per, times=times, on=on, since=since, logs=visits)
    assert status.visit.state == expected, (per, times, on, since, visits)
