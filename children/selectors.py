"""Queries that read the archive. Figures for a term read LeftBehindPeriod, so a child whose parent came
home after the term keeps counting for that term."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, JSONObject
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Grade, SchoolClass, Term
from children.carers import Carer, carers_of, child_actions
from children.completeness import REQUIREMENTS, annotate_completeness
from children.models import (
    ALERT_GUARDIANSHIP_LEVELS,
    LEFT_BEHIND_AGE_LIMIT,
    Child,
    FamilyAssessment,
    Grandparent,
    Guardian,
    GuardianshipLevel,
    LeftBehindType,
    Parent,
    PromotionRun,
    in_care_on_q,
    unsupported_q,
    years_before,
)


def left_behind_between(queryset: QuerySet, start: date, end: date) -> QuerySet:
    """Children who were left-behind at any time between start and end (inclusive)."""
    return queryset.left_behind_between(start, end)


def term_window(term: Term | None, on: date | None = None) -> tuple[date, date, date]:
    """(start, end, reference day) for a term's figures; the reference day is today within the current term
    and the term's last day for a past one. Without a term, the window is the single day `on`."""
    today = on or timezone.localdate()
    if term is None:
        return today, today, today
    reference = min(max(today, term.start_date), term.end_date)
    return term.start_date, term.end_date, reference


def _under_age_on(day: date) -> Q:
    return Q(birth_date__gt=years_before(day, LEFT_BEHIND_AGE_LIMIT))


def left_behind_on(queryset: QuerySet, day: date, kind: str | None = None) -> QuerySet:
    """Children left-behind on `day` (of `kind`, if given), as the list and its badges show them: the stored
    留守类型 (reclassify_child keeps it equal to the open 留守 period's type) while the child is under 16 on
    `day`. A 16th birthday counts from that very day, read from the birth date, before the nightly
    `close_age_limit_periods` has closed the period and stored 非留守."""
    children = queryset.filter(_under_age_on(day))
    if kind:
        return children.filter(left_behind_type=kind)
    return children.exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)


def annotate_type_on(queryset: QuerySet, day: date) -> QuerySet:
    """`type_on` and `type_on_label`: the 留守类型 on `day` by the rule of left_behind_on, for the badges."""
    none = LeftBehindType.NOT_LEFT_BEHIND
    return queryset.annotate(
        type_on=Case(
            When(_under_age_on(day), then=F("left_behind_type")), default=Value(none.value), output_field=CharField()
        )
    ).annotate(
        type_on_label=Case(
            *[When(type_on=value, then=Value(label)) for value, label in LeftBehindType.choices],
            default=Value(none.label),
            output_field=CharField(),
        )
    )


def annotate_care_on(queryset: QuerySet, day: date) -> QuerySet:
    """`unsupported_now` (事实无人抚养 on `day`) and `in_care_now` (留守, 困境 or 事实无人抚养 on `day`), for the
    badges and for whether a completeness badge applies, in the list's own query."""
    return queryset.annotate(
        unsupported_now=ExpressionWrapper(unsupported_q(day, day), output_field=BooleanField()),
        in_care_now=ExpressionWrapper(in_care_on_q(day), output_field=BooleanField()),
    )


def is_unsupported_on(child: Child, day: date) -> bool:
    return Child.objects.filter(pk=child.pk).unsupported_on(day).exists()


def unguarded_q() -> Q:
    """无人监护 by the family assessment: urgent, shown first where the coordinator looks."""
    return Q(assessment__guardianship_level=GuardianshipLevel.NONE)


def alert_guardianship_q() -> Q:
    return Q(assessment__guardianship_level__in=ALERT_GUARDIANSHIP_LEVELS)


def child_list(queryset: QuerySet, *, on: date | None = None) -> QuerySet:
    """The list page's rows: class, alert flag, 留守类型, 事实无人抚养 and care flags on the day and completeness
    flags in the same query, the current 困境 categories in one more."""
    on = on or timezone.localdate()
    rows = annotate_care_on(annotate_type_on(queryset.select_related("school_class", "assessment"), on), on)
    return annotate_completeness(rows.prefetch_related("hardships"), on=on).order_by(
        "school_class__grade", "school_class__number", "name_initials", "pk"
    )


