"""Excel exports of the archive: the 留守儿童台账, the 花名册 (《农村留守儿童基本情况登记表》), the per-school
summary for the bureau. The import template is children/importing/template.py; the sheet plumbing is
children/sheets.py; the term's 谈心记录 / 家访记录 are mentoring's (mentoring/exports.py). Slightly over 400
lines because the 台账 and the 登记表 each declare their column lists (about 40 columns each) here.

Every sheet has a title row with the school and term, prints on A4 landscape with its header on every page,
and writes dates as dates, counts and rates as numbers, ID numbers and phones as text (children/sheets.py,
caretrack/xlsx.py). The 台账 and the 登记表 carry a second sheet, the 统计表: the exported children counted by
grade, sex, age band, 留守类型 and 监护类型, without names. ID numbers and phones are masked
unless the caller passes full_identifiers=True (the view decides, through
children.permissions.identifiers_visible). Each export_* function writes its audit row in the same
transaction as it reads the data.

Apps above the archive add columns to the 台账 and the 登记表 (mentoring: 帮扶教师, the term's talks and
visits) through register_roster_columns(); this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.db.models import Count, QuerySet
from django.utils import timezone

from caretrack.models import Gender, Grade, School, SchoolClass, Term
from caretrack.selectors import enrolled_students_totals, term_enrolled_students
from children.completeness import REQUIREMENTS, annotate_completeness, completeness_of, flag_name
from children.importing.columns import COLUMNS_BY_KEY
from children.models import (
    Child,
    ChildHardship,
    FamilyAssessment,
    Guardian,
    GuardianshipLevel,
    LeftBehindType,
    Parent,
    ParentRole,
)
from children.selectors import archive_rate, left_behind_children, term_window
from children.services import age_on
from children.sheets import (
    CODE,
    DATE,
    INT,
    PERCENT,
    PERCENT_1DP,
    TEXT,
    Book,
    Col,
    ColGroup,
    ExportFile,
    Sheet,
    current_term,
    full_name,
    id_value,
    mask_note,
    phone_value,
    record_export,
    term_label,
)
from guardians.regions import display_name

# --- Columns from the apps above ------------------------------------------------------------------


@dataclass(frozen=True)
class RosterWindow:
    start: date  # the term's figures count from here
    end: date  # to here
    reference: date  # the day the term is judged on (e.g. whose pairing is open)


@dataclass(frozen=True)
class ExtraColumn:
    key: str
    label: str  # the 台账 header
    kind: str = TEXT  # how the value is written (children.sheets: TEXT, INT …)
    default: object = ""  # for a child the provider has no value for
    after: str = ""  # the 台账 column it follows (at the end when empty)
    register_label: str = ""  # also on the 登记表 under this header, in the 关爱帮扶情况 group


@dataclass(frozen=True)
class RosterExtras:
    columns: list[ExtraColumn]
    values: dict[int, dict[str, object]]  # child id -> column key -> value


class RosterColumnsProvider(Protocol):
    """Gets the school, the term's window and the roster's child ids; returns its columns with each
    child's values, in a fixed number of queries whatever the number of children."""

    def __call__(self, *, school: School, window: RosterWindow, child_ids: Sequence[int]) -> RosterExtras: ...


_ROSTER_PROVIDERS: list[RosterColumnsProvider] = []


def register_roster_columns(provider: RosterColumnsProvider) -> None:
    """Called from an upper app's AppConfig.ready(); the columns appear on the 台账 (and the 登记表 for
    those with a register_label) in the order registered."""
    if provider not in _ROSTER_PROVIDERS:
        _ROSTER_PROVIDERS.append(provider)


def _extra_columns(*, school: School, window: RosterWindow, child_ids: Sequence[int]) -> list[RosterExtras]:
    return [provider(school=school, window=window, child_ids=child_ids) for provider in _ROSTER_PROVIDERS]


# --- The children of a roster, in a fixed number of queries ----------------------------------------

_CHILD_FIELDS = (
    "pk", "name", "gender", "birth_date", "ethnicity", "id_number", "student_number", "hukou_address",
    "current_address", "is_boarder", "health_status", "schooling_status", "left_behind_type",
    "school_class__grade", "school_class__number", "school_class__head_teacher__first_name",
    "school_class__head_teacher__last_name", "school_class__head_teacher__username",
    "assessment__guardianship_level",
)  # fmt: skip
_PARENT_FIELDS = (
    "child_id", "role", "name", "id_number", "phone", "away_status", "employer",
    "work_province_id", "work_city_id", "work_county_id",
)  # fmt: skip
_GUARDIAN_FIELDS = ("child_id", "name", "relation", "phone", "age", "address")


