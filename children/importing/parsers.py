"""Parsers for one cell each: 班级, the choice columns with their local spellings, phones, ages. Each returns
the stored value or raises ValidationError with a Chinese message for that cell."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

from caretrack.models import Grade
from caretrack.validation import validate_phone
from children.importing.headers import _text
from children.models import AwayStatus, GuardianRelation, GuardianshipLevel, HardshipType, HealthStatus

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_GRADE_ALIASES = {"初一": 7, "初二": 8, "初三": 9, "七": 7, "八": 8, "九": 9}
_GRADES = frozenset(Grade.values)
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
    if grade not in _GRADES or not number:
        raise ValidationError(f"无法识别的班级：{text}，请写成 三(2)班 或 3年级2班", code="invalid_class")
    return grade, number


def _norm(text: str) -> str:
    """A choice as compared: full-width forms folded (（ → (), spaces and line breaks dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _choice(value: str, mapping: dict[str, str], what: str, allowed: tuple[str, ...]) -> str:
    """The whole cell against a column's labels and synonyms (keys normalized by _choices)."""
    key = _norm(value)
    if key in mapping:
        return mapping[key]
    raise ValidationError(f"无法识别的{what}：{value}，可填：{'、'.join(allowed)}", code="invalid_choice")


def _choices(labels: dict[str, object]) -> dict[str, object]:
    return {_norm(label): value for label, value in labels.items()}


_GENDERS = _choices({"男": "M", "女": "F", "男生": "M", "女生": "F", "M": "M", "F": "F"})
_YES_NO = _choices({"是": True, "否": False, "住校": True, "寄宿": True, "走读": False, "不住校": False, "√": True,
           "Y": True, "N": False, "有": True, "无": False})  # fmt: skip
_HEALTH = _choices({label: value for value, label in HealthStatus.choices} | {
    "良好": HealthStatus.HEALTHY, "好": HealthStatus.HEALTHY, "正常": HealthStatus.HEALTHY,
    "慢性病": HealthStatus.CHRONIC, "重大疾病": HealthStatus.SERIOUS, "重病": HealthStatus.SERIOUS,
})  # fmt: skip
_AWAY = _choices({label: value for value, label in AwayStatus.choices} | {
    "外出": AwayStatus.WORKING_AWAY, "务工": AwayStatus.WORKING_AWAY, "打工": AwayStatus.WORKING_AWAY,
    "外出打工": AwayStatus.WORKING_AWAY, "是": AwayStatus.WORKING_AWAY, "否": AwayStatus.AT_HOME,
    "在家务农": AwayStatus.AT_HOME, "本地": AwayStatus.AT_HOME, "去世": AwayStatus.DECEASED,
    "死亡": AwayStatus.DECEASED, "病故": AwayStatus.DECEASED, "离世": AwayStatus.DECEASED,
    "失踪": AwayStatus.MISSING, "下落不明": AwayStatus.MISSING, "坐牢": AwayStatus.IMPRISONED,
})  # fmt: skip
_RELATIONS = _choices({label: value for value, label in GuardianRelation.choices} | {
    "爷爷": GuardianRelation.PATERNAL_GRANDFATHER, "奶奶": GuardianRelation.PATERNAL_GRANDMOTHER,
    "外公": GuardianRelation.MATERNAL_GRANDFATHER, "姥爷": GuardianRelation.MATERNAL_GRANDFATHER,
    "外婆": GuardianRelation.MATERNAL_GRANDMOTHER, "姥姥": GuardianRelation.MATERNAL_GRANDMOTHER,
    **{k: GuardianRelation.RELATIVE for k in (
        "亲属", "叔叔", "叔父", "婶婶", "伯父", "伯母", "姑姑", "姑妈", "姑父", "舅舅", "舅妈", "姨妈", "阿姨",
        "姨父", "哥哥", "姐姐", "堂哥", "堂姐", "表哥", "表姐", "叔侄", "姑侄", "舅甥",
    )},
})  # fmt: skip
_LEVELS = _choices({label: value for value, label in GuardianshipLevel.choices} | {
    "较好": GuardianshipLevel.GOOD, "良好": GuardianshipLevel.GOOD, "好": GuardianshipLevel.GOOD,
    "一般": GuardianshipLevel.FAIR, "监护能力不足": GuardianshipLevel.GUARDIAN_INSUFFICIENT,
    "不足": GuardianshipLevel.GUARDIAN_INSUFFICIENT, "无人监护": GuardianshipLevel.NONE,
    "父母无监护能力": GuardianshipLevel.PARENT_INCAPABLE,
})  # fmt: skip
_HARDSHIPS = _choices({label: value for value, label in HardshipType.choices} | {
    "低保": HardshipType.LOW_INCOME, "低保户": HardshipType.LOW_INCOME, "残疾儿童": HardshipType.DISABILITY,
    "重病儿童": HardshipType.SERIOUS_ILLNESS, "大病": HardshipType.SERIOUS_ILLNESS,
    "脱贫不稳定": HardshipType.POVERTY, "边缘易致贫": HardshipType.POVERTY, "监测户": HardshipType.POVERTY,
    "脱贫户": HardshipType.POVERTY,
})  # fmt: skip
_NONE_WORDS = {"无", "否", "没有", "/", "-", "—", "不是"}
_NO_WORK_PLACE = {"无", "在家", "本地", "/", "-", "—", "家中", "务农", "在家务农", "本县", "本镇"}
_MONTH_ONLY_RE = re.compile(r"[0-9]{4}\s*(?:[-./]\s*[0-9]{1,2}|[0-9]{2}|年\s*[0-9]{1,2}\s*月份?)")


def _month_only(value: object) -> bool:
    """201503, 2015.3, 2015年3月: the sheet gives a month, not a day."""
    if isinstance(value, int) and 190001 <= value <= 209912:
        return True
    return isinstance(value, str) and bool(_MONTH_ONLY_RE.fullmatch(unicodedata.normalize("NFKC", value).strip()))


_SEPARATORS = "、,;/\\|\\s"  # after NFKC: full-width ，；／ are folded into these
_SEPARATOR_RUN = re.compile(f"[{_SEPARATORS}]+")


def _split_list(text: str) -> list[str]:
    return [p for p in _SEPARATOR_RUN.split(unicodedata.normalize("NFKC", text)) if p]


def _label_finder(mapping: dict[str, str]) -> re.Pattern:
    """Known labels standing between separators, the longest first: "脱贫不稳定/边缘易致贫家庭" is one label
    though it holds a "/", "残疾" inside "残疾人家庭" is none."""
    labels = sorted(mapping, key=len, reverse=True)
    alternatives = "|".join(re.escape(label) for label in labels)
    return re.compile(f"(?:^|(?<=[{_SEPARATORS}]))(?:{alternatives})(?=[{_SEPARATORS}]|$)")


_HARDSHIP_FINDER = _label_finder(_HARDSHIPS)


def parse_hardships(text: str) -> tuple[list[str], list[str]]:
    """困境类型 as written: the kinds (in the order written, once each) and the parts no label matches. The
    whole cell is tried first, then the known labels in it, then the rest split on 、 , ; / and spaces."""
    whole = _norm(text)
    if whole in _HARDSHIPS:
        return [_HARDSHIPS[whole]], []
    normalized = unicodedata.normalize("NFKC", text).strip()
    kinds = [_HARDSHIPS[_norm(m.group())] for m in _HARDSHIP_FINDER.finditer(normalized)]
    rest = _HARDSHIP_FINDER.sub(" ", normalized)
    return list(dict.fromkeys(kinds)), _split_list(rest)


MASKED_MESSAGE = (
    "{what}中有 * 号，是导出时隐去的部分数字，无法导入。请导出时勾选“显示完整身份证号和电话”，或填写完整号码"
)


def is_masked(value: object) -> bool:
    """A cell of an export written without full identifiers: 4312**********002X, 139****5678."""
    return isinstance(value, str) and "*" in value


def masked_error(what: str) -> ValidationError:
    return ValidationError(MASKED_MESSAGE.format(what=what), code="masked")


def _unmasked(value: object, what: str) -> object:
    """A masked cell that cannot be compared with the archive: say so plainly."""
    if is_masked(value):
        raise masked_error(what)
    return value


def _phone(value: object) -> str:
    return validate_phone(_unmasked(value, "电话"))


def _age(value: object) -> int:
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip().rstrip("岁")
    if not text.isdigit() or not 16 <= int(text) <= 100:
        raise ValidationError("监护人年龄应为16至100之间的整数", code="invalid_age")
    return int(text)
