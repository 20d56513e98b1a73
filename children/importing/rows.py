"""Reading one row of a sheet into the archive's values: the child, the parents and the guardian, with every
problem collected as an error on its cell (row number, column as written, Chinese message)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError

from caretrack.models import School, SchoolClass
from caretrack.spreadsheets import FORMULA_NAME_MESSAGE, starts_like_formula
from caretrack.validation import check_id_consistency, parse_id_number, parse_loose_date
from children.forms import MAX_CHILD_AGE
from children.importing.columns import _PARENT_LABEL, AWAY_CHOICES, COLUMNS_BY_KEY, RELATION_CHOICES
from children.importing.parsers import (
    _AWAY,
    _GENDERS,
    _HEALTH,
    _NO_WORK_PLACE,
    _NONE_WORDS,
    _RELATIONS,
    _YES_NO,
    _age,
    _choice,
    _month_only,
    _phone,
    is_masked,
    masked_error,
    parse_class,
    parse_hardships,
)
from children.models import ETHNICITIES, AwayStatus, Child, HardshipType, HealthStatus
from children.services import ArchiveData, age_on
from guardians.models import Region
from guardians.regions import match_place

SHEET_NAME_COLUMN = "工作表名"  # the 班级 of a sheet named after its class, which has no 班级 column


_HEALTH_LABELS = tuple(HealthStatus.labels)


class Action:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    sheet: str = ""  # set only when the workbook has several sheets of children

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”第{self.row}行" if self.sheet else f"第{self.row}行"

    def __str__(self) -> str:
        return f"{self.where}【{self.column}】{self.message}"


@dataclass
class RowResult:
    row: int
    name: str
    sheet: str = ""
    class_label: str = ""
    action: str = Action.CREATE
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    data: ArchiveData | None = None
    existing: Child | None = None
    # The row's cells as read (column key -> value) under the sheet's headers as written (key -> header), for
    # the sheet of rows an import left out.
    cells: dict[str, object] = field(default_factory=dict, repr=False)
    names: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def where(self) -> str:
        return RowError(self.row, "", "", self.sheet).where


@dataclass
class ImportPreview:
    filename: str
    sheet: str  # the sheets read, joined with 、
    header_row: int  # of the first sheet read
    columns: list[str]  # headers read, as written
    ignored_columns: list[str]
    rows: list[RowResult]
    registered_elsewhere: int = 0  # rows whose ID number is archived at another school (never which school)
    skipped: list = field(default_factory=list)  # SkippedRow (caretrack.sheet_reading): 合计, 落款, not imported

    def _count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def to_create(self) -> int:
        return self._count(Action.CREATE)

    @property
    def to_update(self) -> int:
        return self._count(Action.UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(Action.UNCHANGED)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rows for e in r.errors]

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == Action.ERROR]

    @property
    def can_commit(self) -> bool:
        return not self.error_rows and (self.to_create + self.to_update) > 0

    @property
    def can_commit_valid(self) -> bool:
        """Rows with errors and rows to save: the good ones may be imported alone (commit_import only_valid)."""
        return bool(self.error_rows) and (self.to_create + self.to_update) > 0


class _RowReader:
    """Parses one row's cells; collects errors instead of stopping at the first."""

    def __init__(self, row_number: int, cells: dict[str, object], names: dict[str, str], sheet: str = ""):
        self.row = row_number
        self.sheet = sheet
        self.cells = cells
        self.names = names
        self.errors: list[RowError] = []
        # Masked cells of an export (4312**********002X, 139****5678) by column key, as written: no change
        # when they mask the matched archive's value the same way, an error otherwise (matching).
        self.masked: dict[str, str] = {}

    @property
    def where(self) -> str:
        return RowError(self.row, "", "", self.sheet).where

    def raw(self, key: str) -> object:
        value = self.cells.get(key)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, key: str) -> str:
        value = self.raw(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def has(self, key: str) -> bool:
        return key in self.cells

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.row, self.names.get(key) or COLUMNS_BY_KEY[key].label, message, self.sheet))

    def parse_identifier(self, key: str, parser):
        """parse() for an ID number or a phone, keeping a masked cell aside for matching."""
        if is_masked(self.raw(key)):
            self.masked[key] = self.text(key)
            return None
        return self.parse(key, parser)

    def parse(self, key: str, parser):
        """parser(raw) → value; a ValidationError becomes an error on this cell and None."""
        value = self.raw(key)
        if value is None:
            return None
        try:
            return parser(value)
        except ValidationError as e:
            for message in e.messages:
                self.error(key, message)
            return None


