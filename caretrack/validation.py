"""Validators for the input that teachers and Excel sheets most often get wrong (ID numbers, phones,
loose dates and their masking). Kept in one module past 400 lines because the form, the importer and the
exports must share exactly these rules; each function is small and independent.

Pure functions only: no models, no database. Every error is raised as
``django.core.exceptions.ValidationError`` with a Chinese message meant to be shown
to the user as-is, and a stable ``code`` for programmatic handling.

Sections:

* 身份证号 (GB 11643-1999): :func:`parse_id_number`, :func:`id_number_checksum`,
  :func:`make_id_number`, :func:`check_id_consistency`, :func:`mask_id_number`.
* 电话: :func:`normalize_phone`, :func:`validate_phone`, :func:`mask_phone`.
* 日期: :func:`parse_loose_date`, :func:`excel_serial_to_date`, :func:`date_to_excel_serial`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

__all__ = [
    "PHONE_HELP",
    "IdNumber",
    "check_id_consistency",
    "date_to_excel_serial",
    "excel_serial_to_date",
    "id_number_checksum",
    "make_id_number",
    "mask_id_number",
    "mask_phone",
    "normalize_phone",
    "parse_id_number",
    "parse_loose_date",
    "validate_phone",
]

# --------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------

# Full-width ASCII variants (！ .. ～, U+FF01..U+FF5E) → ASCII, ideographic space → space.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20


def _to_halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation (０-９, Ｘ, －, ．, ／ ...) → ASCII."""
    return text.translate(_FULLWIDTH)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------
# 身份证号
# --------------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_MIN_BIRTH = date(1900, 1, 1)

_SCIENTIFIC_RE = re.compile(r"[0-9]+(?:\.[0-9]*)?[eE][+-]?[0-9]+")
_DECIMAL_RE = re.compile(r"[0-9]+\.[0-9]*")
_ID_CHARS_RE = re.compile(r"[0-9]*[xX]?")

_MSG_EXCEL_PRECISION = (
    "身份证号被 Excel 当成了数字保存，后几位已经丢失。"
    "请把表格中身份证号这一列设置为“文本”格式，然后重新输入完整的18位身份证号"
)


@dataclass(frozen=True)
class IdNumber:
    """A validated 18-digit resident ID number and the facts encoded in it."""

    number: str  # normalized: 18 characters, digits plus an optional uppercase final X
    birth_date: date
    gender: str  # "M" or "F" (17th digit odd = male)
    region_code: str  # first 6 digits (行政区划代码)

    def __str__(self) -> str:
        return self.number