def search_children(queryset: QuerySet, text: str) -> QuerySet:
    """By name, part of a name, or pinyin initials ("zs" finds 张三)."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(name__contains=text) | Q(name_initials__startswith=text.lower()))


def child_detail(child_pk: int, queryset: QuerySet) -> Child:
    """One child with everything the child page shows, in a fixed number of queries (the carers
    registered by the apps above come with it as child.carers)."""
    today = timezone.localdate()
    child = (
        annotate_completeness(annotate_care_on(annotate_type_on(queryset, today), today), on=today)
        .select_related("school", "school_class__head_teacher__profile", "assessment", "created_by")
        .prefetch_related(
            Prefetch("parents", queryset=Parent.objects.select_related("work_province", "work_city", "work_county")),
            "grandparents",
            Prefetch("guardians", queryset=Guardian.objects.order_by("-since")),
            "hardships",
            "left_behind_periods",
            "unsupported_periods",
        )
        .get(pk=child_pk)
    )
    child.carers = carers_of([child.pk])[child.pk]
    return child


@dataclass
class RateRow:
    label: str
    total: int
    complete: int
    key: object = None

    @property
    def rate(self) -> float:
        return round(100 * self.complete / self.total, 1) if self.total else 0.0


@dataclass
class ArchiveRate:
    """建档率 of one school (or several) for a term: overall, by grade and class, and what is missing."""

    total: int
    complete: int
    by_grade: list[RateRow] = field(default_factory=list)
    by_class: list[RateRow] = field(default_factory=list)
    missing: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return round(100 * self.complete / self.total, 1) if self.total else 0.0


def _on_roll_left_behind(schools, start: date, end: date) -> QuerySet:
    return Child.objects.filter(school__in=schools).on_roll_between(start, end).left_behind_between(start, end)


def left_behind_children(*, schools, term: Term | None = None, on: date | None = None) -> QuerySet:
    """Children of these schools on the roll and left-behind during the term (or on the day)."""
    start, end, _ = term_window(term, on)
    return _on_roll_left_behind(schools, start, end)


def archive_rate(*, schools, term: Term | None = None, on: date | None = None, detail: bool = True) -> ArchiveRate:
    """建档率 = 已建档 left-behind children ÷ left-behind children, for a term, added up over `schools`.
    The same computation as archive_rates_by_school (which the dashboard, county overview and PDF use), so
    every page says the same number; without detail only the two totals are kept."""
    start, end, reference = term_window(term, on)
    result = ArchiveRate(total=0, complete=0)
    missing: dict[str, int] = {}
    grades: dict[object, RateRow] = {}
    for rate in archive_rates_by_school(schools=schools, start=start, end=end, on=reference).values():
        result.total += rate.total
        result.complete += rate.complete
        result.by_class.extend(rate.by_class)
        for row in rate.by_grade:
            merged = grades.setdefault(row.key, RateRow(row.label, 0, 0, key=row.key))
            merged.total += row.total
            merged.complete += row.complete
        for label, count in rate.missing:
            missing[label] = missing.get(label, 0) + count
    if detail:
        result.by_grade = sorted(grades.values(), key=lambda row: row.key)
        result.missing = [(r.label, missing[r.label]) for r in REQUIREMENTS if missing.get(r.label)]
    else:
        result.by_class = []
    return result


def chronology(child: Child, *, user, kind: str | None = None):
    """(entries newest first, filtered by kind; the kinds present as (key, label) for the filter chips)."""
    from children.chronology import chronology as build

    entries = build(child, user)
    kinds = list(dict.fromkeys((e.kind, e.kind_label) for e in entries))
    if kind:
        entries = [e for e in entries if e.kind == kind]
    return entries, kinds


@dataclass(frozen=True)
class HistoryLine:
    when: object
    who: str
    what: str
    change: str
    fields: list[str]


_CHANGE_LABELS = {"+": "新建", "~": "修改", "-": "删除"}


# The archive's historical tables (django-simple-history), how a version is named on the page, and the field
# holding the child record each version belongs to.
_HISTORY_SOURCES = [
    (Child, "id", lambda values: "学生信息"),
    (Parent, "child_id", lambda values: _choice_label(Parent, "role", values["role"])),
    (Grandparent, "child_id", lambda values: _choice_label(Grandparent, "role", values["role"])),
    (Guardian, "child_id", lambda values: f"监护人 {values['name']}"),
    (FamilyAssessment, "child_id", lambda values: "监护评估"),
]
_NOT_COMPARED = {"id", "child", "updated_at", "name_initials", "version"}
# PostgreSQL's JSONB_BUILD_OBJECT takes at most 100 arguments (50 fields): larger models nest in chunks.
_JSON_CHUNK = 40


def _choice_label(model, field: str, value) -> str:
    return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


def _compared_fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in _NOT_COMPARED]


def _fields_as_json(fields) -> JSONObject:
    chunks = [fields[i : i + _JSON_CHUNK] for i in range(0, len(fields), _JSON_CHUNK)]
    return JSONObject(
        **{str(n): JSONObject(**{f.attname: F(f.attname) for f in chunk}) for n, chunk in enumerate(chunks)}
    )


def archive_history_of_records(record_ids: list[int], limit: int = 50) -> list[tuple[int, HistoryLine]]:
    """Who changed what in the archives of these child records (child, parents, grandparents, guardians,
    assessment), newest first, each line with its record: one query over the five historical tables (each
    version's compared fields as one JSON column), the changed fields found by comparing consecutive versions
    in Python. Values are compared as read back from JSON, the same way for every version of a field."""
    parts = []
    for index, (model, record_field, _) in enumerate(_HISTORY_SOURCES):
        versions = model.history.filter(**{f"{record_field}__in": record_ids}).order_by()
        parts.append(
            versions.annotate(
                h_source=Value(index),
                h_record=F(record_field),
                h_object=F("id"),
                h_user_first_name=Cast("history_user__first_name", TextField()),
                h_user_last_name=Cast("history_user__last_name", TextField()),
                h_user_username=Cast("history_user__username", TextField()),
                h_values=_fields_as_json(_compared_fields(model)),
            ).values(
                "h_source",
                "h_record",
                "h_object",
                "history_id",
                "history_date",
                "history_type",
                "h_user_first_name",
                "h_user_last_name",
                "h_user_username",
                "h_values",
            )
        )
    rows = list(parts[0].union(*parts[1:], all=True))
    rows.sort(
        key=lambda row: (record_ids.index(row["h_record"]), row["h_source"], row["history_date"], row["history_id"])
    )
    lines: list[tuple[int, HistoryLine]] = []
    previous: dict[tuple[int, int], dict] = {}
    for row in rows:
        model, _, describe = _HISTORY_SOURCES[row["h_source"]]
        values = {key: value for chunk in row["h_values"].values() for key, value in chunk.items()}
        before = previous.get((row["h_source"], row["h_object"]))
        changed = []
        if before is not None:
            changed = [str(f.verbose_name) for f in _compared_fields(model) if before[f.attname] != values[f.attname]]
        previous[row["h_source"], row["h_object"]] = values
        if row["history_type"] == "~" and not changed:
            continue
        if row["h_user_username"] is None:
            who = "系统"
        else:
            who = f"{row['h_user_first_name']} {row['h_user_last_name']}".strip() or row["h_user_username"]
        line = HistoryLine(row["history_date"], who, describe(values), _CHANGE_LABELS[row["history_type"]], changed)
        lines.append((row["h_record"], line))
    lines.sort(key=lambda pair: pair[1].when, reverse=True)
    return lines[:limit]


def archive_history(child: Child, limit: int = 50) -> list[HistoryLine]:
    """Who changed what in the child's archive, newest first (archive_history_of_records, one query)."""
    return [line for _, line in archive_history_of_records([child.pk], limit)]


def child_actions_for(child: Child) -> list[dict]:
    """The registered child-page actions with their URLs for this child."""
    return [
        {"label": a.label, "icon": a.icon, "primary": a.primary, "url": reverse(a.url_name, args=[child.pk])}
        for a in child_actions()
    ]


@dataclass(frozen=True)
class ContactCard:
    child: Child
    parents: list
    guardian: object
    head_teacher: object
    carers: list[Carer]


def contact_cards(queryset: QuerySet) -> list[ContactCard]:
    today = timezone.localdate()
    children = queryset.select_related("school", "school_class__head_teacher__profile").prefetch_related(
        Prefetch("parents", queryset=Parent.objects.select_related("work_province", "work_city", "work_county")),
        Prefetch("guardians", queryset=Guardian.objects.filter(until__isnull=True), to_attr="current_guardians"),
    )
    children = list(children.order_by("school_class__grade", "school_class__number", "name_initials"))
    carers = carers_of([c.pk for c in children], on=today)
    return [
        ContactCard(
            child=c,
            parents=list(c.parents.all()),
            guardian=c.current_guardians[0] if c.current_guardians else None,
            head_teacher=c.school_class.head_teacher,
            carers=carers[c.pk],
        )
        for c in children
    ]


def grades_moved_since(schools, day: date) -> dict[int, int]:
    """How many grades each class has moved up by 升年级 runs (not undone) since `day`: a term's figures,
    read later, name each class with the grade it had when the term began."""
    moved: dict[int, int] = {}
    runs = PromotionRun.objects.filter(school__in=schools, run_on__gt=day, undone_at__isnull=True)
    for changes in runs.values_list("changes", flat=True):
        for move in changes.get("moved_classes", []):
            moved[move["class"]] = moved.get(move["class"], 0) + 1
    return moved


def archive_rates_by_school(
    *, schools, start: date, end: date, on: date, classes: list[int] | None = None
) -> dict[int, ArchiveRate]:
    """建档率 of each school for the window [start, end], judged on the day `on`, with the detail by grade,
    class and missing item. Two queries whatever the number of schools: a row of completeness flags per
    left-behind child, added up here, so each condition is evaluated once per child, and the 升年级 runs
    since, so that classes are named with the grade they had then. The same children and the same
    completeness rule as archive_rate(), so the figures agree. With `classes` (ids), only the children of
    those classes are read (a class teacher's home): their classes' rows are the same, the totals theirs."""

    children = annotate_completeness(_on_roll_left_behind(schools, start, end), on=on)
    if classes is not None:
        children = children.filter(school_class__in=classes)
    moved_since = grades_moved_since(schools, start)
    flag_names = [f"has_{r.key}" for r in REQUIREMENTS]
    rows = children.order_by().values_list(
        "school_id", "school_class__grade", "school_class__number", "school_class_id", *flag_names
    )
    classes: dict[tuple, list[int]] = {}
    missing: dict[int, list[int]] = {}
    for school_id, grade, number, class_id, *flags in rows:
        grade -= moved_since.get(class_id, 0)
        counts = classes.setdefault((school_id, grade, number, class_id), [0, 0])
        counts[0] += 1
        counts[1] += all(flags)
        school_missing = missing.setdefault(school_id, [0] * len(REQUIREMENTS))
        for i, flag in enumerate(flags):
            school_missing[i] += not flag
    result: dict[int, ArchiveRate] = {}
    grades: dict[tuple[int, int], RateRow] = {}
    for (school_id, grade, number, class_id), (total, complete) in sorted(classes.items()):
        rate = result.setdefault(school_id, ArchiveRate(total=0, complete=0))
        rate.total += total
        rate.complete += complete
        grade_label = Grade(grade).label
        rate.by_class.append(RateRow(SchoolClass.label(grade, number), total, complete, key=class_id))
        if (school_id, grade) not in grades:
            grades[(school_id, grade)] = RateRow(grade_label, 0, 0, key=grade)
            rate.by_grade.append(grades[(school_id, grade)])
        grades[(school_id, grade)].total += total
        grades[(school_id, grade)].complete += complete
    for school_id, rate in result.items():
        rate.missing = [(r.label, n) for r, n in zip(REQUIREMENTS, missing[school_id], strict=True) if n]
    return result


# --- 升年级 ----------------------------------------------------------------------------------------


def get_promotion_run(*, school, pk) -> PromotionRun:
    """A 升年级 run of this school; 404 for another school's or one that does not exist."""
    try:
        return PromotionRun.objects.select_related("performed_by").get(pk=pk, school=school)
    except (PromotionRun.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到该升年级记录。") from None


def recent_promotions(school, limit: int = 5) -> list[PromotionRun]:
    return list(PromotionRun.objects.filter(school=school).select_related("performed_by")[:limit])


@dataclass(frozen=True)
class PromotionSummary:
    """What a run changed, as the result page lists it."""

    moved: list[tuple[str, str]]  # (class before, class after)
    graduated_classes: list[str]
    graduated_children: list[Child]


def promotion_summary(run: PromotionRun) -> PromotionSummary:
    """One query whatever the size of the school (the graduated children)."""
    changes = run.changes
    moved = [
        (SchoolClass.label(m["from"], m["number"]), SchoolClass.label(m["to"], m["number"]))
        for m in changes.get("moved_classes", [])
    ]
    graduated = [SchoolClass.label(g["grade"], g["number"]) for g in changes.get("graduated_classes", [])]
    children = list(
        Child.objects.filter(pk__in=[c["child"] for c in changes.get("graduated_children", [])])
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )
    return PromotionSummary(moved=moved, graduated_classes=graduated, graduated_children=children)
