"""The staff list from Excel: the template, reading a sheet into StaffRow values with every row's problems
in Chinese, and the checks against the school (phones in use, classes and their 班主任) that the preview
and the service (caretrack.services.staff.import_staff) both make. Reads only; nothing here writes.

Columns: 姓名, 性别, 手机号, 任教班级/班主任 (三年级(2)班, 3年级2班, 3-2: the person becomes that class's
班主任), 角色 (教师/校长/关爱工作负责人/德育主任, several separated by 、 or ，). The file is bounded like the
roster import (caretrack.spreadsheets.ReadLimits)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from caretrack.models import Gender, Grade, School, SchoolClass, StaffProfile
from caretrack.sheet_reading import ReadLimits, SheetFileError, SkippedRow, non_data_reason, read_sheets
from caretrack.spreadsheets import FORMULA_NAME_MESSAGE, starts_like_formula
from caretrack.validation import normalize_phone

# Each account costs a deliberately slow password hash (about half a second here): 200 people is
# already a long request, and no school has more staff than that to add at once.
MAX_STAFF_ROWS = 200
LIMITS = ReadLimits(max_data_rows=MAX_STAFF_ROWS, what="教职工名单")
HEADER_SCAN_ROWS = 10
EXAMPLE_MARK = "示例"
MAX_NAME_LENGTH = 30

ROLE_LABELS = {"principal": "校长", "coordinator": "关爱工作负责人", "teacher": "教师"}
ROLES = frozenset(ROLE_LABELS)
_ROLE_WORDS = {
    "校长": "principal",
    "关爱工作负责人": "coordinator",
    "德育主任": "coordinator",
    "负责人": "coordinator",
    "教师": "teacher",
    "老师": "teacher",
    "班主任": "teacher",  # 班主任 itself comes from the class column; the word only means "a teacher"
}
ROLE_WORDS_HELP = "教师、校长、关爱工作负责人、德育主任"
_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE, "M": Gender.MALE,
            "F": Gender.FEMALE}  # fmt: skip

CLASS_HELP = "请写成 三年级(2)班、3年级2班 或 3-2"
MOBILE_MESSAGE = "手机号应为11位手机号码，如 13812345678"
_MOBILE = re.compile(r"1[3-9][0-9]{9}")

_COLUMNS = {
    "seq": ("序号", "编号"),
    "name": ("姓名", "教师姓名", "教职工姓名", "名字"),
    "gender": ("性别",),
    "phone": ("手机号", "手机", "手机号码", "联系电话", "电话", "联系方式"),
    "head_of": ("任教班级/班主任", "任教班级", "班主任", "担任班主任", "班主任班级", "班级", "任班主任班级"),
    "roles": ("角色", "职务", "身份", "岗位"),
}
_HEADER_KEYS = {alias: key for key, aliases in _COLUMNS.items() for alias in aliases}
COLUMN_LABELS = {"name": "姓名", "gender": "性别", "phone": "手机号", "head_of": "任教班级/班主任", "roles": "角色"}

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CLASS_RE = re.compile(
    r"(?P<grade>初[一二三]|[一二三四五六七八九]|[1-9])\s*(?:年级)?\s*[(\[【.\-—、·]?\s*"
    r"(?P<number>十[一二三四五六七八九]?|[一二三四五六七八九]十?[一二三四五六七八九]?|[0-9]{1,2})\s*[)\]】]?\s*班?"
)


# --- One value each ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    if len(text) == 1:
        return _CN_DIGITS.get(text)
    return None


def parse_class_label(value: object) -> tuple[int, int] | None:
    """三年级(2)班, 三(2)班, 3年级2班, 初一(3)班, 3-2, 3.2 → (grade, number); None when unreadable."""
    text = _text(value).replace(" ", "")
    if not text or text.isdigit():  # "32": grade 3 class 2, or class 32?
        return None
    match = _CLASS_RE.fullmatch(text)
    if not match:
        return None
    grade_text = match["grade"]
    grade = {"初一": 7, "初二": 8, "初三": 9}.get(grade_text) or _cn_number(grade_text)
    number = _cn_number(match["number"])
    if grade not in Grade.values or not number:
        return None
    return grade, number


def check_mobile(value: object) -> str:
    """An 11-digit mainland mobile (separators and +86 dropped), or "" for a blank; ValueError otherwise."""
    text = normalize_phone(_text(value))
    if text and not _MOBILE.fullmatch(text):
        raise ValueError(MOBILE_MESSAGE)
    return text


def check_name(value: object) -> str:
    name = _text(value)
    if not name:
        raise ValueError("姓名不能为空")
    if starts_like_formula(name):
        raise ValueError(FORMULA_NAME_MESSAGE)
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"姓名过长（最多 {MAX_NAME_LENGTH} 个字）")
    return name


def parse_roles(value: object) -> frozenset[str]:
    words = [w for w in re.split(r"[、,，;；/\s]+", _text(value)) if w]
    roles = set()
    for word in words:
        if word not in _ROLE_WORDS:
            raise ValueError(f"无法识别的角色：{word}，可填：{ROLE_WORDS_HELP}")
        roles.add(_ROLE_WORDS[word])
    return frozenset(roles or {"teacher"})


def roles_label(roles) -> str:
    return "、".join(ROLE_LABELS[r] for r in ("principal", "coordinator", "teacher") if r in roles)


# --- Rows -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    """One person to add: what add_staff takes, with the sheet row it came from (for messages)."""

    row: int
    name: str
    gender: str = ""
    phone: str = ""
    roles: frozenset[str] = frozenset({"teacher"})
    head_of: SchoolClass | None = None

    @property
    def roles_label(self) -> str:
        return roles_label(self.roles)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    @property
    def where(self) -> str:
        return f"第{self.row}行"

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}：{self.message}" if self.column else f"第{self.row}行：{self.message}"


@dataclass(frozen=True)
class HeadChange:
    """A class whose current 班主任 the import would replace."""

    row: int
    school_class: SchoolClass
    current: str
    new: str


@dataclass
class StaffPreview:
    filename: str
    rows: list[StaffRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    head_changes: list[HeadChange] = field(default_factory=list)
    same_names: list[RowError] = field(default_factory=list)  # warnings: 本校已有同名教职工
    skipped: list[SkippedRow] = field(default_factory=list)  # 合计, 落款: not imported

    @property
    def error_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def can_commit(self) -> bool:
        return bool(self.rows) and not self.errors


def check_rows(*, school: School, rows: list[StaffRow], allowed_roles=ROLES) -> list[RowError]:
    """The problems of already-read rows, within the sheet and against the school: an empty name, a bad
    phone, a phone twice in the sheet or already used by an active account, a class not of this school
    (or graduated), a class named twice as 班主任, a role the acting user may not give. Two queries."""
    errors: list[RowError] = []
    first_phone: dict[str, int] = {}
    first_class: dict[int, int] = {}
    phones = {r.phone for r in rows if r.phone}
    users_by_phone: dict[str, StaffProfile] = {}
    for holder in StaffProfile.objects.filter(phone__in=phones, user__is_active=True).select_related("user"):
        if holder.phone not in users_by_phone or holder.school_id == school.pk:  # name a colleague, never a school
            users_by_phone[holder.phone] = holder
    active_classes = set(SchoolClass.objects.active().filter(school=school).values_list("pk", flat=True))
    for r in rows:
        for column, check, value in (("姓名", check_name, r.name), ("手机号", check_mobile, r.phone)):
            try:
                check(value)
            except ValueError as e:
                errors.append(RowError(r.row, column, str(e)))
        if r.gender not in ("", *Gender.values):
            errors.append(RowError(r.row, "性别", "性别只能是男或女"))
        if not r.roles or not set(r.roles) <= ROLES:
            errors.append(RowError(r.row, "角色", f"请填写角色，可填：{ROLE_WORDS_HELP}"))
        elif set(r.roles) - set(allowed_roles):
            errors.append(RowError(r.row, "角色", "只有校长可以设置“校长”“关爱工作负责人”角色"))
        if r.phone:
            if r.phone in first_phone:
                errors.append(RowError(r.row, "手机号", f"手机号 {r.phone} 与第{first_phone[r.phone]}行重复"))
            else:
                first_phone[r.phone] = r.row
            holder = users_by_phone.get(r.phone)
            if holder is not None:
                who = f"本校教职工 {holder}" if holder.school_id == school.pk else "其他账号"
                errors.append(RowError(r.row, "手机号", f"手机号 {r.phone} 已被{who}使用"))
        if r.head_of is not None:
            if r.head_of.pk not in active_classes:
                errors.append(RowError(r.row, "任教班级/班主任", f"本校没有 {r.head_of}（或该班已毕业）"))
            elif r.head_of.pk in first_class:
                errors.append(
                    RowError(r.row, "任教班级/班主任", f"{r.head_of} 已在第{first_class[r.head_of.pk]}行填为班主任")
                )
            else:
                first_class[r.head_of.pk] = r.row
    return errors


def head_changes(*, school: School, rows: list[StaffRow]) -> list[HeadChange]:
    """Classes in the rows that already have an active 班主任 (one query)."""
    wanted = {r.head_of.pk: r for r in rows if r.head_of is not None}
    headed = SchoolClass.objects.filter(
        pk__in=wanted, school=school, head_teacher__isnull=False, head_teacher__is_active=True
    ).select_related("head_teacher")
    return [
        HeadChange(wanted[c.pk].row, c, c.head_teacher.get_full_name() or c.head_teacher.username, wanted[c.pk].name)
        for c in sorted(headed, key=lambda c: wanted[c.pk].row)
    ]


# --- The sheet --------------------------------------------------------------------------------------


def _header_key(text: object) -> str | None:
    cleaned = re.sub(r"[(（][^)）]*[)）]|[*＊\s:：]", "", _text(text))
    return _HEADER_KEYS.get(cleaned) or _HEADER_KEYS.get(_text(text).replace(" ", ""))


def _find_header(head: list[tuple]) -> tuple[int, dict[int, str]] | None:
    """(row number, column index → key) of the first row naming 姓名 and at least one other column."""
    for number, row in enumerate(head, start=1):
        keys: dict[int, str] = {}
        for i, cell in enumerate(row):
            key = _header_key(cell)
            if key and key not in keys.values():
                keys[i] = key
        if "name" in keys.values() and len(set(keys.values()) - {"seq"}) >= 2:
            return number, keys
    return None


def read_staff_sheet(
    file, *, school: School, filename: str = "", allowed_roles=ROLES, limits: ReadLimits = LIMITS
) -> StaffPreview:
    """Read the first sheet with a staff header and check every row (check_rows, head_changes). Raises
    SheetFileError for a file that cannot be used at all; row problems are in the preview's errors."""
    rows: list[StaffRow] = []
    errors: list[RowError] = []
    skipped: list[SkippedRow] = []
    found = False
    for sheet in read_sheets(file, limits=limits, filename=filename):
        stream = sheet.rows
        head = []
        for row in stream:
            head.append(row)
            if len(head) >= HEADER_SCAN_ROWS:
                break
        header = _find_header(head)
        if header is None:
            continue
        found = True
        header_row, keys = header
        numbered = list(enumerate(head[header_row:], start=header_row + 1))
        _read_rows(
            numbered, stream, keys, school, rows, errors, limits, start=header_row + len(numbered) + 1, skipped=skipped
        )
        break
    if not found:
        raise SheetFileError(
            "没有找到表头：请确认表格前几行中有“姓名”“手机号”“任教班级/班主任”“角色”等列名（可下载模板对照）。"
        )
    errors += check_rows(school=school, rows=rows, allowed_roles=allowed_roles)
    errors.sort(key=lambda e: e.row)
    preview = StaffPreview(filename=filename, rows=rows, errors=errors, skipped=skipped)
    preview.head_changes = head_changes(school=school, rows=rows)
    preview.same_names = _same_names(school, rows)
    return preview