def _labels(model, name: str) -> dict:
    """A choice field's stored values → their labels, as get_<name>_display() gives them."""
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


@dataclass(slots=True)
class RosterRow:
    """One child of a roster as plain values: `child` holds _CHILD_FIELDS by name plus "class" (三年级(2)班)
    and "head_teacher"; father, mother and guardian the fields of _PARENT_FIELDS / _GUARDIAN_FIELDS, None
    when the archive has none."""

    child: dict
    father: dict | None
    mother: dict | None
    guardian: dict | None
    hardships: list[str]  # the current 困境 categories, as stored
    completeness: int  # percent
    extra: dict[str, object]  # the registered columns' values, by key


@dataclass
class Roster:
    rows: list[RosterRow]
    extra_columns: list[ExtraColumn]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


class _Flags:
    """A values() row's completeness flags as attributes, for completeness_of()."""

    __slots__ = ("row",)

    def __init__(self, row: dict):
        self.row = row

    def __getattr__(self, name: str):
        return self.row[name]


def roster_rows(*, school: School, term: Term | None, today: date | None = None) -> Roster:
    """One row per child left-behind during the term, with parents, current guardian, class, head
    teacher, completeness and the registered columns (mentoring: mentors, the term's talks and visits).
    Four queries and each provider's fixed number, whatever the size; rows hold values, not models."""
    today = today or timezone.localdate()
    start, end, reference = term_window(term, today)
    flags = [flag_name(r) for r in REQUIREMENTS]
    children = list(
        annotate_completeness(left_behind_children(schools=[school], term=term, on=today), on=reference)
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
        .values(*_CHILD_FIELDS, *flags)
    )
    ids = [c["pk"] for c in children]
    parents: dict[int, dict[str, dict]] = {}
    guardians: dict[int, dict] = {}
    hardships: dict[int, list[str]] = {}
    if ids:
        # work places come from the region index (_work_place), not joins
        for parent in Parent.objects.filter(child_id__in=ids).order_by("child_id", "role", "pk").values(
            *_PARENT_FIELDS
        ):
            parents.setdefault(parent["child_id"], {})[parent["role"]] = parent
        for guardian in (
            Guardian.objects.filter(child_id__in=ids, until__isnull=True)
            .order_by("child_id", "-since", "pk")
            .values(*_GUARDIAN_FIELDS)
        ):
            guardians.setdefault(guardian["child_id"], guardian)
        for child_id, kind in (
            ChildHardship.objects.filter(child_id__in=ids).order_by("child_id", "pk").values_list("child_id", "kind")
        ):
            hardships.setdefault(child_id, []).append(kind)
    extras = _extra_columns(school=school, window=RosterWindow(start, end, reference), child_ids=ids)
    columns = [column for extra in extras for column in extra.columns]
    rows = []
    no_parents: dict = {}
    for child in children:
        pk = child["pk"]
        child["class"] = SchoolClass.label(child["school_class__grade"], child["school_class__number"])
        child["head_teacher"] = full_name(
            child["school_class__head_teacher__first_name"],
            child["school_class__head_teacher__last_name"],
            child["school_class__head_teacher__username"],
        )
        values = {}
        for extra in extras:
            found = extra.values.get(pk, {})
            values.update({column.key: found.get(column.key, column.default) for column in extra.columns})
        own = parents.get(pk, no_parents)
        rows.append(
            RosterRow(
                child=child,
                father=own.get(ParentRole.FATHER),
                mother=own.get(ParentRole.MOTHER),
                guardian=guardians.get(pk),
                hardships=hardships.get(pk, []),
                completeness=completeness_of(_Flags(child)).percent,
                extra=values,
            )
        )
    return Roster(rows=rows, extra_columns=columns)


# --- How a roster row gives each value ---------------------------------------------------------------

