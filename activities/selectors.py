"""Queries that read activities, the care room, aid, health checks and exams. The term figures used by
the dashboard, the county overview and the term report come from activity_figures()."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from activities.models import (
    CARE_ROOM_USE_FIELDS,
    Activity,
    ActivityKind,
    ActivityParticipant,
    ActivityPhoto,
    Aid,
    AidKind,
    CareRoomOpening,
    CareRoomUse,
    Exam,
    ExamResult,
    HealthCheck,
)
from caretrack.models import SchoolClass
from children.selectors import search_children

# The columns of the one-page class tables (read here, written by activities.services).
HEALTH_ROW_FIELDS = ["height_cm", "weight_kg", "vision_left", "vision_right", "findings", "follow_up"]
RESULT_ROW_FIELDS = ["total_score", "class_rank", "note"]

# --- Lists ----------------------------------------------------------------------------------------


def class_table_children(school_class) -> list:
    """The rows of a one-page class table: the class's enrolled children, by name."""
    return list(school_class.children.enrolled().order_by("name_initials", "pk"))


def activity_rows(queryset: QuerySet) -> QuerySet:
    """The activity list's rows: class, organiser, participant and photo counts in one query."""
    participants = (
        ActivityParticipant.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    photos = (
        ActivityPhoto.objects.filter(activity=OuterRef("pk")).order_by().values("activity").annotate(n=Count("pk"))
    ).values("n")
    return (
        queryset.select_related("school_class", "organiser")
        .annotate(
            participant_count=Coalesce(Subquery(participants, output_field=IntegerField()), 0),
            photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0),
        )
        .order_by("-date", "-pk")
    )


def activities_touching_class(queryset: QuerySet, school_class) -> QuerySet:
    """Activities of a class: held by the class, or with at least one of its children taking part."""
    took_part = ActivityParticipant.objects.filter(activity=OuterRef("pk"), child__school_class=school_class)
    return queryset.filter(Q(school_class=school_class) | Exists(took_part))


def activity_detail_participants(activity: Activity, visible_children: QuerySet) -> tuple[list, int]:
    """(children the user may see, number of other participants): a class teacher sees the names of
    their own pupils and a count of the rest."""
    all_ids = list(activity.participations.values_list("child_id", flat=True))
    shown = list(
        visible_children.filter(pk__in=all_ids)
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__number", "name_initials")
    )
    return shown, len(all_ids) - len(shown)


def record_rows(queryset: QuerySet) -> QuerySet:
    """Aid, health-check or exam-result rows with the child and class in the same query."""
    return queryset.select_related("child__school_class")


def care_room_totals(queryset: QuerySet) -> dict:
    totals = queryset.aggregate(openings=Count("pk"), **{name: Sum(name) for name in CARE_ROOM_USE_FIELDS})
    by_use = [(use.label, totals[use.value] or 0) for use in CareRoomUse]
    return {"openings": totals["openings"], "visits": sum(n for _, n in by_use), "by_use": by_use}


def aid_totals(queryset: QuerySet) -> dict:
    totals = queryset.aggregate(total=Sum("amount"), children=Count("child", distinct=True), records=Count("pk"))
    return {
        "total": totals["total"] or Decimal("0"),
        "children": totals["children"],
        "records": totals["records"],
    }


def aid_by_child(queryset: QuerySet) -> QuerySet:
    """Term totals per child (for "按学生汇总"): one row per child with the sum, the count and the class."""
    return (
        queryset.values("child_id", "child__name", "child__school_class__grade", "child__school_class__number")
        .annotate(total=Sum("amount"), records=Count("pk"))
        .order_by("-total", "child__name")
    )


def label_aid_rows(rows) -> list[dict]:
    """Adds the class label (三年级(2)班) to rows of aid_by_child()."""
    return [
        {
            **row,
            "class_label": SchoolClass.label(row["child__school_class__grade"], row["child__school_class__number"]),
        }
        for row in rows
    ]


def health_rows_entered(*, children: list, on: date) -> dict[int, dict]:
    """What the class table already holds for these children on that day, keyed by child id."""
    return {
        row["child_id"]: row
        for row in HealthCheck.objects.filter(child__in=children, date=on).values("child_id", *HEALTH_ROW_FIELDS)
    }


