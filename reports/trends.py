"""历年趋势: the headline figures of a school (or of the county's schools) term by term, oldest first, each with
its change against the term before. Every term's figures come from reports.selectors.county_rows, the
county page's own call (term_figures for each term calendar, kept in the shared cache), so a trend never
disagrees with the page of that term. The queries grow with the number of terms (and of distinct term
calendars among the schools), never with the number of schools or children.

A change is given only where the data supports it: no previous term, or a previous term whose figure rests on
nothing (a rate of no children, a count of no records), gives no change, so nobody is praised for rising
from an empty term."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from caretrack.figure_versions import stored_versions
from caretrack.models import School, Term
from mentoring.models import FamilyContact
from reports.figures_store import CACHE_SECONDS, schema_of
from reports.presentation import Tile
from reports.selectors import CountyRow, SchoolFigures, TermKey, county_rows, county_totals, reference_day

# The most terms a trend shows: four school years.
MAX_TERMS = 8


@dataclass(frozen=True)
class TrendFigure:
    key: str  # the dashboard tile's key where there is one
    label: str
    unit: str  # "%" for a rate (its change is in 个百分点), else 人 / 次

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"


FIGURES = [
    TrendFigure("left_behind", "留守儿童", "人"),
    TrendFigure("archive_rate", "建档率", "%"),
    TrendFigure("pairing_coverage", "结对覆盖率", "%"),
    TrendFigure("talk_compliance_term", "谈心达标率", "%"),
    TrendFigure("visit_coverage_term", "家访覆盖率", "%"),
    TrendFigure("talks_term", "谈心", "次"),
    TrendFigure("visits_term", "家访", "次"),
    TrendFigure("family_contacts_term", "亲情联系", "次"),
    TrendFigure("activities", "关爱活动", "次"),
]
FIGURES_BY_KEY = {f.key: f for f in FIGURES}
RATE_KEYS = [f.key for f in FIGURES if f.is_rate]
COUNT_KEYS = [f.key for f in FIGURES if not f.is_rate]


def short_label(key: TermKey) -> str:
    """2025秋 / 2026春: short enough for a phone's axis (the first 学期 starts in the autumn)."""
    return f"{key.start_year}秋" if key.semester == 1 else f"{key.start_year + 1}春"


@dataclass(frozen=True)
class Change:
    figure: TrendFigure
    delta: float

    @property
    def text(self) -> str:
        """与上学期相比 +3.2 个百分点 / +12 次 / 持平."""
        if not self.delta:
            return "与上学期持平"
        sign = "+" if self.delta > 0 else "-"
        amount = f"{abs(self.delta):.1f} 个百分点" if self.figure.is_rate else f"{abs(self.delta):g} {self.figure.unit}"
        return f"与上学期相比 {sign}{amount}"


@dataclass
class TermPoint:
    """One term of a trend: each figure's value and what it rests on (a rate's denominator, a count itself)."""

    key: TermKey
    values: dict[str, float | int] = field(default_factory=dict)
    bases: dict[str, int] = field(default_factory=dict)
    schools: int = 0  # the schools with this term (a county trend)
    changes: dict[str, Change | None] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return short_label(self.key)


@dataclass
class Trend:
    points: list[TermPoint]  # oldest first

    @property
    def latest(self) -> TermPoint | None:
        return self.points[-1] if self.points else None

    @property
    def has_history(self) -> bool:
        return len(self.points) > 1

    def change(self, key: str) -> Change | None:
        return self.latest.changes.get(key) if self.latest else None


def _change(figure: TrendFigure, before: TermPoint | None, after: TermPoint) -> Change | None:
    if before is None or not before.bases.get(figure.key) or not after.bases.get(figure.key):
        return None
    delta = after.values[figure.key] - before.values[figure.key]
    return Change(figure, round(delta, 1) if figure.is_rate else delta)


def _with_changes(points: list[TermPoint]) -> Trend:
    previous = None
    for point in points:
        point.changes = {f.key: _change(f, previous, point) for f in FIGURES}
        previous = point
    return Trend(points)


def _family_contacts(rows: list[CountyRow], today: date | None) -> dict[int, int]:
    """亲情联系 of each school's term up to its reference day, as school_term_figures counts them: one query per
    term calendar."""
    windows: dict[tuple[date, date], list[int]] = defaultdict(list)
    for row in rows:
        if row.term is not None and row.figures is not None:
            windows[(row.term.start_date, row.term.end_date)].append(row.school.pk)
    counts: dict[int, int] = {}
    for (start, end), ids in windows.items():
        on = reference_day(start, end, today)
        for r in (
            FamilyContact.objects.filter(child__school_id__in=ids, date__gte=start, date__lte=on)
            .order_by()
            .values("child__school_id")
            .annotate(n=Count("pk"))
        ):
            counts[r["child__school_id"]] = r["n"]
    return counts


def school_values(row: CountyRow, family_contacts: int) -> dict[str, float | int]:
    """One school's headline figures for one term (its county row), as the dashboard shows them."""
    f, m, a = row.figures, row.figures.mentoring, row.figures.activities
    return {
        "left_behind": f.left_behind,
        "archive_rate": f.archive.rate,
        "pairing_coverage": m.pairing_coverage if m else 0.0,
        "talk_compliance_term": m.talk_compliance_term if m else 0.0,
        "visit_coverage_term": m.visit_coverage_term if m else 0.0,
        "talks_term": m.talks_term if m else 0,
        "visits_term": m.visits_term if m else 0,
        "family_contacts_term": family_contacts,
        "activities": a.activities if a else 0,
    }