GENDERS = _labels(Child, "gender")
ETHNICITIES = _labels(Child, "ethnicity")
HEALTH = _labels(Child, "health_status")
SCHOOLING = _labels(Child, "schooling_status")
LEFT_BEHIND = _labels(Child, "left_behind_type")
HARDSHIPS = _labels(ChildHardship, "kind")
AWAY = _labels(Parent, "away_status")
RELATIONS = _labels(Guardian, "relation")
LEVELS = _labels(FamilyAssessment, "guardianship_level")


def _work_place(parent: dict | None) -> str:
    """Parent.work_place without loading three Region rows per parent."""
    if parent is None:
        return ""
    code = parent["work_county_id"] or parent["work_city_id"] or parent["work_province_id"]
    return display_name(code) if code else ""


def _of(attr: str, name: str, labels: dict | None = None) -> Callable:
    """A value of the row's father / mother / guardian ("" without one), through `labels` when given."""
    if labels is None:
        return lambda r: (getattr(r, attr) or _EMPTY)[name]
    return lambda r: labels.get(v, v) if (v := (getattr(r, attr) or _EMPTY)[name]) else ""


_EMPTY: dict = {k: "" for k in (*_PARENT_FIELDS, *_GUARDIAN_FIELDS)}
_EMPTY["age"] = None


def _child(name: str, labels: dict | None = None) -> Callable:
    if labels is None:
        return lambda r: r.child[name]
    return lambda r: labels.get(v, v) if (v := r.child[name]) else ""


def _hardships(row: RosterRow) -> str:
    return "、".join(HARDSHIPS.get(kind, kind) for kind in row.hardships)


def _yes_no(row: RosterRow) -> str:
    return "是" if row.child["is_boarder"] else "否"


def _numbering() -> Callable:
    count = iter(range(1, 10**7))
    return lambda r: next(count)


# Widest columns (in characters) before the text wraps: 40 columns on one A4 page wide need the long texts
# to wrap rather than widen the page (and shrink its print).
ADDRESS, PLACE, NARROW = 18, 14, 12


def _with_extras(columns: list[Col], extras: list[ExtraColumn]) -> list[Col]:
    """The 台账's columns with the registered ones each after the column it names."""
    out = list(columns)
    for extra in extras:
        col = Col(extra.label, lambda r, key=extra.key: r.extra[key], extra.kind, max_width=NARROW)
        labels = [c.label for c in out]
        out.insert(labels.index(extra.after) + 1 if extra.after in labels else len(out), col)
    return out


def _parent_cols(role: str, attr: str, phone: Callable) -> list[Col]:
    label = COLUMNS_BY_KEY
    return [
        Col(label[f"{role}_name"].label, _of(attr, "name")),
        Col(label[f"{role}_phone"].label, lambda r: phone(_of(attr, "phone")(r)), CODE),
        Col(label[f"{role}_status"].label, _of(attr, "away_status", AWAY)),
        Col(label[f"{role}_work_place"].label, lambda r: _work_place(getattr(r, attr)), max_width=PLACE),
        Col(label[f"{role}_employer"].label, _of(attr, "employer"), max_width=NARROW),
    ]


def _roster_columns(full: bool) -> list[Col]:
    """The 台账: the import's own headers (children.importing.columns), so the file imports back as it is."""
    id_number, phone = id_value(full), phone_value(full)
    label = {k: c.label for k, c in COLUMNS_BY_KEY.items()}
    return [
        Col("序号", _numbering(), INT),
        Col(label["name"], _child("name")),
        Col(label["gender"], _child("gender", GENDERS)),
        Col(label["birth_date"], _child("birth_date"), DATE),
        Col(label["ethnicity"], _child("ethnicity", ETHNICITIES)),
        Col(label["id_number"], lambda r: id_number(r.child["id_number"]), CODE),
        Col(label["school_class"], _child("class")),
        Col(label["student_number"], _child("student_number"), CODE),
        Col(label["hukou_address"], _child("hukou_address"), max_width=ADDRESS),
        Col(label["current_address"], _child("current_address"), max_width=ADDRESS),
        Col(label["is_boarder"], _yes_no),
        Col(label["health_status"], _child("health_status", HEALTH)),
        Col("留守类型", _child("left_behind_type", LEFT_BEHIND)),
        Col(label["hardships"], _hardships, max_width=NARROW),
        *_parent_cols(ParentRole.FATHER, "father", phone),
        *_parent_cols(ParentRole.MOTHER, "mother", phone),
        Col(label["guardian_name"], _of("guardian", "name")),
        Col(label["guardian_relation"], _of("guardian", "relation", RELATIONS)),
        Col(label["guardian_phone"], lambda r: phone(_of("guardian", "phone")(r)), CODE),
        Col(label["guardian_age"], _of("guardian", "age"), INT),
        Col(label["guardian_address"], _of("guardian", "address"), max_width=ADDRESS),
        Col(label["guardianship_level"], _child("assessment__guardianship_level", LEVELS), max_width=NARROW),
        Col("班主任", _child("head_teacher")),
        Col("建档完整度", lambda r: r.completeness / 100, PERCENT),
    ]


