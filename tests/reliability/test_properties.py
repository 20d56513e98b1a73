"""Property-based tests (hypothesis) that complement tests/test_validation.py and the mentoring examples:
parsers never fail with anything but a Chinese ValidationError whatever a spreadsheet cell holds; dates
survive a real .xlsx round trip; and the done/due/overdue badges agree with a day-by-day reading of the
calendar across week, month, year and term boundaries."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from caretrack.validation import make_id_number, parse_id_number, parse_loose_date, validate_phone
from children.importing import parse_class
from mentoring.periods import Period, is_required, mondays, month_of, required_weeks, visit_windows, week_of

# --- Whatever a cell holds, parsers answer with a value or a Chinese ValidationError ----------------------

cell_values = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="0123456789-./年月日号 Xx：:", max_size=24),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(cell_values)
def test_date_parsing_never_crashes_on_a_cell(value):
    try:
        result = parse_loose_date(value)
    except ValidationError as error:
        assert error.messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in error.messages)
    else:
        assert type(result) is date
        assert date(1900, 1, 1) <= result <= date(2100, 12, 31)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(cell_values)
def test_id_number_parsing_never_crashes_on_a_cell(value):
    try:
        parsed = parse_id_number(value)
    except ValidationError as error:
        assert all("身份证号" in m for m in error.messages)
    else:
        assert len(parsed.number) == 18
        assert parsed.birth_date <= date.today()


@settings(deadline=None)  # timing varies on a busy CI machine
@given(cell_values)
def test_phone_validation_never_crashes_on_a_cell(value):
    try:
        phone = validate_phone(value)
    except ValidationError as error:
        assert error.messages
    else:
        assert phone.replace("-", "").isdigit()


@settings(deadline=None)  # timing varies on a busy CI machine
@given(cell_values)
def test_class_parsing_never_crashes_on_a_cell(value):
    try:
        grade, number = parse_class(value)
    except ValidationError as error:
        assert "班级" in error.messages[0]
    else:
        assert 1 <= grade <= 9 and number >= 1


CN = "零一二三四五六七八九十"


def _cn(n: int) -> str:
    if n <= 10:
        return CN[n]
    return ("十" if n < 20 else CN[n // 10] + "十") + (CN[n % 10] if n % 10 else "")


@settings(deadline=None)  # timing varies on a busy CI machine
@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=19), st.data())
def test_class_names_as_teachers_write_them_parse_back(grade, number, data):
    template = data.draw(
        st.sampled_from(["{G}({n})班", "{G}（{n}）班", "{g}年级{n}班", "{G}年级{N}班", "{g}年级（{n}）班"])
    )
    text = template.format(G=_cn(grade), g=grade, n=number, N=_cn(number))
    assert parse_class(text) == (grade, number), text


# --- Dates through a real .xlsx file --------------------------------------------------------------------

birth_dates = st.dates(min_value=date(2005, 1, 1), max_value=date(2025, 12, 31))
TEXT_FORMATS = [
    "{:%Y-%m-%d}",
    "{:%Y/%m/%d}",
    "{d.year}.{d.month}.{d.day}",
    "{d.year}年{d.month}月{d.day}日",
    "{:%Y%m%d}",
]


@settings(max_examples=40, deadline=None)
@given(birth_dates, st.sampled_from(["date", "datetime", "serial", "text"]), st.sampled_from(TEXT_FORMATS))
def test_a_birth_date_survives_a_real_xlsx_round_trip(day, how, text_format):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "出生日期", "身份证号"])
    if how == "date":
        value = day
    elif how == "datetime":
        value = datetime(day.year, day.month, day.day)
    elif how == "serial":
        value = (day - date(1899, 12, 30)).days
    else:
        value = text_format.format(day, d=day)
    number = make_id_number("431224", day, 5, "F")
    ws.append(["王小花", value, number])
    if how in ("date", "datetime"):
        ws["B2"].number_format = "yyyy/m/d"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    row = next(load_workbook(buffer, read_only=True).active.iter_rows(min_row=2, values_only=True))
    assert parse_loose_date(row[1]) == day
    assert parse_id_number(row[2]).birth_date == day


# --- Calendar arithmetic against a day-by-day reading ------------------------------------------------------

days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


def _days(start: date, end: date):
    while start <= end:
        yield start
        start += timedelta(days=1)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days)
def test_week_is_monday_to_sunday_around_the_day(day):
    week = week_of(day)
    assert week.start.weekday() == 0 and week.end.weekday() == 6
    assert week.contains(day) and (week.end - week.start).days == 6
    assert week.previous_week().end + timedelta(days=1) == week.start


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days)
def test_month_is_the_calendar_month_of_the_day(day):
    month = month_of(day)
    assert month.start == day.replace(day=1)
    assert all(d.month == day.month for d in _days(month.start, month.end))
    assert (month.end + timedelta(days=1)).day == 1
    assert month.previous_month().end + timedelta(days=1) == month.start


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days, st.integers(min_value=0, max_value=120))
def test_mondays_cover_every_day_of_a_range(start, length):
    end = start + timedelta(days=length)
    found = mondays(start, end)
    assert all(m.weekday() == 0 for m in found)
    assert {week_of(d).start for d in _days(start, end)} == set(found)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days, st.integers(min_value=20, max_value=200), st.integers(min_value=1, max_value=3))
def test_visit_windows_tile_the_term(term_start, length, count):
    term_end = term_start + timedelta(days=length)
    windows = visit_windows(term_start, term_end, count)
    assert windows[0].start == term_start and windows[-1].end == term_end
    for earlier, later in zip(windows, windows[1:], strict=False):
        assert earlier.end + timedelta(days=1) == later.start
    sizes = [(w.end - w.start).days + 1 for w in windows]
    assert max(sizes) - min(sizes) <= 1


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=200), st.data())
def test_required_weeks_counts_whole_weeks_ended_inside_term_and_pairing(start, since_offset, length, data):
    term_end = start + timedelta(days=length)
    paired_since = start + timedelta(days=since_offset)
    reference = data.draw(st.dates(min_value=start, max_value=term_end + timedelta(days=30)))
    expected = 0
    for monday in (d for d in _days(max(start, paired_since), reference) if d.weekday() == 0):
        if monday + timedelta(days=6) <= min(reference, term_end):
            expected += 1
    assert required_weeks(start=start, reference=reference, term_end=term_end, paired_since=paired_since) == expected


@settings(deadline=None)  # timing varies on a busy CI machine
@given(days, days, days, st.integers(min_value=0, max_value=30))
def test_a_period_is_required_only_when_wholly_inside_term_and_pairing(day, term_start, since, length):
    term_end = term_start + timedelta(days=60 + length)
    for period in (week_of(day), month_of(day)):
        inside = all(term_start <= d <= term_end and d >= since for d in _days(period.start, period.end))
        assert is_required(period, term_start=term_start, term_end=term_end, paired_since=since) == inside
    assert not is_required(Period(day, day), term_start=term_start, term_end=term_end, paired_since=None)


# --- Badges from the database against the calendar ------------------------------------------------------------

AUTUMN = (date(2026, 9, 1), date(2027, 1, 20))  # the `world` school's current term (TermFactory)
SPRING = (date(2027, 2, 22), date(2027, 7, 5))
# Around the boundaries that matter: term start (a Tuesday), a month end, the year end, term end, holidays,
# and the spring term's first weeks.
reference_days = st.one_of(
    st.dates(min_value=date(2026, 8, 25), max_value=date(2026, 10, 10)),
    st.dates(min_value=date(2026, 12, 20), max_value=date(2027, 3, 15)),
)


def _in_term(day: date) -> tuple[date, date] | None:
    return next((t for t in (AUTUMN, SPRING) if t[0] <= day <= t[1]), None)


def _monday_on_or_before(day: date) -> date:
    while day.weekday() != 0:
        day -= timedelta(days=1)
    return day


def _expected_talk_state(*, on: date, since: date, talks: list[date]) -> str:
    term = _in_term(on)
    if term is None:
        return "off"
    monday = _monday_on_or_before(on)
    if any(monday <= t <= on for t in talks):
        return "done"
    previous = [monday - timedelta(days=k) for k in range(1, 8)]
    required = all(term[0] <= d <= term[1] and d >= since for d in previous)
    if required and not any(d in previous for d in talks):
        return "overdue"
    return "due"


def _expected_guardian_state(*, on: date, since: date, contacts: list[date]) -> str:
    term = _in_term(on)
    if term is None:
        return "off"
    if any(t.year == on.year and t.month == on.month and t <= on for t in contacts):
        return "done"
    last_month = on.replace(day=1) - timedelta(days=1)
    previous = [d for d in _days(last_month.replace(day=1), last_month)]
    required = all(term[0] <= d <= term[1] and d >= since for d in previous)
    if required and not any(d in previous for d in contacts):
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
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    on=reference_days,
    since=st.dates(min_value=date(2026, 8, 20), max_value=date(2027, 3, 1)),
    talk_offsets=st.lists(st.integers(min_value=-40, max_value=0), max_size=4),
    contact_offsets=st.lists(st.integers(min_value=-70, max_value=0), max_size=3),
)
def test_badges_agree_with_the_calendar_across_boundaries(
    world, paired_child_factory, on, since, talk_offsets, contact_offsets
):
    from mentoring.selectors import child_statuses
    from tests.factories import GuardianContactFactory, TalkFactory

    assume(since <= on)
    talks = sorted({on + timedelta(days=k) for k in talk_offsets if on + timedelta(days=k) >= since})
    contacts = sorted({on + timedelta(days=k) for k in contact_offsets if on + timedelta(days=k) >= since})
    with transaction.atomic():
        child = paired_child_factory(since)
        for i, day in enumerate(talks):
            TalkFactory(child=child, author=world.mentor, date=day, text=f"谈心 {i}")
        for i, day in enumerate(contacts):
            GuardianContactFactory(child=child, author=world.mentor, date=day, text=f"沟通 {i}")
        (status,) = child_statuses(type(child).objects.filter(pk=child.pk), school=world.school, on=on)
        transaction.set_rollback(True)
    event(f"talk {status.talk.state}")
    event(f"guardian {status.guardian.state}")
    assert status.talk.state == _expected_talk_state(on=on, since=since, talks=talks), (on, since, talks)
    assert status.guardian.state == _expected_guardian_state(on=on, since=since, contacts=contacts), (
        on,
        since,
        contacts,
    )


# --- 身份证号 as spreadsheets mangle them ---------------------------------------------------------------------

valid_ids = st.builds(
    make_id_number,
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),  # region codes start with 1–8 (11 北京 … 82 澳门)
    st.dates(min_value=date(1950, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=499),
    st.sampled_from(["M", "F"]),
)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(valid_ids, st.integers(min_value=0, max_value=15))
def test_swapping_two_neighbouring_digits_is_always_caught(number, position):
    a, b = number[position], number[position + 1]
    assume(a != b)
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(ValidationError):
        parse_id_number(swapped)


def _as_excel_number(number: str) -> int:
    # Excel keeps 15 significant digits: the last three of an 18-digit number become 000.
    return int(number[:15] + "000")


def _assert_precision_lost(value) -> None:
    with pytest.raises(ValidationError) as info:
        parse_id_number(value)
    assert info.value.code == "excel_precision_lost"
    assert "文本" in info.value.messages[0]


@settings(deadline=None)  # timing varies on a busy CI machine
@given(valid_ids, st.sampled_from(["float", "scientific text", "decimal text"]))
def test_a_number_typed_into_a_numeric_cell_is_refused_not_guessed(number, how):
    assume(number[-1] != "X")
    rounded = _as_excel_number(number)
    value = {"float": float(rounded), "scientific text": f"{rounded:.14E}", "decimal text": f"{rounded}.0"}[how]
    _assert_precision_lost(value)


@settings(deadline=None)  # timing varies on a busy CI machine
@given(valid_ids)
def test_an_integer_cell_rounded_by_excel_is_refused_even_when_its_checksum_happens_to_match(number):
    assume(number[-1] != "X")
    _assert_precision_lost(_as_excel_number(number))
