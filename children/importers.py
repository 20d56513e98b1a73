"""Importing a school's own 留守儿童 sheet (.xlsx) into the archive.

Hand-written with openpyxl rather than django-import-export: real sheets have title rows, two-level
merged headers, synonyms, loose dates and free-text 务工地, and every one of those needs a decision
that must be visible (an error on that row, never a silent guess). Here the header detection, the
column synonyms and the per-cell parsers are plain functions that the tests drive directly.

Flow: read_import() validates a file and returns an ImportPreview (rows to create, update, leave alone,
and rows with errors, each error with its row number, column name and a Chinese message); nothing is
written. commit_import() validates the same file again and, only when no row has an error, saves every
row through children.services.save_archive in one transaction with the audit row. Importing the same file
twice creates nothing new: rows match existing children (身份证号, else name + birth date in the school)
and unchanged rows are skipped.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO
from zipfile import BadZipFile, ZipFile

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from caretrack import audit
from caretrack.models import AuditAction, Grade, School, SchoolClass
from caretrack.validation import check_id_consistency, parse_id_number, parse_loose_date, validate_phone
from children.forms import MAX_CHILD_AGE
from children.models import (
    ETHNICITIES,
    AwayStatus,
    Child,
    ChildHardship,
    FamilyAssessment,
    Guardian,
    GuardianRelation,
    GuardianshipLevel,
    HardshipType,
    HealthStatus,
    LeftBehindPeriod,
    LeftBehindType,
    Parent,
    ParentRole,
)
from children.services import ArchiveData, age_on, classify_left_behind, name_initials, save_archive
from guardians.models import Region
from guardians.regions import match_place

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_DATA_ROWS = 10_000
HEADER_SCAN_ROWS = 15
MIN_HEADER_COLUMNS = 3
EXAMPLE_MARK = "示例"  # the template's example row carries this in the 序号 column and is skipped


class ImportFileError(Exception):
    """The file as a whole cannot be read: one clear Chinese message, nothing written."""


# --- Columns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the header the template and the 台账 use
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # the template's dropdown
    width: int = 12
    note: str = ""  # shown on the template's instructions sheet


_PARENT_LABEL = {ParentRole.FATHER: "父亲", ParentRole.MOTHER: "母亲"}
AWAY_CHOICES = tuple(AwayStatus.labels)
RELATION_CHOICES = tuple(GuardianRelation.labels)
LEVEL_CHOICES = tuple(GuardianshipLevel.labels)


def _parent_columns(role: str) -> list[Column]:
    p = _PARENT_LABEL[role]
    short = p[0]  # 父 / 母
    return [
        Column(f"{role}_name", f"{p}姓名", (f"{short}亲名字", f"{short}名", f"{p}名字"), width=10),
        Column(
            f"{role}_phone",
            f"{p}联系电话",
            (f"{p}电话", f"{p}手机", f"{p}手机号", f"{p}手机号码", f"{p}联系方式", f"{p}电话号码", f"{short}电话"),
            width=15,
        ),
        Column(
            f"{role}_status",
            f"{p}外出状态",
            (f"{p}是否外出", f"{p}状态", f"{p}外出情况", f"{p}是否外出务工", f"{p}务工情况"),
            choices=AWAY_CHOICES,
            width=11,
            note="外出务工、在家、已故、服刑、失联、其他；留空时：填了务工地即为外出务工",
        ),
        Column(
            f"{role}_work_place",
            f"{p}务工地",
            (
                f"{p}务工地点",
                f"{p}务工地址",
                f"{p}外出务工地",
                f"{p}外出务工地点",
                f"{p}打工地点",
                f"{p}打工地",
                f"{p}工作地点",
                f"{p}务工省市",
                f"{short}务工地",
            ),
            width=18,
            note="写到省市即可，如 广东东莞、浙江省义乌市、上海浦东新区",
        ),
        Column(f"{role}_employer", f"{p}务工单位", (f"{p}工作单位", f"{p}单位"), width=16),
    ]


COLUMNS: list[Column] = [
    Column("seq", "序号", ("编号",), width=6),
    Column("name", "姓名", ("学生姓名", "儿童姓名", "留守儿童姓名", "学生名字"), width=10, note="必填"),
    Column("gender", "性别", choices=("男", "女"), width=6, note="必填；填了身份证号可留空"),
    Column(
        "birth_date",
        "出生日期",
        ("出生年月", "出生年月日", "生日", "出生时间"),
        width=12,
        note="如 2015-03-02、2015.3.2、2015年3月2日；只写年月（201503）时以身份证号为准，没有身份证号记为当月1日",
    ),
    Column("ethnicity", "民族", width=8),
    Column(
        "id_number",
        "身份证号",
        ("身份证号码", "公民身份号码", "学生身份证号", "儿童身份证号", "身份证", "身份证件号"),
        width=21,
        note="18位；请把该列设为“文本”格式，数字格式会丢失后几位",
    ),
    Column(
        "school_class",
        "班级",
        ("年级班级", "所在班级", "就读班级", "年级及班级", "年级班别", "班别", "年级班"),
        width=11,
        note="必填，如 三(2)班、3年级2班、三年级二班；须是系统中已有的班级",
    ),
    Column("student_number", "学籍号", ("学籍号码", "全国学籍号", "学籍编号"), width=20),
    Column("hukou_address", "户籍地址", ("户籍所在地", "户口所在地", "户籍地"), width=24),
    Column("current_address", "现居住地址", ("家庭住址", "现住址", "居住地址", "家庭地址", "现居地址"), width=24),
    Column("is_boarder", "是否住校", ("住校", "是否寄宿", "寄宿", "是否寄宿生"), choices=("是", "否"), width=8),
    Column("health_status", "健康状况", ("身体状况", "身体健康状况"), choices=tuple(HealthStatus.labels), width=10),
    Column(
        "hardships",
        "困境类型",
        ("困境儿童类型", "困境情况", "是否困境儿童"),
        width=14,
        note="可填多项，用顿号分隔：" + "、".join(HardshipType.labels),
    ),
    *_parent_columns(ParentRole.FATHER),
    *_parent_columns(ParentRole.MOTHER),
    Column(
        "guardian_name",
        "监护人姓名",
        ("委托监护人", "委托监护人姓名", "临时监护人", "临时监护人姓名", "监护人", "代管人", "代管人姓名"),
        width=10,
    ),
    Column(
        "guardian_relation",
        "与儿童关系",
        (
            "监护人与儿童关系",
            "与学生关系",
            "监护人关系",
            "与留守儿童关系",
            "与儿童的关系",
            "监护人与学生关系",
            "关系",
            "亲属关系",
        ),
        choices=RELATION_CHOICES,
        width=10,
        note="也可写 爷爷、奶奶、外公、外婆、姑姑、舅舅 等",
    ),
    Column(
        "guardian_phone",
        "监护人联系电话",
        ("监护人电话", "监护人手机", "监护人手机号", "监护人联系方式", "委托监护人电话", "委托监护人联系电话"),
        width=15,
    ),
    Column("guardian_age", "监护人年龄", width=8),
    Column("guardian_address", "监护人住址", ("监护人地址", "监护人家庭住址"), width=24),
    Column(
        "guardianship_level",
        "监护类型",
        ("监护情况", "监护类型评估", "监护状况"),
        choices=LEVEL_CHOICES,
        width=18,
    ),
]
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}

# Headers the 台账 export adds that an import reads past without complaint.
KNOWN_EXTRA_HEADERS = {
    "留守类型",
    "班主任",
    "帮扶教师",
    "建档完整度",
    "本学期谈心次数",
    "本学期家访次数",
    "备注",
    "学校",
    "就读学校",
    "年龄",
}

# Group headers of a two-level header ("父亲" merged over 姓名 / 电话 / 务工地点).
_GROUPS = {
    "父亲": "父亲",
    "父亲情况": "父亲",
    "父亲信息": "父亲",
    "父亲基本情况": "父亲",
    "母亲": "母亲",
    "母亲情况": "母亲",
    "母亲信息": "母亲",
    "母亲基本情况": "母亲",
    "监护人": "监护人",
    "监护人情况": "监护人",
    "监护人信息": "监护人",
    "委托监护人": "监护人",
    "委托监护人情况": "监护人",
    "委托监护人信息": "监护人",
    "临时监护人": "监护人",
    "临时监护人情况": "监护人",
    "代管人": "监护人",
    "代管人情况": "监护人",
}


def _normalize_header(value: object) -> str:
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*:：]+", "", text)


def _without_remarks(text: str) -> str:
    """'身份证号(18位)' -> '身份证号'."""
    return re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)


def _build_header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.label, *column.synonyms):
            index[_normalize_header(name)] = column.key
    # "监护人" + "与儿童关系" from a two-level header
    index["监护人与儿童关系"] = "guardian_relation"
    return index


_HEADER_INDEX = _build_header_index()


def column_key(header: object) -> str | None:
    """The column a header means, or None: spaces, line breaks, full-width brackets and remarks in
    brackets are ignored."""
    if header is None:
        return None
    text = _normalize_header(header)
    if not text:
        return None
    key = _HEADER_INDEX.get(text)
    if key is None:
        key = _HEADER_INDEX.get(_without_remarks(text))
    return key


def _is_known_extra(header: str) -> bool:
    return _without_remarks(_normalize_header(header)) in KNOWN_EXTRA_HEADERS


# --- Header detection -----------------------------------------------------------------------------


@dataclass
class Header:
    row: int  # 1-based row number of the (lower) header row
    keys: dict[int, str]  # column index -> column key
    names: dict[int, str]  # column index -> header as written (for error messages)
    ignored: list[str]  # headers that mean nothing to the import


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _combine(upper: tuple, lower: tuple) -> list[str]:
    """Header texts for a two-level header: the group of a merged cell above (read_only mode leaves
    merged cells empty except the first, so a group carries to the right until the next header) joined
    to the sub-header below; a cell merged down (empty below) keeps the text above."""
    width = max(len(upper), len(lower))
    out: list[str] = []
    group = ""
    for i in range(width):
        up = _text(upper[i]) if i < len(upper) else ""
        low = _text(lower[i]) if i < len(lower) else ""
        if up:
            group = _GROUPS.get(_normalize_header(up), "")
        if not low:
            out.append(up)
        elif group:
            combined = group + low
            out.append(combined if column_key(combined) else low)
        else:
            out.append(low)
    return out


def _map_headers(texts: list[str]) -> dict[int, str]:
    keys: dict[int, str] = {}
    seen: set[str] = set()
    for i, text in enumerate(texts):
        key = column_key(text)
        if key and key not in seen:
            keys[i] = key
            seen.add(key)
    return keys


def find_header(rows: list[tuple]) -> Header | None:
    """The header among the first rows: the row (alone, or with the row above as group headers) that
    names the most known columns, including 姓名. None when no row names at least three."""
    best: Header | None = None
    best_score = 0
    for i, row in enumerate(rows):
        candidates = [[_text(v) for v in row]]
        if i > 0:
            candidates.append(_combine(rows[i - 1], row))
        for texts in candidates:
            keys = _map_headers(texts)
            if "name" not in keys.values() or len(keys) < MIN_HEADER_COLUMNS:
                continue
            if len(keys) > best_score:
                best_score = len(keys)
                ignored = [t for j, t in enumerate(texts) if t and j not in keys and not _is_known_extra(t)]
                best = Header(
                    row=i + 1,
                    keys=keys,
                    names={j: re.sub(r"\s+", "", texts[j]) for j in keys},
                    ignored=ignored,
                )
    return best


# --- Cell parsers ---------------------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_GRADE_ALIASES = {"初一": 7, "初二": 8, "初三": 9, "七": 7, "八": 8, "九": 9}
_CLASS_RE = re.compile(
    r"(?P<grade>初[一二三]|[一二三四五六七八九]|[1-9])\s*(?:年级)?\s*[(\[（【.\-—、·]?\s*"
    r"(?P<number>十[一二三四五六七八九]?|[一二三四五六七八九十]{1,2}|[0-9]{1,2})\s*[)\]）】]?\s*班?"
)


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


def parse_class(value: object) -> tuple[int, int]:
    """三(2)班, 3年级2班, 三年级二班, 初一(3)班, 3.2班 → (grade, number)."""
    text = unicodedata.normalize("NFKC", _text(value)).replace(" ", "")
    match = None if text.isdigit() else _CLASS_RE.fullmatch(text)  # "32": grade 3 class 2, or class 32?
    if not match:
        raise ValidationError(f"无法识别的班级：{text}，请写成 三(2)班 或 3年级2班", code="invalid_class")
    grade_text = match["grade"]
    grade = _GRADE_ALIASES.get(grade_text) or _cn_number(grade_text)
    number = _cn_number(match["number"])
    if grade not in Grade.values or not number:
        raise ValidationError(f"无法识别的班级：{text}，请写成 三(2)班 或 3年级2班", code="invalid_class")
    return grade, number


def _choice(value: str, mapping: dict[str, str], what: str, allowed: tuple[str, ...]) -> str:
    key = unicodedata.normalize("NFKC", value).replace(" ", "")
    if key in mapping:
        return mapping[key]
    raise ValidationError(f"无法识别的{what}：{value}，可填：{'、'.join(allowed)}", code="invalid_choice")


_GENDERS = {"男": "M", "女": "F", "男生": "M", "女生": "F", "M": "M", "F": "F"}
_YES_NO = {"是": True, "否": False, "住校": True, "寄宿": True, "走读": False, "不住校": False, "√": True,
           "Y": True, "N": False, "有": True, "无": False}  # fmt: skip
_HEALTH = {label: value for value, label in HealthStatus.choices} | {
    "良好": HealthStatus.HEALTHY, "好": HealthStatus.HEALTHY, "正常": HealthStatus.HEALTHY,
    "慢性病": HealthStatus.CHRONIC, "重大疾病": HealthStatus.SERIOUS, "重病": HealthStatus.SERIOUS,
}  # fmt: skip
_AWAY = {label: value for value, label in AwayStatus.choices} | {
    "外出": AwayStatus.WORKING_AWAY, "务工": AwayStatus.WORKING_AWAY, "打工": AwayStatus.WORKING_AWAY,
    "外出打工": AwayStatus.WORKING_AWAY, "是": AwayStatus.WORKING_AWAY, "否": AwayStatus.AT_HOME,
    "在家务农": AwayStatus.AT_HOME, "本地": AwayStatus.AT_HOME, "去世": AwayStatus.DECEASED,
    "死亡": AwayStatus.DECEASED, "病故": AwayStatus.DECEASED, "离世": AwayStatus.DECEASED,
    "失踪": AwayStatus.MISSING, "下落不明": AwayStatus.MISSING, "坐牢": AwayStatus.IMPRISONED,
}  # fmt: skip
_RELATIONS = {label: value for value, label in GuardianRelation.choices} | {
    "爷爷": GuardianRelation.PATERNAL_GRANDFATHER, "奶奶": GuardianRelation.PATERNAL_GRANDMOTHER,
    "外公": GuardianRelation.MATERNAL_GRANDFATHER, "姥爷": GuardianRelation.MATERNAL_GRANDFATHER,
    "外婆": GuardianRelation.MATERNAL_GRANDMOTHER, "姥姥": GuardianRelation.MATERNAL_GRANDMOTHER,
    **{k: GuardianRelation.RELATIVE for k in (
        "亲属", "叔叔", "叔父", "婶婶", "伯父", "伯母", "姑姑", "姑妈", "姑父", "舅舅", "舅妈", "姨妈", "阿姨",
        "姨父", "哥哥", "姐姐", "堂哥", "堂姐", "表哥", "表姐", "叔侄", "姑侄", "舅甥",
    )},
}  # fmt: skip
_LEVELS = {label: value for value, label in GuardianshipLevel.choices} | {
    "较好": GuardianshipLevel.GOOD, "良好": GuardianshipLevel.GOOD, "好": GuardianshipLevel.GOOD,
    "一般": GuardianshipLevel.FAIR, "监护能力不足": GuardianshipLevel.GUARDIAN_INSUFFICIENT,
    "不足": GuardianshipLevel.GUARDIAN_INSUFFICIENT, "无人监护": GuardianshipLevel.NONE,
    "父母无监护能力": GuardianshipLevel.PARENT_INCAPABLE,
}  # fmt: skip
_HARDSHIPS = {label: value for value, label in HardshipType.choices} | {
    "低保": HardshipType.LOW_INCOME, "低保户": HardshipType.LOW_INCOME, "残疾儿童": HardshipType.DISABILITY,
    "重病儿童": HardshipType.SERIOUS_ILLNESS, "大病": HardshipType.SERIOUS_ILLNESS,
    "脱贫不稳定": HardshipType.POVERTY, "边缘易致贫": HardshipType.POVERTY, "监测户": HardshipType.POVERTY,
    "脱贫户": HardshipType.POVERTY,
}  # fmt: skip
_NONE_WORDS = {"无", "否", "没有", "/", "-", "—", "不是"}
_NO_WORK_PLACE = {"无", "在家", "本地", "/", "-", "—", "家中", "务农", "在家务农", "本县", "本镇"}
_MONTH_ONLY_RE = re.compile(r"[0-9]{4}\s*(?:[-./]\s*[0-9]{1,2}|[0-9]{2}|年\s*[0-9]{1,2}\s*月份?)")


def _month_only(value: object) -> bool:
    """201503, 2015.3, 2015年3月: the sheet gives a month, not a day."""
    if isinstance(value, int) and 190001 <= value <= 209912:
        return True
    return isinstance(value, str) and bool(_MONTH_ONLY_RE.fullmatch(unicodedata.normalize("NFKC", value).strip()))


def _split_list(text: str) -> list[str]:
    return [p for p in re.split(r"[、,，;；/\s]+", unicodedata.normalize("NFKC", text)) if p]


# --- Rows -----------------------------------------------------------------------------------------


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


class _RowReader:
    """Parses one row's cells; collects errors instead of stopping at the first."""

    def __init__(self, row_number: int, cells: dict[str, object], names: dict[str, str], sheet: str = ""):
        self.row = row_number
        self.sheet = sheet
        self.cells = cells
        self.names = names
        self.errors: list[RowError] = []

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
    else:
        child["name"] = re.sub(r"\s+", "", name)

    gender = r.parse("gender", lambda v: _choice(str(v), _GENDERS, "性别", ("男", "女")))
    id_info = None
    if r.raw("id_number") is not None:
        try:
            id_info = parse_id_number(_unmasked(r.raw("id_number"), "身份证号"), today=ctx.today)
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
                    f"本校没有{Grade(grade).label}({number})班，请先由管理员添加该班级，或核对班级",
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
    health = r.parse("health_status", lambda v: _choice(str(v), _HEALTH, "健康状况", tuple(HealthStatus.labels)))
    if health is not None:
        child["health_status"] = health

    hardships = None
    text = r.text("hardships")
    if text:
        if text in _NONE_WORDS:
            hardships = []
        else:
            hardships = []
            for part in _split_list(text):
                if part in _HARDSHIPS:
                    hardships.append(_HARDSHIPS[part])
                else:
                    r.error("hardships", f"无法识别的困境类型：{part}，可填：{'、'.join(HardshipType.labels)}")
    return child, hardships, meta