def export_roster(
    *, school: School, acting_user, term: Term | None = None, full_identifiers: bool = False, today: date | None = None
) -> ExportFile:
    """留守儿童台账: one row per child left-behind during the term (the school's current term by default),
    and the 统计表 of those children."""
    today = today or timezone.localdate()
    term = term or current_term(school)

    def build() -> ExportFile:
        roster = roster_rows(school=school, term=term, today=today)
        book = Book()
        sheet = Sheet(
            book,
            "留守儿童台账",
            f"{school.name}留守儿童台账（{term_label(term, today)}）",
            _with_extras(_roster_columns(full_identifiers), roster.extra_columns),
            subtitle=f"导出日期：{today:%Y年%m月%d日}{mask_note(full_identifiers)}",
            freeze_columns=2,
        )
        for row in roster:
            sheet.add(row)
        _statistics_sheet(book, roster, school=school, term=term, today=today)
        return ExportFile(f"{school.name}_留守儿童台账_{term_label(term, today)}.xlsx", book.bytes(), sheet.rows)

    return record_export(
        acting_user=acting_user,
        school=school,
        kind="roster",
        target=f"留守儿童台账 {term_label(term, today)}",
        build=build,
        full_identifiers=full_identifiers,
    )


# --- 农村留守儿童基本情况登记表 -------------------------------------------------------------------------

REGISTER_TITLE = "农村留守儿童基本情况登记表"


def _register_groups(full: bool, school: School, extras: list[ExtraColumn], today: date) -> list[ColGroup]:
    """The official form's two-level header; the group and sub-header texts are what the import reads."""
    id_number, phone = id_value(full), phone_value(full)

    def parent(attr: str) -> list[Col]:
        return [
            Col("姓名", _of(attr, "name")),
            Col("身份证号", lambda r: id_number(_of(attr, "id_number")(r)), CODE),
            Col("联系电话", lambda r: phone(_of(attr, "phone")(r)), CODE),
            Col("外出状态", _of(attr, "away_status", AWAY)),
            Col("务工地", lambda r: _work_place(getattr(r, attr)), max_width=PLACE),
            Col("务工单位", _of(attr, "employer"), max_width=NARROW),
        ]

    return [
        ColGroup(
            "儿童基本情况",
            [
                Col("序号", _numbering(), INT),
                Col("姓名", _child("name")),
                Col("性别", _child("gender", GENDERS)),
                Col("民族", _child("ethnicity", ETHNICITIES)),
                Col("出生日期", _child("birth_date"), DATE),
                Col("年龄", lambda r: age_on(r.child["birth_date"], today), INT),
                Col("身份证号", lambda r: id_number(r.child["id_number"]), CODE),
                Col("户籍地址", _child("hukou_address"), max_width=ADDRESS),
                Col("现居住地址", _child("current_address"), max_width=ADDRESS),
                Col("就读学校", lambda r: school.name, max_width=NARROW),
                Col("班级", _child("class")),
                Col("学籍号", _child("student_number"), CODE),
                Col("就学情况", _child("schooling_status", SCHOOLING)),
                Col("是否住校", _yes_no),
                Col("健康状况", _child("health_status", HEALTH)),
                Col("困境类型", _hardships, max_width=NARROW),
                Col("留守类型", _child("left_behind_type", LEFT_BEHIND)),
            ],
        ),
        ColGroup("父亲情况", parent("father")),
        ColGroup("母亲情况", parent("mother")),
        ColGroup(
            "委托照护人情况",
            [
                Col("姓名", _of("guardian", "name")),
                Col("与儿童关系", _of("guardian", "relation", RELATIONS)),
                Col("年龄", _of("guardian", "age"), INT),
                Col("联系电话", lambda r: phone(_of("guardian", "phone")(r)), CODE),
                Col("住址", _of("guardian", "address"), max_width=ADDRESS),
                Col("监护类型", _child("assessment__guardianship_level", LEVELS), max_width=NARROW),
            ],
        ),
        ColGroup(
            "关爱帮扶情况",
            [
                Col("班主任", _child("head_teacher")),
                *[
                    Col(extra.register_label, lambda r, key=extra.key: r.extra[key], extra.kind, max_width=NARROW)
                    for extra in extras
                    if extra.register_label
                ],
            ],
        ),
        ColGroup("", [Col("备注", lambda r: "", min_width=12)]),
    ]


