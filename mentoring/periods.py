"""Calendar arithmetic for the cadence: weeks (Monday to Sunday), calendar months and the parts of a
term a per-term rule is paced over, and the rule that decides whether a past period was required.

A period counts as required for a child when the child was paired and the term was running for the
whole of it: the first, partial week of a term (school starts on a Tuesday) and a child paired on a
Thursday do not make anyone overdue. The same rule is used for one child's badges and for a whole
county's compliance figures, so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous_week(self) -> Period:
        return week_of(self.start - timedelta(days=1))

    def previous_month(self) -> Period:
        return month_of(self.start - timedelta(days=1))


def week_of(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period(monday, monday + timedelta(days=6))


def month_of(day: date) -> Period:
    first = day.replace(day=1)
    next_first = (first + timedelta(days=32)).replace(day=1)
    return Period(first, next_first - timedelta(days=1))


def is_required(period: Period, *, term_start: date, term_end: date, paired_since: date | None) -> bool:
    """A whole period inside both the term and the pairing."""
    if paired_since is None:
        return False
    return period.start >= max(term_start, paired_since) and period.end <= term_end


def mondays(start: date, end: date) -> list[date]:
    """The Monday of every week that overlaps [start, end]."""
    if end < start:
        return []
    first = week_of(start).start
    return [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]


def required_weeks(*, start: date, reference: date, term_end: date, paired_since: date) -> int:
    """Whole weeks inside the term and the pairing that have ended by the reference day (the current,
    unfinished week is not counted: a Monday morning is not a failure)."""
    begin = max(start, paired_since)
    first_monday = begin + timedelta(days=(7 - begin.weekday()) % 7)
    last_monday = min(reference, term_end) - timedelta(days=6)
    if last_monday < first_monday:
        return 0
    return (last_monday - first_monday).days // 7 + 1


def visit_windows(term_start: date, term_end: date, count: int) -> list[Period]:
    """The term cut into `count` equal windows: one window for 'once a term', three for 期初/期中/期末."""
    days = (term_end - term_start).days + 1
    windows = []
    for i in range(count):
        start = term_start + timedelta(days=days * i // count)
        end = term_start + timedelta(days=days * (i + 1) // count - 1)
        windows.append(Period(start, end))
    return windows


# --- Any rule's periods ("week", "month"; a per-term rule is paced over term_parts) --------------------


def period_of(per: str, day: date) -> Period:
    """The week or the calendar month around a day."""
    if per == "week":
        return week_of(day)
    if per == "month":
        return month_of(day)
    raise ValueError(f"no calendar period for {per!r}")


def previous_period(per: str, period: Period) -> Period:
    return period_of(per, period.start - timedelta(days=1))


def periods_between(per: str, start: date, end: date) -> list[Period]:
    """Every week or month that overlaps [start, end], in order."""
    found: list[Period] = []
    day = start
    while day <= end:
        period = period_of(per, day)
        found.append(period)
        day = period.end + timedelta(days=1)
    return found


def whole_periods(per: str, start: date, end: date) -> list[Period]:
    """The weeks or months lying wholly inside [start, end]."""
    return [p for p in periods_between(per, start, end) if p.start >= start and p.end <= end]


def required_periods(*, per: str, start: date, reference: date, term_end: date, paired_since: date) -> int:
    """Whole weeks or months inside the term and the pairing that have ended by the reference day (the
    current, unfinished one is not counted: the first of the month is not a failure)."""
    if per == "week":
        return required_weeks(start=start, reference=reference, term_end=term_end, paired_since=paired_since)
    return len(whole_periods(per, max(start, paired_since), min(reference, term_end)))


def term_parts(term_start: date, term_end: date, times: int) -> list[Period]:
    """The parts a per-term rule of `times` is paced over: one for 每学期1次, 期初/期中/期末 for 3."""
    return visit_windows(term_start, term_end, times)


def parts_due(parts: list[Period], *, on: date, term_start: date, paired_since: date | None) -> tuple[int, int]:
    """(parts begun by `on`, parts ended before `on` that were required: wholly inside the pairing)."""
    begun = sum(1 for p in parts if p.start <= on)
    ended = sum(
        1 for p in parts if p.end < on and paired_since is not None and p.start >= max(term_start, paired_since)
    )
    return begun, ended