def exam_results_entered(*, exam: Exam, children: list) -> dict[int, dict]:
    """What the results table already holds for these children, keyed by child id."""
    return {
        row["child_id"]: row
        for row in ExamResult.objects.filter(exam=exam, child__in=children).values("child_id", *RESULT_ROW_FIELDS)
    }


def exam_rows(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("term").annotate(result_count=Count("results")).order_by("-date", "-pk")


# --- Improvement between two exams ----------------------------------------------------------------


def _share(result: ExamResult | dict, full_score: Decimal) -> Decimal | None:
    score = result["total_score"] if isinstance(result, dict) else result.total_score
    return None if score is None else Decimal(score) / Decimal(full_score)


def compare_results(before: dict, after: dict, full_before: Decimal, full_after: Decimal) -> bool | None:
    """True if the child improved, False if not, None if the two results cannot be compared. Scores are
    compared as a share of the full score (a 月考 out of 300 against a 期中 out of 300 or 100); without
    both scores, the class rank decides (a smaller rank is better)."""
    a, b = _share(before, full_before), _share(after, full_after)
    if a is not None and b is not None:
        return b > a
    if before["class_rank"] is not None and after["class_rank"] is not None:
        return after["class_rank"] < before["class_rank"]
    return None


@dataclass
class Improvement:
    first: Exam | None
    second: Exam | None
    compared: int = 0
    improved: int = 0
    rows: list = field(default_factory=list)  # (child, before, after, improved) when asked for

    @property
    def share(self) -> float:
        return round(100 * self.improved / self.compared, 1) if self.compared else 0.0


def improvement_between(*, first: Exam, second: Exam, children: QuerySet, with_rows: bool = False) -> Improvement:
    """How many of these children improved from the first exam to the second (two queries)."""
    result = Improvement(first=first, second=second)
    rows = ExamResult.objects.filter(exam__in=[first, second], child__in=children).values(
        "exam_id", "child_id", "total_score", "class_rank"
    )
    by_child: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        by_child[row["child_id"]][row["exam_id"]] = row
    verdicts = {}
    for child_id, results in by_child.items():
        if first.pk in results and second.pk in results:
            verdict = compare_results(results[first.pk], results[second.pk], first.full_score, second.full_score)
            if verdict is not None:
                verdicts[child_id] = (results[first.pk], results[second.pk], verdict)
    result.compared = len(verdicts)
    result.improved = sum(1 for _, _, v in verdicts.values() if v)
    if with_rows and verdicts:
        kids = (
            children.filter(pk__in=list(verdicts))
            .select_related("school_class")
            .order_by("school_class__grade", "school_class__number", "name_initials")
        )
        result.rows = [(kid, *verdicts[kid.pk]) for kid in kids]
    return result


# --- Term figures for reports (contract with the reports app) -------------------------------------


@dataclass
class ActivityFigures:
    activities: int = 0
    activities_by_type: list[tuple[str, int]] = field(default_factory=list)
    activity_list: list[tuple[date, str, str]] = field(default_factory=list)  # oldest first, newest last
    participants: int = 0  # child participations
    care_room_openings: int = 0
    care_room_visits: int = 0  # 接待人次
    care_room_by_use: list[tuple[str, int]] = field(default_factory=list)
    aid_total_yuan: Decimal = Decimal("0")
    aid_children: int = 0
    aid_by_kind: list[tuple[str, Decimal]] = field(default_factory=list)
    health_checked: int = 0  # children
    children_improved: int = 0
    children_compared: int = 0  # children with comparable results in the term's first and last exam
    improved_share: float = 0.0  # percent


def activity_figures(*, schools, start: date, end: date) -> dict[int, ActivityFigures]:
    """The term figures of each school between start and end (inclusive), keyed by school id. Nine
    queries whatever the number of schools (eight when given a list of School objects). Every school asked
    for gets an entry (zeros when empty). "Improved" compares each school's first and last exam in the
    window (see compare_results)."""
    school_ids = (
        list(schools.values_list("pk", flat=True))
        if isinstance(schools, QuerySet)
        else [getattr(s, "pk", s) for s in schools]
    )  # query 1 (when given a queryset)
    figures = {pk: ActivityFigures() for pk in school_ids}
    labels = dict(ActivityKind.choices)

    # 2: the activities themselves (list for the PDF, counts by type in Python)
    by_type: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for school_id, day, title, kind in (
        Activity.objects.filter(school_id__in=school_ids, date__range=(start, end))
        .order_by("date", "pk")
        .values_list("school_id", "date", "title", "kind")
    ):
        fig = figures[school_id]
        fig.activities += 1
        fig.activity_list.append((day, title, labels.get(kind, kind)))
        by_type[school_id][kind] += 1
    for school_id, counts in by_type.items():
        figures[school_id].activities_by_type = [(label, counts[k]) for k, label in ActivityKind.choices if counts[k]]

    # 3: participations
    for row in (
        ActivityParticipant.objects.filter(activity__school_id__in=school_ids, activity__date__range=(start, end))
        .values("activity__school_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures[row["activity__school_id"]].participants = row["n"]

    # 4: care room
    for row in (
        CareRoomOpening.objects.filter(school_id__in=school_ids, date__range=(start, end))
        .values("school_id")
        .annotate(openings=Count("pk"), **{name: Sum(name) for name in CARE_ROOM_USE_FIELDS})
        .order_by()
    ):
        fig = figures[row["school_id"]]
        fig.care_room_openings = row["openings"]
        fig.care_room_by_use = [(use.label, row[use.value] or 0) for use in CareRoomUse]
        fig.care_room_visits = sum(n for _, n in fig.care_room_by_use)

    # 5 and 6: aid by kind, and distinct children per school
    aid = Aid.objects.filter(child__school_id__in=school_ids, date__range=(start, end))
    kinds: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in aid.values("child__school_id", "kind").annotate(total=Sum("amount")).order_by():
        kinds[row["child__school_id"]][row["kind"]] = row["total"] or Decimal("0")
    for school_id, totals in kinds.items():
        fig = figures[school_id]
        fig.aid_by_kind = [(label, totals[k]) for k, label in AidKind.choices if k in totals]
        fig.aid_total_yuan = sum(totals.values(), Decimal("0"))
    for row in aid.values("child__school_id").annotate(n=Count("child", distinct=True)).order_by():
        figures[row["child__school_id"]].aid_children = row["n"]

    # 7: children with a health check
    for row in (
        HealthCheck.objects.filter(child__school_id__in=school_ids, date__range=(start, end))
        .values("child__school_id")
        .annotate(n=Count("child", distinct=True))
        .order_by()
    ):
        figures[row["child__school_id"]].health_checked = row["n"]

    # 8 and 9: each school's first and last exam of the window, then their results
    exams: dict[int, list] = defaultdict(list)
    for exam in Exam.objects.filter(school_id__in=school_ids, date__range=(start, end)).order_by("date", "pk"):
        exams[exam.school_id].append(exam)
    pairs = {sid: (found[0], found[-1]) for sid, found in exams.items() if len(found) >= 2}
    if pairs:
        wanted = [e.pk for pair in pairs.values() for e in pair]
        results: dict[int, dict[int, dict]] = defaultdict(dict)
        for row in ExamResult.objects.filter(exam_id__in=wanted).values(
            "exam_id", "child_id", "total_score", "class_rank"
        ):
            results[row["exam_id"]][row["child_id"]] = row
        for school_id, (first, last) in pairs.items():
            fig = figures[school_id]
            before, after = results[first.pk], results[last.pk]
            for child_id in before.keys() & after.keys():
                verdict = compare_results(before[child_id], after[child_id], first.full_score, last.full_score)
                if verdict is None:
                    continue
                fig.children_compared += 1
                fig.children_improved += verdict
            if fig.children_compared:
                fig.improved_share = round(100 * fig.children_improved / fig.children_compared, 1)
    return figures


def photos_for_report(*, school, start: date, end: date) -> list[ActivityPhoto]:
    """The school's activity photos of the term, oldest activity first; photo.label is the caption (or
    the activity's title) and photo.image.path the JPEG on disk."""
    return list(
        ActivityPhoto.objects.filter(activity__school=school, activity__date__range=(start, end))
        .select_related("activity")
        .order_by("activity__date", "activity_id", "pk")
    )


# --- The activity form's participant picker --------------------------------------------------------


def participant_search(candidates: QuerySet, text: str, limit: int = 20) -> list:
    """Up to `limit` of the candidates whose name or pinyin initials match `text` (the archive's own search
    rule), in class and name order; none for an empty search, so the school's list is never sent at once."""
    if not text.strip():
        return []
    return list(
        search_children(candidates, text).order_by(
            "school_class__grade", "school_class__number", "name_initials", "pk"
        )[:limit]
    )
