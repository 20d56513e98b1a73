"""Pure-function tests for caretrack.validation (no database, no Django settings needed)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from caretrack.validation import (
    PHONE_HELP,
    IdNumber,
    check_id_consistency,
    date_to_excel_serial,
    excel_serial_to_date,
    id_number_checksum,
    make_id_number,
    mask_id_number,
    mask_phone,
    normalize_phone,
    parse_id_number,
    parse_loose_date,
    validate_phone,
)

TODAY = date.today()
FULLWIDTH = str.maketrans("0123456789-./", "０１２３４５６７８９－．／")


def error_of(func, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    return info.value


# --------------------------------------------------------------------------------------
# 身份证号: examples
# --------------------------------------------------------------------------------------


def test_known_valid_number_from_the_standard():
    # The textbook example of GB 11643-1999: check character X, 17th digit even → female.
    parsed = parse_id_number("11010519491231002X")
    assert parsed == IdNumber(
        number="11010519491231002X", birth_date=date(1949, 12, 31), gender="F", region_code="110105"
    )
    assert str(parsed) == "11010519491231002X"


def test_checksum_examples():
    assert id_number_checksum("11010519491231002") == "X"
    assert id_number_checksum("43010220150302001") == "1"
    assert id_number_checksum("00000000000000000") == "1"
    with pytest.raises(ValueError):
        id_number_checksum("1234")
    with pytest.raises(ValueError):
        id_number_checksum("1101051949123100X")


def test_lowercase_x_spaces_and_fullwidth_are_normalized():
    assert parse_id_number(" 110105 19491231 002x ").number == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ").number == "11010519491231002X"
    assert parse_id_number("110105\u300019491231002X").number == "11010519491231002X"


def test_male_number():
    number = make_id_number("430102", date(2015, 3, 2), 10, "M")
    assert number == "430102201503020214"
    parsed = parse_id_number(number)
    assert parsed.gender == "M"
    assert parsed.birth_date == date(2015, 3, 2)
    assert parsed.region_code == "430102"


def test_int_input_with_all_digits_is_accepted():
    number = make_id_number("430102", date(2015, 3, 2), 10, "M")
    assert parse_id_number(int(number)).number == number


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        (None, "required"),
        ("430102150302002", "old_format"),
        ("43010220150302002", "invalid_length"),
        ("4301022015030200211", "invalid_length"),
        ("4301022015030200ab", "invalid_characters"),
        ("430102-20150302-0021", "invalid_characters"),
        ("4301022015030X0021", "invalid_characters"),
        ("430102201502300021", "invalid_birth_date"),
        ("430102201513010021", "invalid_birth_date"),
        ("43010218990302002X", "birth_date_too_early"),
        ("430102209903020021", "birth_date_in_future"),
        ("430102201503020210", "invalid_checksum"),
        ("11010519491231002Y", "invalid_characters"),
    ],
)
def test_invalid_id_numbers(value, code):
    err = error_of(parse_id_number, value)
    assert err.code == code
    assert all("身份证号" in message for message in err.messages)


def test_messages_are_specific():
    assert error_of(parse_id_number, "430102201503020210").messages == ["身份证号校验位不正确，请核对后重新输入"]
    assert "18位" in error_of(parse_id_number, "430102150302002").messages[0]
    assert "当前为17位" in error_of(parse_id_number, "43010220150302002").messages[0]
    assert "20150230" in error_of(parse_id_number, "430102201502300021").messages[0]


def test_birth_date_limit_uses_today_argument():
    number = make_id_number("430102", date(2020, 6, 1), 3, "F")
    assert parse_id_number(number, today=date(2020, 6, 1)).birth_date == date(2020, 6, 1)
    assert error_of(parse_id_number, number, today=date(2020, 5, 31)).code == "birth_date_in_future"


@pytest.mark.parametrize(
    "value",
    [
        "4.30102201503021E+17",
        "4.30102201503021e+17",
        "4.30102E+17",
        " 4.30102201503021E+17 ",
        "430102201503021000.0",
        4.30102201503021e17,
        430102201503020021.0,
        float(430102201503020021),
        Decimal("4.30102201503021E+17"),
        430102201503021000,  # an integer cell whose last digits Excel rounded to 000
    ],
)
def test_excel_precision_lost(value):
    err = error_of(parse_id_number, value)
    assert err.code == "excel_precision_lost"
    assert "文本" in err.messages[0]


def test_string_ending_in_000_is_a_checksum_error_not_a_guess():
    assert error_of(parse_id_number, "430102201503021000").code == "invalid_checksum"


def test_make_id_number_rejects_bad_arguments():
    with pytest.raises(ValueError):
        make_id_number("43010", date(2015, 3, 2), 1, "M")
    with pytest.raises(ValueError):
        make_id_number("430102", date(1899, 12, 31), 1, "M")
    with pytest.raises(ValueError):
        make_id_number("430102", date(2015, 3, 2), 500, "M")
    with pytest.raises(ValueError):
        make_id_number("430102", date(2015, 3, 2), 1, "X")
    assert make_id_number("430102", date(2015, 3, 2), 1, "女") == make_id_number("430102", date(2015, 3, 2), 1, "F")


def test_consistency_all_agree():
    parsed = parse_id_number(make_id_number("430102", date(2015, 3, 2), 7, "F"))
    assert check_id_consistency(parsed, birth_date=date(2015, 3, 2), gender="F") == []
    assert check_id_consistency(parsed, birth_date=None, gender=None) == []
    assert check_id_consistency(parsed, birth_date=None, gender="") == []
    assert check_id_consistency(parsed, birth_date=datetime(2015, 3, 2, 8, 30), gender="女") == []


def test_consistency_reports_each_disagreement():
    parsed = parse_id_number(make_id_number("430102", date(2015, 3, 2), 7, "F"))
    assert check_id_consistency(parsed, birth_date=date(2015, 3, 5), gender="M") == [
        "身份证号中的出生日期（2015-03-02）与填写的出生日期（2015-03-05）不一致",
        "身份证号中的性别（女）与填写的性别（男）不一致",
    ]
    assert check_id_consistency(parsed, birth_date=date(2015, 3, 2), gender="男") == [
        "身份证号中的性别（女）与填写的性别（男）不一致",
    ]


def test_mask_id_number_examples():
    assert mask_id_number("431202201503020021") == "4312**********0021"
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""
    assert mask_id_number("12345") == "*2345"


# --------------------------------------------------------------------------------------
# 身份证号: properties
# --------------------------------------------------------------------------------------

regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
genders = st.sampled_from(["M", "F"])
seqs = st.integers(min_value=0, max_value=499)
valid_numbers = st.builds(make_id_number, regions, births, seqs, genders)


@given(regions, births, seqs, genders)
def test_generated_numbers_parse_back(region, birth, seq, gender):
    number = make_id_number(region, birth, seq, gender)
    parsed = parse_id_number(number)
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.gender == gender
    assert parsed.region_code == region


@given(valid_numbers, st.integers(min_value=0, max_value=17), st.data())
def test_any_single_character_change_is_detected(number, position, data):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from([c for c in alphabet if c != number[position]]))
    changed = number[:position] + replacement + number[position + 1 :]
    # The checksum alone catches every single-character substitution ...
    assert id_number_checksum(changed[:17]) != changed[17]
    # ... so the parser never accepts it (it may complain about the birth date first).
    with pytest.raises(ValidationError):
        parse_id_number(changed)


@given(valid_numbers)
def test_mask_id_number_preserves_length_and_last_four(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked[-4:] == number[-4:]
    assert masked[:4] == number[:4]
    assert set(masked[4:-4]) == {"*"}


@given(st.text(min_size=1).filter(lambda s: s == s.strip() and s != ""))
def test_mask_id_number_on_any_text_preserves_length_and_last_four(text):
    masked = mask_id_number(text)
    assert len(masked) == len(text)
    assert masked[-4:] == text[-4:]


# --------------------------------------------------------------------------------------
# 电话
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("(0731) 8456-1234", "073184561234"),
        ("（0731）84561234", "073184561234"),
        ("１３８１２３４５６７８", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("＋８６　１３８１２３４５６７８", "13812345678"),
        ("+86 731 8456 1234", "073184561234"),
        ("+86 0731 8456 1234", "073184561234"),
        ("", ""),
        (None, ""),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
    ],
)
def test_normalize_phone(value, expected):
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("199 0000 1111", "19900001111"),
        ("+86 138-1234-5678", "13812345678"),
        ("0731-84561234", "0731-84561234"),
        ("073184561234", "0731-84561234"),
        ("（0731）8456 1234", "0731-84561234"),
        ("0731-8456123", "0731-8456123"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021-62345678", "021-62345678"),
        ("0755 8765 4321", "0755-87654321"),
        ("０７３１－８４５６１２３４", "0731-84561234"),
        ("+86 731 84561234", "0731-84561234"),
    ],
)
def test_validate_phone_accepts(value, expected):
    assert validate_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12812345678",  # 12x is not a mobile prefix
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "84561234",  # landline without area code
        "0731-845612",  # 6-digit local number
        "0731-845612345",  # 9-digit local number
        "0731-04561234",  # local number cannot start with 0
        "013812345678",  # 0 in front of a mobile
        "138****5678",
        "电话13812345678",
        "0731-84561234-801",  # extension
    ],
)
def test_validate_phone_rejects(value):
    err = error_of(validate_phone, value)
    assert err.code == "invalid_phone"
    assert err.messages == [PHONE_HELP]
    assert PHONE_HELP == "请输入11位手机号或带区号的固定电话，如 13812345678 或 0731-84561234"


def test_validate_phone_empty():
    assert error_of(validate_phone, "  ").code == "required"
    assert error_of(validate_phone, None).code == "required"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0731-84561234", "0731-****1234"),
        ("073184561234", "0731-****1234"),
        ("010-12345678", "010-****5678"),
        ("0731-8456123", "0731-***6123"),
        ("", ""),
        (None, ""),
        ("not a phone", "not****hone"),
        ("123", "123"),
    ],
)
def test_mask_phone(value, expected):
    assert mask_phone(value) == expected


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)
area_codes = st.one_of(
    st.just("010"),
    st.builds(lambda d: f"02{d}", st.sampled_from("0123456789")),
    st.builds(
        lambda first, rest: f"0{first}{rest}",
        st.sampled_from("3456789"),
        st.text(alphabet="0123456789", min_size=2, max_size=2),
    ),
)
locals_ = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("123456789"),
    st.text(alphabet="0123456789", min_size=6, max_size=7),
)
landlines = st.builds(lambda area, local: f"{area}-{local}", area_codes, locals_)


@given(st.one_of(mobiles, landlines))
def test_mask_phone_preserves_length_and_last_four(phone):
    assert validate_phone(phone) == phone
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked[-4:] == phone[-4:]
    assert "****" in masked or "***" in masked


@given(st.one_of(mobiles, landlines))
def test_validate_phone_is_idempotent_under_formatting(phone):
    digits = phone.replace("-", "")
    spaced = " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
    assert validate_phone(digits) == phone
    assert validate_phone(spaced) == phone
    assert validate_phone(digits.translate(FULLWIDTH)) == phone


# --------------------------------------------------------------------------------------
# 日期
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-03-02", date(2015, 3, 2)),
        ("2015.3.2", date(2015, 3, 2)),
        ("2015/03/02", date(2015, 3, 2)),
        ("2015/3/2", date(2015, 3, 2)),
        ("2015年3月2日", date(2015, 3, 2)),
        ("2015年03月02日", date(2015, 3, 2)),
        ("2015年3月2号", date(2015, 3, 2)),
        ("2015 年 3 月 2 日", date(2015, 3, 2)),
        ("2015年3月", date(2015, 3, 1)),
        ("201503", date(2015, 3, 1)),
        ("20150302", date(2015, 3, 2)),
        ("2015-3", date(2015, 3, 1)),
        ("2015.10", date(2015, 10, 1)),
        ("  2015-03-02  ", date(2015, 3, 2)),
        ("２０１５－０３－０２", date(2015, 3, 2)),
        ("２０１５年３月２日", date(2015, 3, 2)),
        ("2015-03-02 00:00:00", date(2015, 3, 2)),
        ("2015-03-02T08:30", date(2015, 3, 2)),
        (date(2015, 3, 2), date(2015, 3, 2)),
        (datetime(2015, 3, 2, 23, 59), date(2015, 3, 2)),
        (42065, date(2015, 3, 2)),
        (42065.99, date(2015, 3, 2)),
        (Decimal(42065), date(2015, 3, 2)),
        (20150302, date(2015, 3, 2)),
        (201503, date(2015, 3, 1)),
        (20150302.0, date(2015, 3, 2)),
    ],
)
def test_parse_loose_date_accepts(value, expected):
    result = parse_loose_date(value)
    assert result == expected
    assert type(result) is date


@pytest.mark.parametrize(
    "value",
    [
        "去年",
        "15.3.2",
        "3/2/2015",
        "02-03-2015",
        "2015-03/02",  # mixed separators
        "2015",
        "20151",
        "2015032",
        "42065",  # a serial as text is not one of the written formats
        "2015-03-02 下午",
        2015,  # a year typed into a number cell, not a serial
        2015.3,
        0,
        -5,
        99999,
        1e20,
        float("inf"),
        True,
        [2015, 3, 2],
    ],
)
def test_parse_loose_date_rejects(value):
    err = error_of(parse_loose_date, value)
    assert err.code == "invalid_date"
    assert err.messages[0].startswith("无法识别的日期：")
    assert err.messages[0].endswith("，请写成 2015-03-02 的格式")


def test_parse_loose_date_message_shows_the_input():
    assert error_of(parse_loose_date, " 2015/3/2x ").messages == ["无法识别的日期：2015/3/2x，请写成 2015-03-02 的格式"]


@pytest.mark.parametrize("value", ["", "   ", None, float("nan")])
def test_parse_loose_date_empty(value):
    assert error_of(parse_loose_date, value).code == "required"


@pytest.mark.parametrize("value", ["0215-03-02", "2150-01-01", date(1850, 1, 1)])
def test_parse_loose_date_out_of_range(value):
    assert error_of(parse_loose_date, value).code == "date_out_of_range"


def test_excel_serial_known_values():
    assert excel_serial_to_date(42065) == date(2015, 3, 2)
    assert excel_serial_to_date(36526) == date(2000, 1, 1)
    assert date_to_excel_serial(date(2015, 3, 2)) == 42065
    assert date_to_excel_serial(datetime(2000, 1, 1, 12)) == 36526
    assert error_of(excel_serial_to_date, 100).code == "invalid_date"


def _fmt(d: date, template: str) -> str:
    return template.format(y=d.year, m=d.month, d=d.day)


DAY_FORMATS = [
    "{y:04d}-{m:02d}-{d:02d}",
    "{y}-{m}-{d}",
    "{y}.{m}.{d}",
    "{y}.{m:02d}.{d:02d}",
    "{y}/{m:02d}/{d:02d}",
    "{y}/{m}/{d}",
    "{y}年{m}月{d}日",
    "{y}年{m:02d}月{d:02d}日",
    "{y:04d}{m:02d}{d:02d}",
]
MONTH_FORMATS = [
    "{y}年{m}月",
    "{y:04d}{m:02d}",
    "{y}-{m}",
    "{y}-{m:02d}",
]
dates_1990_2030 = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))
decorations = st.sampled_from(["plain", "spaces", "fullwidth"])


def _decorate(text: str, how: str) -> str:
    if how == "spaces":
        return f"  {text}\t "
    if how == "fullwidth":
        return text.translate(FULLWIDTH)
    return text


@given(dates_1990_2030, st.sampled_from(DAY_FORMATS), decorations)
def test_day_formats_round_trip(d, template, how):
    assert parse_loose_date(_decorate(_fmt(d, template), how)) == d


@given(dates_1990_2030, st.sampled_from(MONTH_FORMATS), decorations)
def test_month_formats_round_trip_to_first_of_month(d, template, how):
    assert parse_loose_date(_decorate(_fmt(d, template), how)) == d.replace(day=1)


@given(dates_1990_2030, st.floats(min_value=0, max_value=0.999, allow_nan=False))
def test_excel_serial_round_trip(d, time_fraction):
    serial = date_to_excel_serial(d)
    assert serial == (d - date(1899, 12, 30)).days
    assert parse_loose_date(serial) == d
    assert parse_loose_date(float(serial)) == d
    assert parse_loose_date(serial + time_fraction) == d


@given(dates_1990_2030)
def test_date_and_datetime_objects_round_trip(d):
    assert parse_loose_date(d) == d
    assert parse_loose_date(datetime(d.year, d.month, d.day) + timedelta(hours=13)) == d