def _read_rows(numbered, stream, keys, school, rows, errors, limits, *, start, skipped):
    classes = {(c.grade, c.number): c for c in SchoolClass.objects.active().filter(school=school)}
    data_columns = [i for i, key in keys.items() if key not in ("seq", "name")]

    def all_rows():
        yield from numbered
        yield from enumerate(stream, start=start)

    count = 0
    for number, row in all_rows():
        cells = {key: row[i] if i < len(row) else None for i, key in keys.items()}
        reason = non_data_reason(
            row, name=cells.get("name"), others=[row[i] if i < len(row) else None for i in data_columns]
        )
        if reason is not None:
            skipped.append(SkippedRow(number, reason))
            continue
        if _skip(cells):
            continue
        count += 1
        if count > limits.max_data_rows:
            raise SheetFileError(f"一次最多导入 {limits.max_data_rows} 名教职工，请分成几个文件导入。")
        row_errors: list[RowError] = []
        gender = _text(cells.get("gender"))
        if gender and gender not in _GENDERS:
            row_errors.append(RowError(number, "性别", f"无法识别的性别：{gender}，可填：男、女"))
        try:
            roles = parse_roles(cells.get("roles"))
        except ValueError as e:
            row_errors.append(RowError(number, "角色", str(e)))
            roles = frozenset({"teacher"})
        head_of = None
        class_text = _text(cells.get("head_of"))
        if class_text:
            if len([p for p in re.split(r"[、,，;；/]+", class_text) if p]) > 1:
                row_errors.append(RowError(number, "任教班级/班主任", "每人只能填一个班级（担任该班班主任）"))
            else:
                label = parse_class_label(class_text)
                head_of = classes.get(label) if label else None
                if label is None:
                    row_errors.append(
                        RowError(
                            number,
                            "任教班级/班主任",
                            f"无法识别的班级：{class_text}，请写成 三年级(2)班、3年级2班 或 3-2",
                        )
                    )
                elif head_of is None:
                    row_errors.append(
                        RowError(number, "任教班级/班主任", f"本校没有 {SchoolClass.label(*label)}（或该班已毕业）")
                    )
                else:
                    roles = roles | {"teacher"}  # 任教班级: the 班主任 teaches
        phone = normalize_phone(_text(cells.get("phone")))
        errors.extend(row_errors)
        if not row_errors:
            rows.append(
                StaffRow(
                    row=number,
                    name=_text(cells.get("name")),
                    gender=_GENDERS.get(gender, ""),
                    phone=phone,
                    roles=roles,
                    head_of=head_of,
                )
            )
        else:  # still checked for name and phone, so every problem of the row is listed at once
            for column, check, value in (("姓名", check_name, cells.get("name")), ("手机号", check_mobile, phone)):
                try:
                    check(value)
                except ValueError as e:
                    errors.append(RowError(number, column, str(e)))