def _unmasked(value: object, what: str) -> object:
    """A masked export (4312**********002X, 139****5678) cannot be imported back: say so plainly."""
    if isinstance(value, str) and "*" in value:
        raise ValidationError(
            f"{what}中有 * 号，是导出时隐去的部分数字，无法导入。请导出时勾选“显示完整身份证号和电话”，或填写完整号码",
            code="masked",
        )
    return value


def _phone(value: object) -> str:
    return validate_phone(_unmasked(value, "电话"))


def _read_parent(r: _RowReader, ctx: _Context, role: str) -> dict | None:
    values: dict = {}
    name = r.text(f"{role}_name")
    if name and name not in _NONE_WORDS:
        values["name"] = name[:30]
    phone = r.parse(f"{role}_phone", _phone)
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


def _read_guardian(r: _RowReader, current: Guardian | None) -> dict | None:
    values: dict = {}
    name = r.text("guardian_name")
    relation = r.parse(
        "guardian_relation", lambda v: _choice(str(v), _RELATIONS, "与儿童关系", (*RELATION_CHOICES, "爷爷", "外婆"))
    )
    phone = r.parse("guardian_phone", _phone)
    age = r.parse("guardian_age", _age)
    address = r.text("guardian_address")
    if not name:
        if phone or address or age or relation:
            r.error("guardian_name", "填写了监护人信息，但没有监护人姓名")
        return None
    values["name"] = name[:30]
    if relation:
        values["relation"] = relation
    elif r.raw("guardian_relation") is None and (current is None or current.name != name):
        r.error("guardian_relation" if r.has("guardian_relation") else "guardian_name", "请填写监护人与儿童的关系")
    if phone:
        values["phone"] = phone
    if age:
        values["age"] = age
    if address:
        values["address"] = address[:200]
    return values