def export_register(
    *, school: School, acting_user, term: Term | None = None, full_identifiers: bool = False, today: date | None = None
) -> ExportFile:
    """《农村留守儿童基本情况登记表》, one row per child under the official two-level header, for 民政/教育
    returns, and the 统计表 of those children."""
    today = today or timezone.localdate()
    term = term or current_term(school)

    def build() -> ExportFile:
        roster = roster_rows(school=school, term=term, today=today)
        book = Book()
        sheet = Sheet(
            book,
            "登记表",
            REGISTER_TITLE,
            subtitle=f"填报单位：{school.name}（{school.county}）    学期：{term_label(term, today)}    "
            f"填报日期：{today:%Y年%m月%d日}{mask_note(full_identifiers)}",
            groups=_register_groups(full_identifiers, school, roster.extra_columns, today),
            freeze_columns=2,
        )
        for row in roster:
            sheet.add(row)
        _statistics_sheet(book, roster, school=school, term=term, today=today)
        return ExportFile(f"{school.name}_{REGISTER_TITLE}.xlsx", book.bytes(), sheet.rows)

    return record_export(
        acting_user=acting_user,
        school=school,
        kind="register",
        target=f"{REGISTER_TITLE} {term_label(term, today)}",
        build=build,
        full_identifiers=full_identifiers,
    )


# --- 统计表 ----------------------------------------------------------------------------------------

AGE_BANDS = [("0-5岁", 0, 5), ("6-13岁", 6, 13), ("14-16岁", 14, 16)]  # age on the export day
NOT_ASSESSED = "未评估"


@dataclass
class Statistics:
    """The roster's children counted by grade (rows) and, for each grade and in total, by sex, age band,
    留守类型 and 监护类型 (columns, grouped)."""

    groups: list[tuple[str, list[str]]]  # (group label, its column labels)
    rows: list[tuple[str, list[int]]]  # (年级, counts in the order of the groups' columns); the last is 合计
    total: int


def roster_statistics(roster: Roster, *, today: date) -> Statistics:
    """Counts of the roster's children as 民政 asks for them: rows per grade and 合计; columns 合计, 性别
    (男/女), 年龄段 (0-5, 6-13, 14-16 on `today`), 留守类型 (each type present; the three left-behind types
    always) and 监护类型 (the five levels and 未评估)."""
    types = [LeftBehindType.BOTH_AWAY, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE, LeftBehindType.ONE_AWAY]
    types += sorted({r.child["left_behind_type"] for r in roster} - set(types))
    levels = [*GuardianshipLevel.values, None]
    groups = [
        ("", ["合计"]),
        ("性别", [Gender.MALE.label, Gender.FEMALE.label]),
        ("年龄段", [label for label, _, _ in AGE_BANDS]),
        ("留守类型", [LEFT_BEHIND.get(t, t) for t in types]),
        ("监护类型", [LEVELS[level] if level else NOT_ASSESSED for level in levels]),
    ]
    keys = [
        ("all", None),
        *[("gender", g) for g in (Gender.MALE, Gender.FEMALE)],
        *[("age", band) for band in range(len(AGE_BANDS))],
        *[("type", t) for t in types],
        *[("level", level) for level in levels],
    ]
    position = {key: i for i, key in enumerate(keys)}

    def band(birth: date) -> int:
        age = age_on(birth, today)
        for i, (_, low, high) in enumerate(AGE_BANDS):
            if low <= age <= high:
                return i
        return 0 if age < 0 else len(AGE_BANDS) - 1

    by_grade: dict[int, list[int]] = {}
    for row in roster:
        child = row.child
        counts = by_grade.setdefault(child["school_class__grade"], [0] * len(keys))
        for key in (
            ("all", None),
            ("gender", child["gender"]),
            ("age", band(child["birth_date"])),
            ("type", child["left_behind_type"]),
            ("level", child["assessment__guardianship_level"]),
        ):
            if key in position:
                counts[position[key]] += 1
    rows = [(Grade(grade).label, counts) for grade, counts in sorted(by_grade.items())]
    total = [sum(column) for column in zip(*(counts for _, counts in rows), strict=True)] if rows else [0] * len(keys)
    rows.append(("合计", total))
    return Statistics(groups=groups, rows=rows, total=len(roster))


