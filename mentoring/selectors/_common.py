"""Helpers shared by the mentoring selectors: the term on a day, counting logs in a period, week indexes."""

from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from caretrack.models import School, Term
from mentoring.periods import Period

# --- Helpers --------------------------------------------------------------------------------------


def term_on(school: School, on: date) -> Term | None:
    """The school's term running on a day; None in the holidays."""
    return Term.objects.filter(school=school).containing(on).first()


def _count(model, **filters):
    """Correlated COUNT of a child's rows, 0 when none: one subquery per figure, no join fan-out."""
    rows = (
        model.objects.filter(child=OuterRef("pk"), **filters)
        .order_by()
        .values("child")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _in(period: Period, until: date | None = None) -> dict:
    return {"date__gte": period.start, "date__lte": min(period.end, until) if until else period.end}


def _as_date(value) -> date:
    # Raw cursors return dates as text on SQLite.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _week_index(weeks: list[date]) -> Case:
    """The index of the week (in `weeks`, a list of Mondays) a log's date falls in, as a plain CASE:
    portable, and much faster on SQLite than a date-truncation function called for every row."""
    return Case(
        *[
            When(date__gte=monday, date__lte=monday + timedelta(days=6), then=Value(i))
            for i, monday in enumerate(weeks)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )


def _regroup(inner: QuerySet, keys: list[str]) -> list[tuple]:
    """COUNT(*) of an already grouped queryset's rows, grouped again by some of its columns: e.g. how
    many (child, week) groups reached the weekly quota, per school, in one query."""
    sql, params = inner.query.sql_with_params()
    cols = ", ".join(connection.ops.quote_name(k) for k in keys)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols}, COUNT(*) FROM ({sql}) grouped GROUP BY {cols}", params)
        return cursor.fetchall()