def _age(value: object) -> int:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip().rstrip("岁")
    if not text.isdigit() or not 16 <= int(text) <= 100:
        raise ValidationError("监护人年龄应为16至100之间的整数", code="invalid_age")
    return int(text)


# --- Reading a file -------------------------------------------------------------------------------


def _check_unpacked_size(source) -> None:
    """A 5 MB .xlsx can unpack to gigabytes (a "zip bomb"); openpyxl keeps the shared strings in memory."""
    try:
        with ZipFile(source) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (BadZipFile, OSError, ValueError):
        return  # load_workbook below gives the clear message
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError("文件内容过大（解压后超过 200 MB），请删除无关的工作表、图片后重试。")


def _open_workbook(source: str | Path | BinaryIO):
    from openpyxl import load_workbook

    _check_unpacked_size(source)
    try:
        return load_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise ImportFileError("无法读取该文件：请上传用 Excel 或 WPS 保存的 .xlsx 文件（不支持 .xls 或 .csv）。") from e
    except Exception as e:  # openpyxl raises assorted errors on broken files
        raise ImportFileError("无法读取该文件：文件已损坏或不是 .xlsx 格式。") from e


def _locate_sheets(workbook) -> Iterator[tuple[object, Header, Iterator[tuple]]]:
    """Every sheet with a recognisable header (schools often keep one sheet per grade or class), with
    its rows after the header. A sheet without one (instructions, a summary) is passed over."""
    found = False
    for sheet in workbook.worksheets:
        if not hasattr(sheet, "iter_rows"):
            continue  # chart sheets
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        head: list[tuple] = []
        for row in rows:
            head.append(tuple(row))
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = find_header(head)
        if header is not None:
            found = True
            yield sheet, header, _chain(head[header.row :], rows)
    if not found:
        raise ImportFileError(
            "没有找到表头：请确认表格前几行中有“姓名”“性别”“出生日期”“班级”等列名（可下载导入模板对照）。"
        )