def _statistics_sheet(book: Book, roster: Roster, *, school: School, term: Term | None, today: date) -> None:
    stats = roster_statistics(roster, today=today)
    groups = [ColGroup("", [Col("年级", lambda r: r[0], min_width=10)])]
    index = 0
    for label, columns in stats.groups:
        cols = []
        for column in columns:
            cols.append(Col(column, lambda r, i=index: r[1][i], INT, min_width=6))
            index += 1
        groups.append(ColGroup(label, cols))
    sheet = Sheet(
        book,
        "统计表",
        f"{school.name}农村留守儿童统计表（{term_label(term, today)}）",
        subtitle=f"统计日期：{today:%Y年%m月%d日}    共 {stats.total} 人（年龄按统计日期计算）",
        groups=groups,
    )
    for row in stats.rows[:-1]:
        sheet.add(row)
    sheet.sheet.row([stats.rows[-1][0], *stats.rows[-1][1]], bold=True)


# --- The bureau's summary ------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    school: School
    term: Term | None
    enrolled: int  # 在校学生数 as caretrack.selectors counts it (the classes' sum, or the term's kept figure)
    total: int
    complete: int
    rate: float
    by_type: dict[str, int]


def summary_rows(*, schools: QuerySet | Iterable[School], today: date | None = None) -> list[SummaryRow]:
    """Each school's 建档率 (children.selectors.archive_rate, the school's current term) and its
    left-behind children by type. Three queries per school."""
    today = today or timezone.localdate()
    schools = list(schools)
    enrolled = enrolled_students_totals(schools)
    rows = []
    for school in schools:
        term = current_term(school)
        rate = archive_rate(schools=[school], term=term, on=today, detail=False)
        by_type = dict(
            left_behind_children(schools=[school], term=term, on=today)
            .order_by()
            .values_list("left_behind_type")
            .annotate(n=Count("pk"))
        )
        students = term_enrolled_students(term, enrolled[school.pk]) if term else enrolled[school.pk]
        rows.append(SummaryRow(school, term, students, rate.total, rate.complete, rate.rate, by_type))
    return rows


def export_summary(*, schools, acting_user, today: date | None = None) -> ExportFile:
    """Per-school summary for the county bureau: no child-level data."""
    today = today or timezone.localdate()
    types = [LeftBehindType.BOTH_AWAY, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE, LeftBehindType.ONE_AWAY]
    columns = [
        Col("学校", lambda r: r.school.name),
        Col("所属县（区）", lambda r: r.school.county),
        Col("学期", lambda r: str(r.term) if r.term else ""),
        Col("在校学生数", lambda r: r.enrolled, INT),
        Col("留守儿童数", lambda r: r.total, INT),
        *[Col(t.label, lambda r, t=t: r.by_type.get(t, 0), INT) for t in types],
        Col("已建档", lambda r: r.complete, INT),
        Col("建档率", lambda r: r.rate / 100, PERCENT_1DP),
    ]
    schools = list(schools)

    def build() -> ExportFile:
        book = Book()
        sheet = Sheet(book, "汇总", "留守儿童关爱工作汇总表", columns, subtitle=f"统计日期：{today:%Y年%m月%d日}")
        for row in summary_rows(schools=schools, today=today):
            sheet.add(row)
        return ExportFile(f"留守儿童关爱工作汇总表_{today:%Y%m%d}.xlsx", book.bytes(), sheet.rows)

    return record_export(
        acting_user=acting_user,
        school=schools[0] if len(schools) == 1 else None,
        kind="summary",
        target=f"留守儿童汇总表（{len(schools)}所学校）",
        build=build,
        schools=[s.pk for s in schools],
    )
