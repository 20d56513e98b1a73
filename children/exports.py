"""Excel exports of the archive: the 留守儿童台账, the 花名册 (《农村留守儿童基本情况登记表》), the per-school
summary for the bureau. The import template is children/importing/template.py; the sheet plumbing is
children/sheets.py; the term's 谈心记录 / 家访记录 are mentoring's (mentoring/exports.py). Slightly over 400
lines because the 台账 and the 花名册 each declare their column lists (about 40 columns each) here.

Every sheet has a title row with the school and term, a frozen header and set column widths, and is
written in openpyxl's write_only mode (rows streamed, memory flat). ID numbers and phones are masked
unless the caller passes full_identifiers=True (the view decides, through
children.permissions.identifiers_visible). Each export_* function writes its audit row in the same
transaction as it reads the data.

Apps above the archive add columns to the 台账 and the 花名册 (mentoring: 帮扶教师, the term's talks and
visits) through register_roster_columns(); this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from caretrack.models import School, Term
from caretrack.selectors import enrolled_students_totals, term_enrolled_students
from children.completeness import annotate_completeness, completeness_of
from children.importing.columns import COLUMNS_BY_KEY, MAX_DATA_ROWS
from children.models import Child, Guardian, LeftBehindType, Parent, ParentRole
from children.selectors import archive_rate, left_behind_children, term_window
from children.sheets import (
    Col,
    ExportFile,
    Sheet,
    current_term,
    id_value,
    mask_note,
    phone_value,
    record_export,
    save_workbook,
    term_label,
    user_name,
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
    width: int
    default: object = ""  # for a child the provider has no value for
    after: str = ""  # the 台账 column it follows (at the end when empty)
    register_label: str = ""  # also on the 花名册 under this header, before 备注


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
    """Called from an upper app's AppConfig.ready(); the columns appear on the 台账 (and the 花名册 for
    those with a register_label) in the order registered."""
    if provider not in _ROSTER_PROVIDERS:
        _ROSTER_PROVIDERS.append(provider)


def _extra_columns(*, school: School, window: RosterWindow, child_ids: Sequence[int]) -> list[RosterExtras]:
    return [provider(school=school, window=window, child_ids=child_ids) for provider in _ROSTER_PROVIDERS]


# --- The children of a roster, in a fixed number of queries ----------------------------------------


@dataclass
class RosterRow:
    child: Child
    father: Parent | None
    mother: Parent | None
    guardian: Guardian | None
    completeness: int
    extra: dict[str, object]  # the registered columns' values, by key


@dataclass
class Roster:
    rows: list[RosterRow]
    extra_columns: list[ExtraColumn]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)


def roster_rows(*, school: School, term: Term | None, today: date | None = None) -> Roster:
    """One row per child left-behind during the term, with parents, current guardian, class, head
    teacher, completeness and the registered columns (mentoring: mentors, the term's talks and visits).
    Four queries and each provider's fixed number, whatever the size."""
    today = today or timezone.localdate()
    start, end, reference = term_window(term, today)
    children = annotate_completeness(left_behind_children(schools=[school], term=term, on=today), on=reference)
    children = list(
        children.select_related("school_class__head_teacher", "assessment")
        .prefetch_related(
            Prefetch("parents", to_attr="parent_list"),  # work places come from the region index, not joins
            Prefetch("guardians", queryset=Guardian.objects.filter(until__isnull=True), to_attr="current_guardians"),
            Prefetch("hardships", to_attr="hardship_list"),
        )
        .order_by("school_class__grade", "school_class__number", "name_initials", "pk")
    )
    extras = _extra_columns(
        school=school, window=RosterWindow(start, end, reference), child_ids=[c.pk for c in children]
    )
    columns = [column for extra in extras for column in extra.columns]
    rows = []
    for child in children:
        parents = {p.role: p for p in child.parent_list}
        values = {}
        for extra in extras:
            found = extra.values.get(child.pk, {})
            values.update({column.key: found.get(column.key, column.default) for column in extra.columns})
        rows.append(
            RosterRow(
                child=child,
                father=parents.get(ParentRole.FATHER),
                mother=parents.get(ParentRole.MOTHER),
                guardian=child.current_guardians[0] if child.current_guardians else None,
                completeness=completeness_of(child).percent,
                extra=values,
            )
        )
    return Roster(rows=rows, extra_columns=columns)


def _with_extras(columns: list[Col], extras: list[ExtraColumn]) -> list[Col]:
    """The 台账's columns with the registered ones each after the column it names."""
    out = list(columns)
    for extra in extras:
        col = Col(extra.label, extra.width, lambda r, key=extra.key: r.extra[key])
        labels = [c.label for c in out]
        out.insert(labels.index(extra.after) + 1 if extra.after in labels else len(out), col)
    return out


def _parent_cols(role: str, attr: str, phone: Callable) -> list[Col]:
    def get(name):
        return lambda r: _get(getattr(r, attr), name)

    label = COLUMNS_BY_KEY
    return [
        Col(label[f"{role}_name"].label, 10, get("name")),
        Col(label[f"{role}_phone"].label, 15, lambda r: phone(_get(getattr(r, attr), "phone"))),
        Col(label[f"{role}_status"].label, 11, lambda r: _display(getattr(r, attr), "away_status")),
        Col(label[f"{role}_work_place"].label, 18, get("work_place")),
        Col(label[f"{role}_employer"].label, 16, get("employer")),
    ]


def _get(obj, name: str):
    if obj is None:
        return ""
    if name == "work_place":
        return _work_place(obj)
    return getattr(obj, name)


def _work_place(parent: Parent) -> str:
    """Parent.work_place without loading three Region rows per parent."""
    code = parent.work_county_id or parent.work_city_id or parent.work_province_id
    return display_name(code) if code else ""


def _display(obj, name: str) -> str:
    return getattr(obj, f"get_{name}_display")() if obj is not None else ""


def _assessment(child: Child) -> str:
    assessment = getattr(child, "assessment", None)
    return assessment.get_guardianship_level_display() if assessment else ""


def _hardships(child: Child) -> str:
    return "、".join(h.get_kind_display() for h in child.hardship_list)


def _roster_columns(full: bool) -> list[Col]:
    id_number, phone = id_value(full), phone_value(full)
    label = {k: c.label for k, c in COLUMNS_BY_KEY.items()}
    seq = iter(range(1, MAX_DATA_ROWS * 10))
    return [
        Col("序号", 6, lambda r: next(seq)),
        Col(label["name"], 10, lambda r: r.child.name),
        Col(label["gender"], 6, lambda r: r.child.get_gender_display()),
        Col(label["birth_date"], 12, lambda r: r.child.birth_date.isoformat()),
        Col(label["ethnicity"], 8, lambda r: r.child.ethnicity),
        Col(label["id_number"], 21, lambda r: id_number(r.child.id_number)),
        Col(label["school_class"], 11, lambda r: str(r.child.school_class)),
        Col(label["student_number"], 20, lambda r: r.child.student_number),
        Col(label["hukou_address"], 24, lambda r: r.child.hukou_address),
        Col(label["current_address"], 24, lambda r: r.child.current_address),
        Col(label["is_boarder"], 8, lambda r: "是" if r.child.is_boarder else "否"),
        Col(label["health_status"], 10, lambda r: r.child.get_health_status_display()),
        Col("留守类型", 14, lambda r: r.child.get_left_behind_type_display()),
        Col(label["hardships"], 14, lambda r: _hardships(r.child)),
        *_parent_cols(ParentRole.FATHER, "father", phone),
        *_parent_cols(ParentRole.MOTHER, "mother", phone),
        Col(label["guardian_name"], 10, lambda r: _get(r.guardian, "name")),
        Col(label["guardian_relation"], 10, lambda r: _display(r.guardian, "relation")),
        Col(label["guardian_phone"], 15, lambda r: phone(_get(r.guardian, "phone"))),
        Col(label["guardian_age"], 8, lambda r: _get(r.guardian, "age") or ""),
        Col(label["guardian_address"], 24, lambda r: _get(r.guardian, "address")),
        Col(label["guardianship_level"], 18, lambda r: _assessment(r.child)),
        Col("班主任", 10, lambda r: user_name(r.child.school_class.head_teacher)),
        Col("建档完整度", 10, lambda r: f"{r.completeness}%"),
    ]


def export_roster(
    *, school: School, acting_user, term: Term | None = None, full_identifiers: bool = False, today: date | None = None
) -> ExportFile:
    """留守儿童台账: one row per child left-behind during the term (the school's current term by default)."""
    today = today or timezone.localdate()
    term = term or current_term(school)

    def build() -> ExportFile:
        roster = roster_rows(school=school, term=term, today=today)
        workbook = Workbook(write_only=True)
        sheet = Sheet(
            workbook,
            "留守儿童台账",
            f"{school.name}留守儿童台账（{term_label(term, today)}）",
            _with_extras(_roster_columns(full_identifiers), roster.extra_columns),
            subtitle=f"导出日期：{today:%Y年%m月%d日}{mask_note(full_identifiers)}",
        )
        for row in roster:
            sheet.add(row)
        return ExportFile(
            f"{school.name}_留守儿童台账_{term_label(term, today)}.xlsx", save_workbook(workbook), sheet.rows
        )

    return record_export(
        acting_user=acting_user,
        school=school,
        kind="roster",
        target=f"留守儿童台账 {term_label(term, today)}",
        build=build,
        full_identifiers=full_identifiers,
    )


def _register_columns(full: bool, school: School, extras: list[ExtraColumn]) -> list[Col]:
    id_number, phone = id_value(full), phone_value(full)
    seq = iter(range(1, MAX_DATA_ROWS * 10))

    def parent(attr: str, what: str) -> Callable:
        return lambda r: _get(getattr(r, attr), what)

    return [
        Col("序号", 6, lambda r: next(seq)),
        Col("姓名", 10, lambda r: r.child.name),
        Col("性别", 6, lambda r: r.child.get_gender_display()),
        Col("民族", 8, lambda r: r.child.ethnicity),
        Col("出生日期", 12, lambda r: r.child.birth_date.isoformat()),
        Col("身份证号", 21, lambda r: id_number(r.child.id_number)),
        Col("户籍所在地", 24, lambda r: r.child.hukou_address),
        Col("现居住地址", 24, lambda r: r.child.current_address),
        Col("就读学校", 18, lambda r: school.name),
        Col("年级班级", 11, lambda r: str(r.child.school_class)),
        Col("就学情况", 8, lambda r: r.child.get_schooling_status_display()),
        Col("健康状况", 10, lambda r: r.child.get_health_status_display()),
        Col("留守类型", 14, lambda r: r.child.get_left_behind_type_display()),
        Col("困境类型", 14, lambda r: _hardships(r.child)),
        Col("父亲姓名", 10, parent("father", "name")),
        Col("父亲身份证号", 21, lambda r: id_number(_get(r.father, "id_number"))),
        Col("父亲务工地", 18, parent("father", "work_place")),
        Col("父亲联系电话", 15, lambda r: phone(_get(r.father, "phone"))),
        Col("母亲姓名", 10, parent("mother", "name")),
        Col("母亲身份证号", 21, lambda r: id_number(_get(r.mother, "id_number"))),
        Col("母亲务工地", 18, parent("mother", "work_place")),
        Col("母亲联系电话", 15, lambda r: phone(_get(r.mother, "phone"))),
        Col("委托监护人姓名", 10, lambda r: _get(r.guardian, "name")),
        Col("与儿童关系", 10, lambda r: _display(r.guardian, "relation")),
        Col("监护人联系电话", 15, lambda r: phone(_get(r.guardian, "phone"))),
        Col("监护类型", 18, lambda r: _assessment(r.child)),
        *[
            Col(extra.register_label, extra.width, lambda r, key=extra.key: r.extra[key])
            for extra in extras
            if extra.register_label
        ],
        Col("备注", 16, lambda r: ""),
    ]


def export_register(
    *, school: School, acting_user, term: Term | None = None, full_identifiers: bool = False, today: date | None = None
) -> ExportFile:
    """花名册 in the columns of 《农村留守儿童基本情况登记表》, one row per child, for 民政/教育 returns."""
    today = today or timezone.localdate()
    term = term or current_term(school)

    def build() -> ExportFile:
        roster = roster_rows(school=school, term=term, today=today)
        workbook = Workbook(write_only=True)
        sheet = Sheet(
            workbook,
            "花名册",
            "农村留守儿童基本情况登记表",
            _register_columns(full_identifiers, school, roster.extra_columns),
            subtitle=f"填报单位：{school.name}（{school.county}）    学期：{term_label(term, today)}    "
            f"填报日期：{today:%Y年%m月%d日}{mask_note(full_identifiers)}",
        )
        for row in roster:
            sheet.add(row)
        return ExportFile(f"{school.name}_农村留守儿童基本情况登记表.xlsx", save_workbook(workbook), sheet.rows)

    return record_export(
        acting_user=acting_user,
        school=school,
        kind="register",
        target=f"农村留守儿童基本情况登记表 {term_label(term, today)}",
        build=build,
        full_identifiers=full_identifiers,
    )


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
        Col("学校", 22, lambda r: r.school.name),
        Col("所属县（区）", 12, lambda r: r.school.county),
        Col("学期", 24, lambda r: str(r.term) if r.term else ""),
        Col("在校学生数", 10, lambda r: r.enrolled),
        Col("留守儿童数", 10, lambda r: r.total),
        *[Col(t.label, 12, lambda r, t=t: r.by_type.get(t, 0)) for t in types],
        Col("已建档", 8, lambda r: r.complete),
        Col("建档率", 8, lambda r: f"{r.rate}%"),
    ]
    schools = list(schools)

    def build() -> ExportFile:
        workbook = Workbook(write_only=True)
        sheet = Sheet(workbook, "汇总", "留守儿童关爱工作汇总表", columns, subtitle=f"统计日期：{today:%Y年%m月%d日}")
        for row in summary_rows(schools=schools, today=today):
            sheet.add(row)
        return ExportFile(f"留守儿童关爱工作汇总表_{today:%Y%m%d}.xlsx", save_workbook(workbook), sheet.rows)

    return record_export(
        acting_user=acting_user,
        school=schools[0] if len(schools) == 1 else None,
        kind="summary",
        target=f"留守儿童汇总表（{len(schools)}所学校）",
        build=build,
        schools=[s.pk for s in schools],
    )