def id_number_checksum(first17: str) -> str:
    """Check character (``"0"``-``"9"`` or ``"X"``) for the first 17 digits of an ID number."""
    if not (isinstance(first17, str) and len(first17) == 17 and first17.isascii() and first17.isdigit()):
        raise ValueError(f"id_number_checksum needs exactly 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=False))
    return _ID_CHECK_CHARS[total % 11]


def make_id_number(region: str, birth: date, seq: int, gender: str) -> str:
    """Build a valid 18-character ID number (demo data and tests).

    ``region`` is the 6-digit region code, ``seq`` (0-499) selects the 3-digit order code
    together with ``gender`` ("M"/"F", or "男"/"女"): order code = ``seq * 2 + 1`` for
    males and ``seq * 2`` for females, so the 17th digit's parity encodes the gender.
    A birth date after today gives a number that :func:`parse_id_number` rejects.
    """
    if not (isinstance(region, str) and len(region) == 6 and region.isascii() and region.isdigit()):
        raise ValueError(f"region must be 6 ASCII digits, got {region!r}")
    if isinstance(birth, datetime):
        birth = birth.date()
    if birth < _ID_MIN_BIRTH:
        raise ValueError(f"birth date must not be before 1900, got {birth!r}")
    if not (isinstance(seq, int) and 0 <= seq <= 499):
        raise ValueError(f"seq must be an int in 0..499, got {seq!r}")
    sex = _normalize_gender(gender)
    if sex is None:
        raise ValueError(f"gender must be 'M' or 'F', got {gender!r}")
    order = seq * 2 + (1 if sex == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_number_checksum(first17)


def _excel_precision_error() -> ValidationError:
    return ValidationError(_MSG_EXCEL_PRECISION, code="excel_precision_lost")


def parse_id_number(value: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-digit resident ID number and return its parts.

    Spaces (also full-width) are removed, full-width digits and a lowercase ``x`` are
    normalized. ``today`` (default: ``date.today()``) is the limit for the birth date.

    Error codes: ``required``, ``excel_precision_lost``, ``invalid_characters``,
    ``old_format`` (15-digit number), ``invalid_length``, ``invalid_birth_date``,
    ``birth_date_in_future``, ``birth_date_too_early``, ``invalid_checksum``.
    """
    from_int = False
    if value is None:
        text = ""
    elif isinstance(value, bool):
        raise ValidationError("身份证号只能由数字组成，最后一位可以是X", code="invalid_characters")
    elif isinstance(value, float):
        # Excel (or pandas) handed over a float: an 18-digit number cannot survive that.
        if math.isnan(value):
            text = ""
        else:
            raise _excel_precision_error()
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise _excel_precision_error()
        text = str(int(value))
        from_int = True
    elif isinstance(value, int):
        text = str(value)
        from_int = True
    else:
        text = str(value)

    text = "".join(_to_halfwidth(text).split())
    if not text:
        raise ValidationError("请输入身份证号", code="required")

    if from_int and len(text) > 15 and text.endswith("000"):
        # A numeric cell: Excel keeps 15 significant digits and fills the rest with zeros. Even when the
        # rounded number happens to pass the checksum (about 1 in 11) it is not the child's number.
        raise _excel_precision_error()
    if _SCIENTIFIC_RE.fullmatch(text) or _DECIMAL_RE.fullmatch(text):
        # "4.30102201503021E+17" or "430102201503021000.0": the cell was numeric.
        raise _excel_precision_error()

    if not _ID_CHARS_RE.fullmatch(text):
        raise ValidationError(
            "身份证号只能由数字组成，最后一位可以是X，请检查是否混入了字母、横线或其他符号",
            code="invalid_characters",
        )

    if len(text) == 15 and text.isdigit():
        raise ValidationError(
            "这是15位的旧身份证号，请填写现行的18位身份证号（可查看户口簿或新版身份证）",
            code="old_format",
        )
    if len(text) != 18:
        raise ValidationError(
            f"身份证号应为18位，当前为{len(text)}位，请核对是否多输或漏输了数字",
            code="invalid_length",
        )
    number = text.upper()  # 17 digits + a digit or X, guaranteed by _ID_CHARS_RE

    raw_birth = number[6:14]
    try:
        birth = date(int(raw_birth[:4]), int(raw_birth[4:6]), int(raw_birth[6:]))
    except ValueError:
        raise ValidationError(
            f"身份证号中的出生日期（{raw_birth}）不是有效日期，请核对第7到14位",
            code="invalid_birth_date",
        ) from None
    if birth < _ID_MIN_BIRTH:
        raise ValidationError(
            f"身份证号中的出生日期（{birth.isoformat()}）早于1900年，请核对第7到14位",
            code="birth_date_too_early",
        )
    limit = today if today is not None else date.today()
    if birth > limit:
        raise ValidationError(
            f"身份证号中的出生日期（{birth.isoformat()}）晚于今天，请核对第7到14位",
            code="birth_date_in_future",
        )

    if id_number_checksum(number[:17]) != number[17]:
        raise ValidationError("身份证号校验位不正确，请核对后重新输入", code="invalid_checksum")

    return IdNumber(
        number=number,
        birth_date=birth,
        gender="M" if int(number[16]) % 2 == 1 else "F",
        region_code=number[:6],
    )


_GENDER_ALIASES = {
    "M": "M",
    "MALE": "M",
    "男": "M",
    "F": "F",
    "FEMALE": "F",
    "女": "F",
}
_GENDER_LABELS = {"M": "男", "F": "女"}


def _normalize_gender(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _GENDER_ALIASES.get(value.strip().upper())


def check_id_consistency(id_number: IdNumber, *, birth_date: date | None, gender: str | None) -> list[str]:
    """Chinese messages for each field that disagrees with what the ID number encodes.

    ``birth_date`` / ``gender`` that are ``None`` or empty are not compared; ``gender``
    accepts "M"/"F" (the model's choices) and "男"/"女"; any other value is not compared.
    Returns an empty list when everything agrees.
    """
    problems: list[str] = []
    if isinstance(birth_date, datetime):
        birth_date = birth_date.date()
    if birth_date is not None and birth_date != id_number.birth_date:
        problems.append(
            f"身份证号中的出生日期（{id_number.birth_date.isoformat()}）"
            f"与填写的出生日期（{birth_date.isoformat()}）不一致"
        )
    sex = _normalize_gender(gender)
    if sex is not None and sex != id_number.gender:
        problems.append(
            f"身份证号中的性别（{_GENDER_LABELS[id_number.gender]}）与填写的性别（{_GENDER_LABELS[sex]}）不一致"
        )
    return problems


def _mask_middle(text: str, keep_start: int) -> str:
    """Keep ``keep_start`` leading and 4 trailing characters, star the rest (length kept)."""
    n = len(text)
    if n <= 4:
        return text
    if n - 4 <= keep_start:  # too short to show the start as well
        return "*" * (n - 4) + text[-4:]
    return text[:keep_start] + "*" * (n - keep_start - 4) + text[-4:]


def mask_id_number(v: str | None) -> str:
    """``"43120220150302002X"`` → ``"4312**********002X"``: first 4 and last 4 kept, length kept.

    Surrounding whitespace is stripped; ``""`` for empty input. Strings of 8 characters or
    fewer keep only the last 4.
    """
    if v is None:
        return ""
    text = str(v).strip()
    return _mask_middle(text, 4) if text else ""


# --------------------------------------------------------------------------------------
# 电话
# --------------------------------------------------------------------------------------

PHONE_HELP = "请输入11位手机号或带区号的固定电话，如 13812345678 或 0731-84561234"

_PHONE_STRIP_RE = re.compile(r"[\s\-‐‑‒–—―−_()（）\[\]【】]")
_COUNTRY_CODE_RE = re.compile(r"(?:\+86|0086)")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Area code: 010 and 02X are 2 digits after the 0; every other area code is 3 digits.
_LANDLINE_RE = re.compile(r"(0(?:10|2[0-9]|[3-9][0-9]{2}))([1-9][0-9]{6,7})")


def normalize_phone(value: str | None) -> str:
    """Strip separators and the country code; full-width characters → ASCII.

    Removes spaces, dashes, underscores and parentheses (also their full-width forms) and a
    leading ``+86`` / ``0086``. A number written internationally without the trunk ``0``
    (``+86 731 8456 1234``) gets it back. Integers (and integral floats, as Excel stores
    numbers) are accepted. Does not validate: see :func:`validate_phone`.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _PHONE_STRIP_RE.sub("", _to_halfwidth(str(value)))
    match = _COUNTRY_CODE_RE.match(text)
    if match:
        text = text[match.end() :]
        if text[:1] in set("23456789"):
            text = "0" + text
    return text


def validate_phone(value: str | None) -> str:
    """Return a mainland mobile as 11 digits or a landline as ``"0731-84561234"``.

    Error codes: ``required`` (empty), ``invalid_phone``; the message is :data:`PHONE_HELP`.
    """
    text = normalize_phone(value)
    if not text:
        raise ValidationError(PHONE_HELP, code="required")
    if _MOBILE_RE.fullmatch(text):
        return text
    match = _LANDLINE_RE.fullmatch(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    raise ValidationError(PHONE_HELP, code="invalid_phone")


def mask_phone(v: str | None) -> str:
    """``"13812345678"`` → ``"138****5678"``; ``"0731-84561234"`` → ``"0731-****1234"``.

    A valid number is masked in its normalized form (so ``"138 1234 5678"`` also gives
    ``"138****5678"``); anything else keeps its first 3 and last 4 characters, length kept.
    ``""`` for empty input.
    """
    if v is None:
        return ""
    try:
        phone = validate_phone(v)
    except ValidationError:
        text = str(v).strip()
        return _mask_middle(text, 3) if text else ""
    if "-" in phone:
        area, local = phone.split("-", 1)
        return f"{area}-{_mask_middle(local, 0)}"
    return _mask_middle(phone, 3)


# --------------------------------------------------------------------------------------
# 日期
# --------------------------------------------------------------------------------------

_MIN_YEAR = 1900
_MAX_YEAR = 2099
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1900-03-01 (Excel's fictitious 1900-02-29 is 60)
# A number is read as an Excel serial only when it maps into 1910-01-01..2099-12-31.
# Below that are year-like numbers (2015, 2015.3) that are surely not serials.
_EXCEL_SERIAL_MIN = (date(1910, 1, 1) - _EXCEL_EPOCH).days  # 3654
_EXCEL_SERIAL_MAX = (date(_MAX_YEAR, 12, 31) - _EXCEL_EPOCH).days  # 73050

_TIME_SUFFIX = r"(?:(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DATE_PATTERNS = [
    # 2015-03-02, 2015.3.2, 2015/03/02 (same separator twice), optionally "00:00:00" after it
    re.compile(r"(?P<y>[0-9]{4})\s*(?P<sep>[-./])\s*(?P<m>[0-9]{1,2})\s*(?P=sep)\s*(?P<d>[0-9]{1,2})" + _TIME_SUFFIX),
    # 2015年3月2日 / 2015年3月2号
    re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*[日号]?"),
    # 2015年3月 → day 1
    re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月(?:份)?"),
    # 20150302
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
    # 201503 → day 1
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})"),
    # 2015-3, 2015/03, 2015.3 → day 1
    re.compile(r"(?P<y>[0-9]{4})\s*[-./]\s*(?P<m>[0-9]{1,2})"),
]


def _unrecognized(shown: object) -> ValidationError:
    return ValidationError(f"无法识别的日期：{shown}，请写成 2015-03-02 的格式", code="invalid_date")


def _checked(d: date, shown: object) -> date:
    if not _MIN_YEAR <= d.year <= _MAX_YEAR:
        raise ValidationError(
            f"日期超出合理范围：{shown}，年份应在{_MIN_YEAR}到{_MAX_YEAR}之间",
            code="date_out_of_range",
        )
    return d


def excel_serial_to_date(serial: float) -> date:
    """Excel 1900-date-system serial → date (the time part, if any, is dropped).

    Only serials in the range this module treats as sane (1910-01-01..2099-12-31) are
    accepted; raises ``ValidationError`` (code ``invalid_date``) otherwise.
    """
    if not _is_number(serial) or not math.isfinite(serial):
        raise _unrecognized(serial)
    whole = math.floor(serial)
    if not _EXCEL_SERIAL_MIN <= whole <= _EXCEL_SERIAL_MAX:
        raise _unrecognized(serial)
    return _EXCEL_EPOCH + timedelta(days=int(whole))


def date_to_excel_serial(d: date) -> int:
    """Date → Excel 1900-date-system serial number (valid for dates from 1900-03-01)."""
    if isinstance(d, datetime):
        d = d.date()
    return (d - _EXCEL_EPOCH).days


def parse_loose_date(value: object) -> date:
    """Read a date the way Chinese school spreadsheets write it. Never guesses.

    Accepts ``datetime`` (→ ``.date()``) and ``date`` objects; Excel serial numbers
    (int/float, 1900 date system, 1910..2099; an 8-digit number such as ``20150302`` or a
    6-digit ``201503`` is read like the same text); and text, with surrounding spaces and
    full-width characters allowed:

    ``2015-03-02``, ``2015.3.2``, ``2015/03/02`` (optionally followed by a time such as
    ``00:00:00``), ``2015年3月2日``, ``2015年3月`` (→ day 1), ``20150302``, ``201503``
    (→ day 1), ``2015-3`` (→ day 1).

    Error codes: ``required`` (empty), ``invalid_date`` (anything else, including
    impossible dates: ``2015-02-30`` is told that February 2015 has no 30th, ``2015.13.1`` that a year has
    12 months),
    ``date_out_of_range`` (a real date whose year
    is outside 1900..2099).
    """
    if isinstance(value, datetime):
        return _checked(value.date(), value)
    if isinstance(value, date):
        return _checked(value, value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise ValidationError("日期不能为空，请写成 2015-03-02 的格式", code="required")
    if isinstance(value, bool):
        raise _unrecognized(value)

    if _is_number(value):
        if not math.isfinite(value):
            raise _unrecognized(value)
        if _EXCEL_SERIAL_MIN <= value < _EXCEL_SERIAL_MAX + 1:
            return excel_serial_to_date(value)
        if value == int(value) and 100000 <= value <= 99999999:
            # A number typed without separators (201503, 20150302) – read it as that text.
            text = str(int(value))
            if len(text) in (6, 8):
                return _parse_text(text, value)
        raise _unrecognized(value)

    if not isinstance(value, str):
        raise _unrecognized(value)
    text = _to_halfwidth(value).strip()
    if not text:
        raise ValidationError("日期不能为空，请写成 2015-03-02 的格式", code="required")
    return _parse_text(text, text)


def impossible_date_message(value: object) -> str | None:
    """For text written as a whole date (year, month and day) that no calendar has, the sentence saying
    so: 日期不存在：2015-02-30，2015年2月没有30日 / 日期不存在：2015.13.1，一年只有12个月. None for anything
    else (a real date, or text that is not shaped like a date at all, which is a matter of format)."""
    if not isinstance(value, str):
        return None
    text = _to_halfwidth(value).strip()
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None or not match.groupdict().get("d"):
            continue
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        if not 1 <= month <= 12:
            return f"日期不存在：{text}，一年只有12个月"
        try:
            date(year, month, day)
        except ValueError:
            return f"日期不存在：{text}，{year}年{month}月没有{day}日" if day > 0 else f"日期不存在：{text}"
        return None
    return None


def _parse_text(text: str, shown: object) -> date:
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        parts = match.groupdict()
        year, month, day = int(parts["y"]), int(parts["m"]), int(parts.get("d") or 1)
        try:
            d = date(year, month, day)
        except ValueError:
            if 1 <= month <= 12 and day > 0:
                # Written in a format we read, on a day the month does not have (2015-02-30): say so.
                raise ValidationError(
                    f"日期不存在：{shown}，{year}年{month}月没有{day}日", code="invalid_date"
                ) from None
            if not 1 <= month <= 12:  # 2015.13.1 is written the way we read dates: say what is wrong with it
                raise ValidationError(f"日期不存在：{shown}，一年只有12个月", code="invalid_date") from None
            raise _unrecognized(shown) from None
        return _checked(d, shown)
    raise _unrecognized(shown)