def check_upload(name: str, size: int) -> None:
    if not name.lower().endswith(".xlsx"):
        raise ImportFileError("只能导入 .xlsx 格式的 Excel 文件。若是 .xls 或 WPS 的 .et 文件，请先“另存为” .xlsx。")
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"文件过大（{size / 1024 / 1024:.1f} MB），请不超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。"
        )
    if size == 0:
        raise ImportFileError("文件是空的。")


def read_import(*, school: School, source, filename: str, today: date | None = None) -> ImportPreview:
    """Validate a sheet against the school's archive. Reads only; raises ImportFileError for a file
    that cannot be used at all."""
    today = today or timezone.localdate()
    workbook = _open_workbook(source)
    parsed: list[tuple[_RowReader, dict, list[str] | None, dict, dict]] = []
    ctx = _Context(
        school=school,
        today=today,
        classes={(c.grade, c.number): c for c in SchoolClass.objects.filter(school=school)},
    )
    sheets: list[tuple[object, Header]] = []
    try:
        for sheet, header, rows in _locate_sheets(workbook):
            sheets.append((sheet, header))
            parsed.extend(_parse_rows(sheet.title, header, rows, ctx, already=len(parsed)))
    finally:
        workbook.close()
    if len(sheets) == 1:  # row numbers alone are clear; name sheets only when there are several
        for reader, *_ in parsed:
            reader.sheet = ""
            reader.errors[:] = [RowError(e.row, e.column, e.message) for e in reader.errors]
    rows = _resolve_rows(school=school, parsed=parsed, today=today)
    columns: list[str] = []
    ignored: list[str] = []
    for _sheet, header in sheets:
        for i in sorted(header.keys):
            if header.keys[i] != "seq" and header.names[i] not in columns:
                columns.append(header.names[i])
        ignored += [name for name in header.ignored if name not in ignored]
    return ImportPreview(
        filename=filename,
        sheet="、".join(sheet.title for sheet, _ in sheets),
        header_row=sheets[0][1].row,
        columns=columns,
        ignored_columns=ignored,
        rows=rows,
    )


