"""The term's talks and visits for the Excel export and the term report."""

from collections import defaultdict
from datetime import date

from django.db.models import (
    Count,
    QuerySet,
)

from caretrack.models import School
from mentoring.models import (
    HomeVisit,
    Talk,
)

# --- For the Excel export and the term report ------------------------------------------------------


def talks_in_term(*, school: School, start: date, end: date) -> QuerySet:
    return (
        Talk.objects.filter(child__school=school, date__gte=start, date__lte=end)
        .select_related("child__school_class", "author", "external_mentor", "concern")
        .order_by("date", "pk")
    )


def visits_in_term(*, school: School, start: date, end: date) -> QuerySet:
    return (
        HomeVisit.objects.filter(child__school=school, date__gte=start, date__lte=end)
        .select_related("child__school_class", "author", "external_mentor", "concern")
        .order_by("date", "pk")
    )


def talk_counts_by_child(*, school: School, start: date, end: date) -> dict[int, tuple[int, int]]:
    """{child id: (talks, home visits)} in [start, end] for the school's children (two queries)."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for index, model in enumerate((Talk, HomeVisit)):
        for row in (
            model.objects.filter(child__school=school, date__gte=start, date__lte=end)
            .order_by()
            .values("child_id")
            .annotate(n=Count("pk"))
        ):
            counts[row["child_id"]][index] = row["n"]
    return {pk: (talks, visits) for pk, (talks, visits) in counts.items()}
