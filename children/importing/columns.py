"""The import's column catalogue: each column of the school sheet with its label in the template and the
台账, the synonyms real sheets use, the template's dropdown and note; and column_key(), which maps a header
as written to the column it means."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from children.models import AwayStatus, GuardianRelation, GuardianshipLevel, HardshipType, HealthStatus, ParentRole

MAX_DATA_ROWS = 10_000
EXAMPLE_MARK = "示例"  # the template's example row carries this in the 序号 column and is skipped


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
            f"{role}_id_number",
            f"{p}身份证号",
            (f"{p}身份证号码", f"{p}公民身份号码", f"{p}身份证"),
            width=21,
            note="18位，选填；请把该列设为“文本”格式",
        ),
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
    Column(
        "current_address", "现居住地址", ("家庭住址", "现住址", "居住地址", "家庭地址", "现居地址", "住址"), width=24
    ),
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
        ("监护情况", "监护类型评估", "监护状况", "监护人监护类型", "监护人监护情况"),
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
    "就学情况",
    "帮扶责任人",
    "错误说明",  # the last column of the sheet of rows an import left out
}

# Group headers of a two-level header ("父亲" merged over 姓名 / 电话 / 务工地点) and the prefix their
# sub-headers take: "" for the groups of the child's own columns (and the 台账's own ones under 关爱帮扶情况).
_GROUPS = {
    **dict.fromkeys(("父亲", "父亲情况", "父亲信息", "父亲基本情况"), "父亲"),
    **dict.fromkeys(("母亲", "母亲情况", "母亲信息", "母亲基本情况"), "母亲"),
    **dict.fromkeys(
        (
            "监护人", "监护人情况", "监护人信息", "委托监护人", "委托监护人情况", "委托监护人信息", "临时监护人",
            "临时监护人情况", "代管人", "代管人情况", "委托照护人", "委托照护人情况", "照护人", "照护人情况",
        ),
        "监护人",
    ),  # fmt: skip
    **dict.fromkeys(
        ("儿童基本情况", "学生基本情况", "儿童情况", "学生情况", "基本情况", "儿童信息", "学生信息", "关爱帮扶情况"), ""
    ),
}


def group_owns(prefix: str, key: str) -> bool:
    """Whether a column belongs to a group: a sub-header written in full under its group ("父亲姓名" under
    父亲情况) is read as itself, a bare one that means another group's column ("身份证号" under 父亲情况 is the
    father's, not the child's) is not."""
    if prefix == "父亲":
        return key.startswith("father_")
    if prefix == "母亲":
        return key.startswith("mother_")
    if prefix == "监护人":
        return key.startswith("guardian")
    return not key.startswith(("father_", "mother_", "guardian"))


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