@dataclass
class _Context:
    school: School
    today: date
    classes: dict[tuple[int, int], SchoolClass]
    regions: dict[str, Region] | None = None

    def region(self, code: str | None) -> Region | None:
        if code is None:
            return None
        if self.regions is None:
            self.regions = {r.code: r for r in Region.objects.all()}
        return self.regions.get(code)


def _read_child(r: _RowReader, ctx: _Context) -> tuple[dict, list[str] | None, dict]:
    child: dict = {}
    meta: dict = {}
    name = r.text("name")
    if not name:
        r.error("name", "姓名不能为空")
    elif len(name) > 30:
        r.error("name", "姓名过长（最多30个字）")
    elif starts_like_formula(name):
        r.error("name", FORMULA_NAME_MESSAGE)
    else:
        child["name"] = re.sub(r"\s+", "", name)

    gender = r.parse("gender", lambda v: _choice(str(v), _GENDERS, "性别", ("男", "女")))
    id_info = None
    if is_masked(r.raw("id_number")):
        r.masked["id_number"] = r.text("id_number")  # compared with the archive once the row is matched
    elif r.raw("id_number") is not None:
        try:
            id_info = parse_id_number(r.raw("id_number"), today=ctx.today)
        except ValidationError as e:
            for message in e.messages:
                r.error("id_number", message)

    birth_raw = r.raw("birth_date")
    birth = r.parse("birth_date", parse_loose_date)
    same_month = birth is not None and id_info is not None and birth.strftime("%Y%m") == f"{id_info.birth_date:%Y%m}"
    if same_month and _month_only(birth_raw):
        birth = id_info.birth_date  # 出生年月 only: the ID number gives the day
    if birth is None and birth_raw is None:
        if id_info is not None:
            birth = id_info.birth_date
        elif r.has("birth_date") or not r.has("id_number"):
            r.error("birth_date", "出生日期不能为空")
        elif "id_number" in r.masked:
            r.error("id_number", masked_error("身份证号").messages[0])
            del r.masked["id_number"]
        else:
            r.error("id_number", "没有出生日期列时，身份证号不能为空")
    if birth is not None:
        age = age_on(birth, ctx.today)
        if birth > ctx.today:
            r.error("birth_date", "出生日期不能晚于今天")
            birth = None
        elif age > MAX_CHILD_AGE:
            r.error("birth_date", f"出生日期 {birth:%Y-%m-%d} 表示该学生已超过{MAX_CHILD_AGE}周岁，请核对")
            birth = None
    if gender is None and r.raw("gender") is None:
        if id_info is not None:
            gender = id_info.gender
        else:
            r.error("gender", "性别不能为空")
    if id_info is not None:
        for message in check_id_consistency(id_info, birth_date=birth, gender=gender):
            r.error("id_number", message)
        child["id_number"] = id_info.number
    meta["month_only"] = _month_only(birth_raw) and id_info is None
    if birth is not None:
        child["birth_date"] = birth
    if gender is not None:
        child["gender"] = gender

    ethnicity = r.text("ethnicity")
    if ethnicity:
        value = ethnicity if ethnicity in ETHNICITIES else ethnicity + "族"
        if value in ETHNICITIES:
            child["ethnicity"] = value
        else:
            r.error("ethnicity", f"无法识别的民族：{ethnicity}，请写全称，如 汉族、苗族")

    class_text = r.text("school_class")
    if not class_text:
        r.error("school_class", "班级不能为空")
    else:
        try:
            grade, number = parse_class(class_text)
        except ValidationError as e:
            r.error("school_class", e.messages[0])
        else:
            school_class = ctx.classes.get((grade, number))
            if school_class is None:
                r.error(
                    "school_class",
                    f"本校没有{SchoolClass.label(grade, number)}，请先由管理员添加该班级，或核对班级",
                )
            else:
                child["school_class"] = school_class
                meta["class_label"] = str(school_class)

    for key, limit in (("student_number", 30), ("hukou_address", 200), ("current_address", 200)):
        value = r.text(key)
        if len(value) > limit:
            r.error(key, f"内容过长（最多{limit}个字）")
        elif value:
            child[key] = value
    boarder = r.parse("is_boarder", lambda v: _choice(str(v), _YES_NO, "是否住校", ("是", "否")))
    if boarder is not None:
        child["is_boarder"] = boarder
    health = r.parse("health_status", lambda v: _choice(str(v), _HEALTH, "健康状况", _HEALTH_LABELS))
    if health is not None:
        child["health_status"] = health

    hardships = None
    text = r.text("hardships")
    if text:
        if text in _NONE_WORDS:
            hardships = []
        else:
            hardships, unknown = parse_hardships(text)
            for part in unknown:
                r.error("hardships", f"无法识别的困境类型：{part}，可填：{'、'.join(HardshipType.labels)}")
    return child, hardships, meta