def _class_from_sheet_name(sheet: str) -> str | None:
    """A sheet named 三(2)班 in a workbook kept one sheet per class, when the sheet has no 班级 column."""
    try:
        parse_class(sheet)
    except ValidationError:
        return None
    return sheet


def _parse_rows(sheet: str, header: Header, rows: Iterator[tuple], ctx: _Context, *, already: int) -> Iterator:
    names = {header.keys[i]: header.names[i] for i in header.keys}
    sheet_class = None if "school_class" in names else _class_from_sheet_name(sheet)
    if sheet_class:
        names["school_class"] = "工作表名"
    row_number = header.row
    count = already
    for row in rows:
        row_number += 1
        cells = {key: row[i] if i < len(row) else None for i, key in header.keys.items()}
        if _skip(cells):
            continue
        if sheet_class:
            cells["school_class"] = sheet_class
        count += 1
        if count > MAX_DATA_ROWS:
            raise ImportFileError(f"一次最多导入 {MAX_DATA_ROWS} 行，请分成几个文件导入。")
        reader = _RowReader(row_number, cells, names, sheet)
        child, hardships, meta = _read_child(reader, ctx)
        parents = {}
        for role in (ParentRole.FATHER, ParentRole.MOTHER):
            values = _read_parent(reader, ctx, role)
            if values:
                parents[role] = values
        level = reader.parse("guardianship_level", lambda v: _choice(str(v), _LEVELS, "监护类型", LEVEL_CHOICES))
        yield reader, child, hardships, parents, {"level": level, **meta}


