"""Excel exports of the archive: the 留守儿童台账, the 花名册 (《农村留守儿童基本情况登记表》), the per-school
summary for the bureau, and the import template. The term's 谈心记录 / 家访记录 are mentoring's
(mentoring/exports.py), built with the sheet helpers here.

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
from io import BytesIO
from typing import Protocol

from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation

from caretrack import audit
from caretrack.models import AuditAction, School, Term
from caretrack.spreadsheets import safe_row, text_cell
from caretrack.validation import mask_id_number, mask_phone
from children.completeness import annotate_completeness, completeness_of
from children.importing.columns import COLUMNS, COLUMNS_BY_KEY, EXAMPLE_MARK, MAX_DATA_ROWS
from children.models import Child, Guardian, LeftBehindType, Parent, ParentRole
from children.selectors import archive_rate, left_behind_children, term_window
from guardians.regions import display_name

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TITLE_FONT = Font(bold=True, size=14)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


@dataclass(frozen=True)
class Col:
    label: str
    width: int
    value: Callable


class Sheet:
    """A write_only sheet with a merged title row, a styled header and frozen panes."""

    def __init__(self, workbook: Workbook, title: str, heading: str, columns: list[Col], subtitle: str = ""):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        width = len(columns)
        for i, col in enumerate(columns, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        header_row = 3 if subtitle else 2
        self.ws.freeze_panes = f"C{header_row + 1}" if width > 3 else f"A{header_row + 1}"
        last = get_column_letter(width)
        self.ws.merged_cells.add(CellRange(f"A1:{last}1"))
        title_cell = text_cell(self.ws, heading)
        title_cell.font = _TITLE_FONT
        title_cell.alignment = Alignment(horizontal="center")
        self.ws.append([title_cell])
        if subtitle:
            self.ws.merged_cells.add(CellRange(f"A2:{last}2"))
            self.ws.append([text_cell(self.ws, subtitle)])
        cells = []
        for col in columns:
            cell = WriteOnlyCell(self.ws, value=col.label)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = _WRAP
            cells.append(cell)
        self.ws.append(cells)
        self.rows = 0

    def add(self, obj) -> None:
        self.rows += 1
        # None, not "": write_only leaves empty cells out of the file altogether. Text goes in as text,
        # never as a formula (caretrack.spreadsheets).
        values = [None if (value := col.value(obj)) == "" else value for col in self.columns]
        self.ws.append(safe_row(self.ws, values))


def save_workbook(workbook: Workbook) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def current_term(school: School) -> Term | None:
    return Term.objects.current(school)


def term_label(term: Term | None, today: date) -> str:
    return str(term) if term else f"{today:%Y年%m月%d日}"


def _id(full: bool) -> Callable[[str | None], str]:
    return (lambda v: v or "") if full else mask_id_number


def _phone(full: bool) -> Callable[[str | None], str]:
    return (lambda v: v or "") if full else mask_phone


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
    id_number, phone = _id(full), _phone(full)
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


def user_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def record_export(
    *,
    acting_user,
    school: School | None,
    kind: str,
    target: str,
    build: Callable[[], ExportFile],
    full_identifiers: bool = False,
    **detail,
) -> ExportFile:
    """Build the file and record the export in one transaction; the row says whether ID numbers and phones
    were written in full."""
    with transaction.atomic():
        result = build()
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=target,
            school=school,
            kind=kind,
            rows=result.rows,
            filename=result.filename,
            full_identifiers=full_identifiers,
            **detail,
        )
    return result


def _mask_note(full: bool) -> str:
    return "" if full else "（身份证号、电话已隐去部分数字）"


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
            subtitle=f"导出日期：{today:%Y年%m月%d日}{_mask_note(full_identifiers)}",
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
    id_number, phone = _id(full), _phone(full)
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
            f"填报日期：{today:%Y年%m月%d日}{_mask_note(full_identifiers)}",
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
    total: int
    complete: int
    rate: float
    by_type: dict[str, int]


def summary_rows(*, schools: QuerySet | Iterable[School], today: date | None = None) -> list[SummaryRow]:
    """Each school's 建档率 (children.selectors.archive_rate, the school's current term) and its
    left-behind children by type. Three queries per school."""
    today = today or timezone.localdate()
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
        rows.append(SummaryRow(school, term, rate.total, rate.complete, rate.rate, by_type))
    return rows


def export_summary(*, schools, acting_user, today: date | None = None) -> ExportFile:
    """Per-school summary for the county bureau: no child-level data."""
    today = today or timezone.localdate()
    types = [LeftBehindType.BOTH_AWAY, LeftBehindType.ONE_AWAY_OTHER_INCAPABLE, LeftBehindType.ONE_AWAY]
    columns = [
        Col("学校", 22, lambda r: r.school.name),
        Col("所属县（区）", 12, lambda r: r.school.county),
        Col("学期", 24, lambda r: str(r.term) if r.term else ""),
        Col("在校学生数", 10, lambda r: r.school.enrolled_students),
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


# --- The import template --------------------------------------------------------------------------

_TEMPLATE_KEYS = [c.key for c in COLUMNS]
_EXAMPLE = {
    "seq": EXAMPLE_MARK,
    "name": "张小明",
    "gender": "男",
    "birth_date": "2017-03-02",
    "ethnicity": "汉族",
    "id_number": "（18位，选填）",
    "school_class": "三(2)班",
    "student_number": "",
    "hukou_address": "XX镇XX村3组",
    "current_address": "XX镇XX村3组",
    "is_boarder": "否",
    "health_status": "健康",
    "hardships": "",
    "father_name": "张建国",
    "father_phone": "13912345678",
    "father_status": "外出务工",
    "father_work_place": "广东东莞",
    "father_employer": "某电子厂",
    "mother_name": "李秀兰",
    "mother_phone": "13712345678",
    "mother_status": "外出务工",
    "mother_work_place": "浙江省义乌市",
    "mother_employer": "",
    "guardian_name": "张秀英",
    "guardian_relation": "祖母",
    "guardian_phone": "0745-3221234",
    "guardian_age": 66,
    "guardian_address": "XX镇XX村3组",
    "guardianship_level": "监护情况一般",
}


def import_template() -> bytes:
    """The import template: one Chinese header row matching the archive, dropdowns for fixed choices,
    an example row (marked 示例 in 序号, skipped by the import) and an instructions sheet."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "学生信息"
    cells = []
    for i, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
        cells.append(column.label)
    ws.append(cells)
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    ws.append([_EXAMPLE.get(key, "") for key in _TEMPLATE_KEYS])
    for cell in ws[2]:
        cell.font = Font(color="808080", italic=True)
    ws.freeze_panes = "C2"
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        if column.key in ("id_number", "student_number", "father_phone", "mother_phone", "guardian_phone"):
            ws.column_dimensions[letter].number_format = "@"  # text: keeps all 18 digits
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=False,  # other spellings (奶奶, 外婆) are accepted by the import
            )
            validation.add(f"{letter}2:{letter}1001")
            ws.add_data_validation(validation)

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    notes.append(["填写说明"])
    notes["A1"].font = _TITLE_FONT
    for line in (
        ("每行一名学生", "从第3行起填写（第2行是示例，序号为“示例”的行不会导入，可以删除）。"),
        ("必填", "姓名、性别、出生日期、班级。其余各列可以留空，以后在系统中补充。"),
        ("重复导入", "同一学生按身份证号识别，没有身份证号时按“姓名+出生日期”识别：再次导入只会更新，不会重复建档。"),
        ("空白单元格", "导入时不会清空系统中已有的内容。"),
        ("列名", "可用本校原有表格的列名，如“出生年月”“监护人电话”“父亲务工地点”；标题行、合并表头都可以。"),
    ):
        notes.append(list(line))
    notes.append([])
    notes.append(["列", "怎么填"])
    for column in COLUMNS:
        if column.key == "seq":
            continue
        hint = column.note or ("可填：" + "、".join(column.choices) if column.choices else "")
        notes.append([column.label, hint])
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    return save_workbook(workbook)


def import_error_report(preview) -> bytes:
    """The rows an import could not read, one line per problem, to fix the sheet by."""
    workbook = Workbook(write_only=True)
    columns = [
        Col("工作表", 12, lambda e: e.sheet or preview.sheet),
        Col("行号", 6, lambda e: e.row),
        Col("列", 16, lambda e: e.column),
        Col("问题", 80, lambda e: e.message),
    ]
    sheet = Sheet(workbook, "错误清单", f"{preview.filename} 导入错误清单（共 {len(preview.errors)} 处）", columns)
    for error in preview.errors:
        sheet.add(error)
    return save_workbook(workbook)