def _read_parent(r: _RowReader, ctx: _Context, role: str) -> dict | None:
    values: dict = {}
    name = r.text(f"{role}_name")
    if name and starts_like_formula(name):
        r.error(f"{role}_name", FORMULA_NAME_MESSAGE)
    elif name and name not in _NONE_WORDS:
        values["name"] = name[:30]
    id_number = r.parse_identifier(f"{role}_id_number", lambda v: parse_id_number(v, today=ctx.today).number)
    if id_number:
        values["id_number"] = id_number
    phone = r.parse_identifier(f"{role}_phone", _phone)
    if phone:
        values["phone"] = phone
    status = r.parse(f"{role}_status", lambda v: _choice(str(v), _AWAY, f"{_PARENT_LABEL[role]}外出状态", AWAY_CHOICES))
    place_text = r.text(f"{role}_work_place")
    if place_text and place_text not in _NO_WORK_PLACE:
        match = match_place(place_text)
        if match is None:
            r.error(
                f"{role}_work_place",
                f"无法识别的务工地：{place_text}（找不到或有多个同名地区），请写成“省+市”，如 广东东莞、浙江省义乌市",
            )
        else:
            values["work_province"] = ctx.region(match.province_code)
            values["work_city"] = ctx.region(match.city_code)
            values["work_county"] = ctx.region(match.county_code)
            if status is None:
                status = AwayStatus.WORKING_AWAY
    elif place_text in _NO_WORK_PLACE and status is None and place_text:
        status = AwayStatus.AT_HOME
    if status is not None:
        values["away_status"] = status
        if status != AwayStatus.WORKING_AWAY and "work_province" in values:
            r.error(f"{role}_status", f"{_PARENT_LABEL[role]}外出状态为“{AwayStatus(status).label}”，却填写了务工地")
    employer = r.text(f"{role}_employer")
    if employer and employer not in _NONE_WORDS:
        values["employer"] = employer[:100]
    return values or None


def _read_guardian(r: _RowReader, current_name: str | None) -> dict | None:
    """The guardian's values of a row; `current_name` is the archive's current guardian's, if any."""
    values: dict = {}
    name = r.text("guardian_name")
    relation = r.parse(
        "guardian_relation", lambda v: _choice(str(v), _RELATIONS, "与儿童关系", (*RELATION_CHOICES, "爷爷", "外婆"))
    )
    phone = r.parse_identifier("guardian_phone", _phone)
    age = r.parse("guardian_age", _age)
    address = r.text("guardian_address")
    if not name:
        if phone or address or age or relation or "guardian_phone" in r.masked:
            r.error("guardian_name", "填写了监护人信息，但没有监护人姓名")
        return None
    if starts_like_formula(name):
        r.error("guardian_name", FORMULA_NAME_MESSAGE)
        return None
    values["name"] = name[:30]
    if relation:
        values["relation"] = relation
    elif r.raw("guardian_relation") is None and current_name != name:
        r.error("guardian_relation" if r.has("guardian_relation") else "guardian_name", "请填写监护人与儿童的关系")
    if phone:
        values["phone"] = phone
    if age:
        values["age"] = age
    if address:
        values["address"] = address[:200]
    return values