def _chain(buffered: list[tuple], rest: Iterator[tuple]) -> Iterator[tuple]:
    yield from buffered
    yield from rest


def _skip(cells: dict) -> bool:
    """Blank rows, footers ("填表人：…" in a column the import does not read) and the template's
    example row."""
    seq = cells.get("seq")
    if isinstance(seq, str) and seq.strip().startswith(EXAMPLE_MARK):
        return True
    return all(v is None or (isinstance(v, str) and not v.strip()) for k, v in cells.items() if k != "seq")


def _resolve_rows(*, school: School, parsed: list, today: date) -> list[RowResult]:
    """Match rows to existing children (two queries), spot duplicates within the file, and decide
    create / update / unchanged / error."""
    ids = {child["id_number"] for _, child, *_ in parsed if child.get("id_number")}
    names = {child["name"] for _, child, *_ in parsed if child.get("name")}
    by_id: dict[str, Child] = {}
    for start in range(0, len(ids), 500):
        chunk = sorted(ids)[start : start + 500]
        by_id.update({c.id_number: c for c in Child.objects.filter(id_number__in=chunk)})
    same_school = list(Child.objects.filter(school=school, name__in=names)) if names else []
    by_name_birth = {(c.name, c.birth_date): c for c in same_school}
    by_name_month: dict[tuple, list[Child]] = {}
    for c in same_school:
        by_name_month.setdefault((c.name, c.birth_date.year, c.birth_date.month), []).append(c)

    matches: dict[int, Child] = {}
    seen_ids: dict[str, str] = {}
    seen_names: dict[tuple, str] = {}
    for index, (reader, child, _hardships, _parents, meta) in enumerate(parsed):
        number = child.get("id_number")
        if number:
            if number in seen_ids:
                reader.error("id_number", f"与{seen_ids[number]}的身份证号重复")
            seen_ids.setdefault(number, reader.where)
        key = (child.get("name"), child.get("birth_date"))
        if all(key):
            if key in seen_names:
                reader.error("name", f"与{seen_names[key]}同名且出生日期相同，是否重复录入？")
            seen_names.setdefault(key, reader.where)
        found = by_id.get(number) if number else None
        by_name = by_name_birth.get(key) if all(key) else None
        if by_name is None and meta.get("month_only") and all(key):
            candidates = by_name_month.get((key[0], key[1].year, key[1].month), [])
            if len(candidates) == 1:
                by_name = candidates[0]
                child["birth_date"] = by_name.birth_date  # the archive has the day; the sheet only the month
        if found is not None and found.school_id != school.pk:
            reader.error("id_number", "该身份证号的学生已在其他学校建档，不能重复导入（转学学生请联系原学校办理转出）")
            continue
        if found is not None and by_name is not None and found.pk != by_name.pk:
            reader.error("id_number", "身份证号与本校另一名同名、同出生日期的学生不一致，请核对")
            continue
        if found is None and by_name is not None and by_name.id_number and number and by_name.id_number != number:
            reader.error("id_number", "本校已有同名、同出生日期的学生，但身份证号不同，请核对")
            continue
        match = found or by_name
        if match is not None:
            matches[index] = match

    # The matched children with what a comparison needs, in a fixed number of queries.
    existing = {
        c.pk: c
        for c in Child.objects.filter(pk__in=[c.pk for c in matches.values()])
        .select_related("school_class", "assessment")
        .prefetch_related(
            Prefetch("parents", to_attr="parent_list"),
            Prefetch("hardships", to_attr="hardship_list"),
            Prefetch("guardians", queryset=Guardian.objects.filter(until__isnull=True), to_attr="current_guardians"),
        )
    }
    results: list[RowResult] = []
    for index, (reader, child, hardships, parents, meta) in enumerate(parsed):
        match = existing.get(matches[index].pk) if index in matches else None
        current_guardian = match.current_guardians[0] if match and match.current_guardians else None
        guardian = _read_guardian(reader, current_guardian)
        result = RowResult(
            row=reader.row, name=child.get("name", ""), class_label=meta.get("class_label", ""), sheet=reader.sheet
        )
        result.errors = reader.errors
        if reader.errors:
            result.action = Action.ERROR
            results.append(result)
            continue
        level = meta.get("level")
        data = ArchiveData(
            child=child,
            hardships=hardships,
            parents=parents,
            guardian=guardian,
            guardian_change_reason="",
            assessment={"guardianship_level": level} if level else None,
        )
        result.data = data
        if match is None:
            result.action = Action.CREATE
            if data.assessment is not None:
                data.assessment["assessed_on"] = today
        else:
            result.existing = match
            result.changes = _changes(match, data, current_guardian)
            result.action = Action.UPDATE if result.changes else Action.UNCHANGED
        results.append(result)
    return results