def _skip(cells: dict) -> bool:
    """Blank rows and the template's example row (示例 in 序号)."""
    seq = cells.get("seq")
    if isinstance(seq, str) and seq.strip().startswith(EXAMPLE_MARK):
        return True
    return all(v is None or (isinstance(v, str) and not v.strip()) for k, v in cells.items() if k != "seq")


def _same_names(school: School, rows: list[StaffRow]) -> list[RowError]:
    names = {r.name for r in rows}
    existing = set(
        StaffProfile.objects.filter(school=school, user__is_active=True, user__first_name__in=names).values_list(
            "user__first_name", flat=True
        )
    )
    return [
        RowError(r.row, "姓名", f"本校已有同名教职工“{r.name}”：若是同一人，请勿重复添加")
        for r in rows
        if r.name in existing
    ]


# --- The template -----------------------------------------------------------------------------------


def staff_template() -> bytes:
    """The staff import template: the header the import reads, an example row (示例 in 序号, skipped),
    a 性别 dropdown, text-formatted phones and an instructions sheet."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "教职工名单"
    headers = ["序号", "姓名", "性别", "手机号", "任教班级/班主任", "角色"]
    widths = [8, 14, 8, 16, 20, 28]
    ws.append(headers)
    for cell, width in zip(ws[1], widths, strict=True):
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.append([EXAMPLE_MARK, "张老师", "女", "13812345678", "三年级(2)班", "教师"])
    for cell in ws[2]:
        cell.font = Font(color="808080", italic=True)
    ws.column_dimensions["D"].number_format = "@"
    genders = DataValidation(type="list", formula1='"男,女"', allow_blank=True)
    genders.add("C2:C1001")
    ws.add_data_validation(genders)
    ws.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    notes.append(["填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in (
        ("每行一人", "从第3行起填写（第2行是示例，序号为“示例”的行不会导入，可以删除）。"),
        ("姓名", "必填。登录账号按姓名拼音生成（如 zhanglaoshi），重名时自动加数字。"),
        ("手机号", "选填，11位手机号；不能与已有账号的手机号重复。"),
        (
            "任教班级/班主任",
            "选填，填写该教师担任班主任的班级，如 三年级(2)班、3年级2班 或 3-2；每班只能有一名班主任。",
        ),
        ("角色", f"选填，默认为教师；可填 {ROLE_WORDS_HELP}，多个角色用“、”隔开。"),
        ("全部或全不", "只要有一行有错误，整张表都不会导入；请按预览中列出的问题改正后重新上传。"),
        ("初始密码", "导入后系统为每人生成初始密码，只显示一次，可打印账号条发给本人；首次登录后须修改密码。"),
    ):
        notes.append(list(line))
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