def _point(
    key: TermKey, rows: list[CountyRow], today: date | None, contacts: dict[int, int] | None = None
) -> tuple[TermPoint | None, dict]:
    """The figures of the schools' term `key` added up (rates from the summed counts, as the county totals),
    and each school's own."""
    rows = [r for r in rows if r.figures is not None]
    if not rows:
        return None, {}
    totals = county_totals(rows)
    contacts = _family_contacts(rows, today) if contacts is None else contacts
    by_school = {r.school.pk: school_values(r, contacts.get(r.school.pk, 0)) for r in rows}
    sums = {k: sum(v[k] for v in by_school.values()) for k in COUNT_KEYS}
    values = {
        **sums,
        "archive_rate": totals.archive_rate,
        "pairing_coverage": totals.pairing_coverage or 0.0,
        "talk_compliance_term": totals.talk_compliance_term or 0.0,
        "visit_coverage_term": totals.visit_coverage_term or 0.0,
    }
    bases = {
        **sums,
        "archive_rate": totals.archive_total,
        "pairing_coverage": totals.mentoring_base,
        "talk_compliance_term": totals.paired or 0,
        "visit_coverage_term": totals.paired or 0,
    }
    return TermPoint(key=key, values=values, bases=bases, schools=len(rows)), by_school


def _keys_up_to(schools, until: TermKey | None, limit: int) -> list[TermKey]:
    rows = Term.objects.filter(school__in=schools).values_list("start_year", "semester").distinct()
    keys = sorted({TermKey(y, s) for y, s in rows}, key=lambda k: (k.start_year, k.semester))
    if until is not None:
        keys = [k for k in keys if (k.start_year, k.semester) <= (until.start_year, until.semester)]
    return keys[-limit:]


def county_trend(
    *, schools, until: TermKey | None = None, today: date | None = None, limit: int = MAX_TERMS
) -> tuple[Trend, dict[int, dict[TermKey, dict[str, float | int]]]]:
    """The schools' headline figures summed term by term (up to `until`, at most `limit` terms, oldest first)
    and each school's figures for each term it has (the school × term table)."""
    schools = list(schools)
    points, by_school = [], defaultdict(dict)
    for key in _keys_up_to(schools, until, limit):
        point, values = _point(key, county_rows(schools=schools, key=key, today=today), today)
        if point is not None:
            points.append(point)
        for school_id, school_figures in values.items():
            by_school[school_id][key] = school_figures
    return _with_changes(points), by_school


def school_trend(
    *, school: School, until: Term, current: SchoolFigures | None = None, today: date | None = None
) -> Trend:
    """One school's headline figures term by term, up to the term `until` (the dashboard's or the report's).
    `current`, that term's figures from school_term_figures when the caller has them, is used as they are
    (the same numbers, not computed twice); the earlier terms come from county_rows. Those earlier points are
    kept in the shared cache under the school's stored figures version, which every audited change renews:
    two queries (the version, the cache) once they are kept."""
    last = TermKey(until.start_year, until.semester)
    points = _earlier_points(
        school, last, today, with_last=current is None, version=current.version if current is not None else None
    )
    if current is not None:
        row = CountyRow(school=school, term=until, figures=current)
        point, _ = _point(last, [row], today, contacts={school.pk: current.family_contacts_term})
        if point is not None:
            points.append(point)
    return _with_changes(points)


def _earlier_points(
    school: School, last: TermKey, today: date | None, *, with_last: bool, version: str | None
) -> list[TermPoint]:
    """The school's points for its terms up to `last` (without `last` itself unless `with_last`), as
    county_rows gives them, from the shared cache while the school's version and the day are the same.
    `version`: the one the caller's figures were read under (reports.figures_store), or None to read it."""
    if version is None:
        version = stored_versions([school.pk])[school.pk]
    day = today or timezone.localdate()
    key = f"school-trend:{school.pk}:{version}:{day}:{last.slug}:{with_last}:{schema_of(TermPoint)}"
    points = cache.get(key)
    if points is None:
        points = []
        for term_key in _keys_up_to([school], last, MAX_TERMS):
            if term_key == last and not with_last:
                continue
            point, _ = _point(term_key, county_rows(schools=[school], key=term_key, today=today), today)
            if point is not None:
                points.append(point)
        cache.set(key, points, timeout=CACHE_SECONDS)
    return points


# --- What the pages show ---------------------------------------------------------------------------


def table_rows(trend: Trend) -> list[tuple[TrendFigure, list[tuple[float | int, Change | None]]]]:
    """The trend as a table: one row per figure, one (value, change) cell per term."""
    return [(f, [(p.values[f.key], p.changes.get(f.key)) for p in trend.points]) for f in FIGURES]


def chart_rows(trend: Trend, keys: list[str] | None = None) -> list[list]:
    """Rows for charts.js's "trend" kind: a header [学期, figure labels…], then [term label, values…]."""
    keys = keys or RATE_KEYS
    header = ["学期"] + [FIGURES_BY_KEY[k].label for k in keys]
    return [header] + [[p.label] + [p.values[k] for k in keys] for p in trend.points]


@dataclass
class TrendTile(Tile):
    change: str = ""


def tiles_with_changes(tiles: dict[str, list[Tile]], trend: Trend) -> dict[str, list[Tile]]:
    """The dashboard's tiles, each headline one with 与上学期相比 … when the previous term supports it."""
    result = {}
    for group, items in tiles.items():
        result[group] = []
        for tile in items:
            change = trend.change(tile.key) if tile.key in FIGURES_BY_KEY else None
            values = {f.name: getattr(tile, f.name) for f in fields(tile)}
            result[group].append(TrendTile(**values, change=change.text if change else ""))
    return result