_CHILD_LABELS = {f.name: str(f.verbose_name) for f in Child._meta.get_fields() if hasattr(f, "verbose_name")}


def _changes(child: Child, data: ArchiveData, guardian: Guardian | None) -> list[str]:
    """What an import would change in an existing archive, as labels for the preview."""
    changes = [_CHILD_LABELS[k] for k, v in data.child.items() if getattr(child, k) != v]
    if data.hardships is not None and set(data.hardships) != {h.kind for h in child.hardship_list}:
        changes.append("困境类型")
    parents = {p.role: p for p in child.parent_list}
    for role, values in data.parents.items():
        parent = parents.get(role)
        label = _PARENT_LABEL[role]
        if parent is None:
            changes.append(label)
            continue
        for key, value in values.items():
            current = getattr(parent, key + "_id") if key.startswith("work_") else getattr(parent, key)
            wanted = value.pk if isinstance(value, Region) else value
            if current != wanted:
                changes.append(f"{label}{Parent._meta.get_field(key).verbose_name}")
    if data.guardian is not None:
        if guardian is None or guardian.name != data.guardian["name"]:
            changes.append("委托监护人")
        else:
            for key, value in data.guardian.items():
                if getattr(guardian, key) != value:
                    changes.append(f"监护人{Guardian._meta.get_field(key).verbose_name}")
    if data.assessment is not None:
        assessment = getattr(child, "assessment", None)
        if assessment is None or assessment.guardianship_level != data.assessment["guardianship_level"]:
            changes.append("监护类型")
    return changes


# --- Committing -----------------------------------------------------------------------------------


class ImportRejected(Exception):
    """The confirmed import was not saved (nothing was): the preview carries the row errors."""

    def __init__(self, preview: ImportPreview, message: str = ""):
        super().__init__(message or "导入未执行：有错误的行。")
        self.preview = preview
        self.message = message or "导入未执行：请先改正下列错误的行，再重新上传。"


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    updated: int
    unchanged: int
    preview: ImportPreview


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def commit_import(
    *, school: School, source, filename: str, acting_user, sha256: str = "", today: date | None = None
) -> ImportOutcome:
    """Validate the sheet again and save every row that creates or changes an archive, all in one
    transaction with the audit row: any error leaves the database as it was (ImportRejected).
    History rows of the saved archives name the acting user and the file."""
    today = today or timezone.localdate()
    preview = read_import(school=school, source=source, filename=filename, today=today)
    if preview.error_rows:
        raise ImportRejected(preview)
    reason = f"Excel导入：{filename}"[:100]
    created = updated = 0
    updated_ids: list[int] = []
    started = timezone.now()
    try:
        with transaction.atomic():
            new_rows = [row for row in preview.rows if row.action == Action.CREATE]
            # New children carry the user and the file in their history rows already.
            _create_archives(new_rows, school=school, acting_user=acting_user, reason=reason, on=today)
            created = len(new_rows)
            update_rows = [row for row in preview.rows if row.action == Action.UPDATE]
            for row in _update_child_fields(
                update_rows, school=school, acting_user=acting_user, reason=reason, on=today
            ):
                row.data.guardian_change_reason = reason
                try:
                    child = save_archive(
                        school=school, data=row.data, acting_user=acting_user, child=row.existing, on=today
                    )
                except ValidationError as e:
                    row.action = Action.ERROR
                    row.errors.extend(RowError(row.row, "档案", m, row.sheet) for m in e.messages)
                    raise ImportRejected(preview) from e
                updated_ids.append(child.pk)
            updated = len(update_rows)
            _stamp_history(updated_ids, since=started, user=acting_user, reason=reason)
            audit.record(
                user=acting_user,
                action=AuditAction.IMPORT,
                target=f"学生档案导入 {filename}",
                school=school,
                kind="children",
                filename=filename,
                sha256=sha256,
                created=created,
                updated=updated,
                unchanged=preview.unchanged,
            )
    except IntegrityError as e:
        # Someone saved the same child between the check and the save: nothing of this import was kept.
        raise ImportRejected(preview, "导入未执行：导入期间这些学生的档案被其他人修改了，请重新上传预览。") from e
    return ImportOutcome(created=created, updated=updated, unchanged=preview.unchanged, preview=preview)


_CHILD_LABEL_SET = frozenset(_CHILD_LABELS.values())


def _update_child_fields(rows: list[RowResult], *, school: School, acting_user, reason: str, on: date) -> list:
    """Rows whose only changes are the child's own fields (a new class after the summer, a new address)
    are saved in bulk with their history rows; the rest are returned for save_archive(). A row whose
    留守类型 would change (a child turning 16) also goes through save_archive(), which keeps the periods."""
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    fast: list[Child] = []
    rest: list[RowResult] = []
    fields: set[str] = set()
    now = timezone.now()
    for row in rows:
        child = row.existing
        birth = row.data.child.get("birth_date", child.birth_date)
        kind = classify_left_behind(
            parents=child.parent_list, birth_date=birth, on=on, counts_one_parent_away=school.counts_one_parent_away
        )
        if not set(row.changes) <= _CHILD_LABEL_SET or kind != child.left_behind_type:
            rest.append(row)
            continue
        changed = [k for k, v in row.data.child.items() if getattr(child, k) != v]
        for key in changed:
            setattr(child, key, row.data.child[key])
        child.name_initials = name_initials(child.name)
        child.updated_at = now
        child.clean_fields(exclude=["school", "school_class", "created_by"])
        fields.update(changed)
        fast.append(child)
    if fast:
        bulk_update_with_history(
            fast,
            Child,
            sorted(fields | {"name_initials", "updated_at"}),
            batch_size=500,
            default_user=user,
            default_change_reason=reason,
        )
    return rest


def _create_archives(rows: list[RowResult], *, school: School, acting_user, reason: str, on: date) -> list[int]:
    """New children in bulk: the same rows save_archive() would write for a new child (child, parents,
    guardian, hardships, assessment, the 留守 period from `on`), with their history rows naming the user
    and the file, in a fixed number of queries. save_archive() takes about 15 queries a child, which is
    a minute for a 5,000-row sheet."""
    if not rows:
        return []
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    children: list[Child] = []
    parents: list[list[Parent]] = []
    for row in rows:
        child = Child(school=school, created_by=user, **row.data.child)
        child.id_number = child.id_number or None
        child.name_initials = name_initials(child.name)
        child.clean_fields(exclude=["school", "school_class", "created_by"])
        # Parents and guardians hold only what the row parsers produced (choices mapped, lengths cut,
        # phones normalised); the child is checked field by field as save_archive would.
        family = [Parent(child=child, role=role, **values) for role, values in row.data.parents.items()]
        child.left_behind_type = classify_left_behind(
            parents=family, birth_date=child.birth_date, on=on, counts_one_parent_away=school.counts_one_parent_away
        )
        children.append(child)
        parents.append(family)
    history = {"batch_size": 500, "default_user": user, "default_change_reason": reason}
    bulk_create_with_history(children, Child, **history)
    for child, family in zip(children, parents, strict=True):
        for parent in family:
            parent.child = child  # the child has its primary key now
    bulk_create_with_history([p for family in parents for p in family], Parent, **history)
    guardians, assessments, hardships, periods = [], [], [], []
    for row, child in zip(rows, children, strict=True):
        data = row.data
        if data.guardian is not None:
            values = dict(data.guardian)
            guardians.append(Guardian(child=child, since=values.pop("since", None) or on, **values))
        if data.assessment is not None:
            assessments.append(FamilyAssessment(child=child, **data.assessment))
        hardships.extend(ChildHardship(child=child, kind=kind) for kind in sorted(set(data.hardships or ())))
        if child.left_behind_type != LeftBehindType.NOT_LEFT_BEHIND:
            periods.append(
                LeftBehindPeriod(child=child, kind=child.left_behind_type, start_date=on, reason="Excel导入建档")
            )
    bulk_create_with_history(guardians, Guardian, **history)
    bulk_create_with_history(assessments, FamilyAssessment, **history)
    ChildHardship.objects.bulk_create(hardships, batch_size=500)
    LeftBehindPeriod.objects.bulk_create(periods, batch_size=500)
    return [c.pk for c in children]


def _stamp_history(child_ids: list[int], *, since: datetime, user, reason: str) -> None:
    """Mark the history rows this import wrote with the acting user and the file (a command-line
    import has no request for simple_history to read the user from)."""
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    for start in range(0, len(child_ids), 500):
        ids = child_ids[start : start + 500]
        Child.history.filter(id__in=ids, history_date__gte=since).update(
            history_user_id=user_id, history_change_reason=reason
        )
        for model in (Parent, Guardian, FamilyAssessment):
            model.history.filter(child_id__in=ids, history_date__gte=since).update(
                history_user_id=user_id, history_change_reason=reason
            )
