"""Importing sheets as schools really write them: title rows, merged two-level headers, synonyms,
loose dates, ID numbers stored as numbers, phones with dashes, free-text 务工地, classes as 三(2)班."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError

from caretrack.validation import make_id_number
from children.importing import Action, ImportFileError, find_header, parse_class, read_import
from children.models import Child
from tests.excel.sheets import build_sheet

pytestmark = pytest.mark.django_db
TODAY = date(2026, 10, 15)


def idn(birth=date(2017, 3, 2), gender="M", seq=7):
    return make_id_number("431224", birth, seq, gender)


# A two-level header as schools draw it: columns A-E and O merged down over two rows, 父亲 / 母亲 /
# 监护人 merged across their three sub-headers.
GROUPS = ["序号", "学生姓名", "性 别", "出生年月", "身份证号码（18位）", "父亲", None, None, "母亲", None, None,
          "监护人", None, None, "年级\n班级"]  # fmt: skip
SUB = [None, None, None, None, None, "姓名", "联系电话", "务工地点", "姓名", "联系电话", "务工地点", "姓名", "关系",
       "电话", None]  # fmt: skip
MERGES = ["A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:H2", "I2:K2", "L2:N2", "O2:O3"]


def messy(rows):
    return build_sheet(
        [SUB, *rows], title="思蒙镇中心小学留守儿童信息登记表（2026年秋季）", group_row=GROUPS, merges=MERGES
    )


def row(name="张小明", gender="男", birth="2017.3.2", number=None, class_text="三(2)班", **kw):
    father = [kw.get("f_name", "张建国"), kw.get("f_phone", "139-1234-5678"), kw.get("f_place", "广东东莞")]
    mother = [kw.get("m_name", "李秀兰"), kw.get("m_phone", "137 1234 5678"), kw.get("m_place", "浙江省义乌市")]
    guardian = [kw.get("g_name", "张奶奶"), kw.get("g_rel", "奶奶"), kw.get("g_phone", "0745-3221234")]
    number = number if number is not None else idn()
    return [1, name, gender, birth, number, *father, *mother, *guardian, class_text]


def test_a_messy_sheet_is_read_row_by_row_without_manual_clean_up(world):
    sheet = messy(
        [
            row(),
            row(
                name="李小红",
                gender="女",
                birth="2016年5月8日",
                number=idn(date(2016, 5, 8), "F", 3),
                class_text="3年级2班",
                f_place="广东省东莞市",
            ),  # fmt: skip
            row(name="王小刚", birth=201503, number="", class_text="三年级二班", f_place="上海浦东新区"),
            row(name="赵小燕", gender="女", birth=datetime(2016, 7, 1), number="", class_text=" 4年级1班 "),
            row(name="钱小虎", birth="2015/03/02", number="", class_text="四（1）班", m_place="在家", m_phone=""),
        ]
    )
    preview = read_import(school=world.school, source=sheet, filename="登记表.xlsx", today=TODAY)
    assert preview.header_row == 3
    assert [r.action for r in preview.rows] == [Action.CREATE] * 5, preview.errors
    first, second, third, fourth, fifth = (r.data for r in preview.rows)
    assert first.child["birth_date"] == date(2017, 3, 2)
    assert first.child["school_class"] == world.school_class
    assert first.parents["father"]["phone"] == "13912345678"
    assert first.parents["father"]["work_city"].name == "东莞市"
    assert first.parents["father"]["away_status"] == "away"
    assert first.parents["mother"]["work_county"].name == "义乌市"
    assert first.guardian == {"name": "张奶奶", "relation": "pgm", "phone": "0745-3221234"}
    assert second.child["birth_date"] == date(2016, 5, 8) and second.child["gender"] == "F"
    assert second.child["id_number"] == idn(date(2016, 5, 8), "F", 3)
    assert third.child["birth_date"] == date(2015, 3, 1)  # 201503 without an ID number: the 1st
    assert "id_number" not in third.child
    assert fourth.child["birth_date"] == date(2016, 7, 1)  # a real Excel date cell
    assert fourth.child["school_class"] == world.other_class
    assert fifth.child["birth_date"] == date(2015, 3, 2)
    assert fifth.parents["mother"] == {"name": "李秀兰", "away_status": "home"}


def test_what_cannot_be_understood_is_an_error_on_that_row_with_column_and_message(world):
    precision_lost = int(idn()[:17] + "0")  # a number cell: Excel (and openpyxl) keep 15 significant digits
    sheet = messy(
        [
            row(number=precision_lost),
            row(name="李小红", f_place="朝阳", class_text="三(5)班", number=""),
            row(name="王小刚", birth="2015.13.1", number="", f_phone="12345", g_rel="", g_name="王奶奶"),
        ]
    )
    preview = read_import(school=world.school, source=sheet, filename="登记表.xlsx", today=TODAY)
    assert [r.action for r in preview.rows] == [Action.ERROR] * 3
    assert [str(e) for e in preview.errors] == [
        "第4行【身份证号码（18位）】身份证号被 Excel 当成了数字保存，后几位已经丢失。"
        "请把表格中身份证号这一列设置为“文本”格式，然后重新输入完整的18位身份证号",
        "第5行【年级班级】本校没有三年级(5)班，请先由管理员添加该班级，或核对班级",
        "第5行【父亲务工地点】无法识别的务工地：朝阳（找不到或有多个同名地区），"
        "请写成“省+市”，如 广东东莞、浙江省义乌市",
        "第6行【出生年月】日期不存在：2015.13.1，一年只有12个月",
        "第6行【父亲联系电话】请输入11位手机号或带区号的固定电话，如 13812345678 或 0731-84561234",
        "第6行【监护人关系】请填写监护人与儿童的关系",
    ]


def test_a_file_without_a_recognisable_header_gets_one_message(world):
    sheet = build_sheet([["春季学期工作安排"], ["一、", "开学准备"], ["二、", "家访"]])
    with pytest.raises(ImportFileError, match="没有找到表头"):
        read_import(school=world.school, source=sheet, filename="x.xlsx", today=TODAY)
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("三(2)班", (3, 2)), ("3年级2班", (3, 2)), ("三年级二班", (3, 2)), ("三（2）班", (3, 2)), ("初一(3)班", (7, 3)),
     ("3.2班", (3, 2)), ("六年级十二班", (6, 12)), ("4-1", (4, 1))],
)  # fmt: skip
def test_class_written_in_the_usual_ways(text, expected):
    assert parse_class(text) == expected


@pytest.mark.parametrize("text", ["32", "三年级", "2班", "十年级1班", "高一(2)班"])
def test_a_class_that_could_be_read_two_ways_or_not_at_all_is_an_error(text):
    with pytest.raises(ValidationError, match="无法识别的班级"):
        parse_class(text)


def test_header_with_spaces_line_breaks_and_full_width_brackets_is_recognised():
    header = find_header([("留守儿童名单",), ("序号", " 姓 名 ", "性别", "出生\n日期", "班级（年级）", "父亲务工地点")])
    assert header is not None and header.row == 2
    assert sorted(header.keys.values()) == ["birth_date", "father_work_place", "gender", "name", "school_class", "seq"]


def test_a_birth_month_takes_the_day_from_the_id_number_or_matches_the_archived_child(world):
    from tests.excel.archives import make_archive

    existing = make_archive(world, "王小刚", birth=date(2015, 3, 17), with_id=False)
    sheet = messy(
        [
            row(birth="2017年3月"),  # ID number says 2017-03-02
            row(name="王小刚", birth=201503, number=""),  # archived as 2015-03-17
        ]
    )
    preview = read_import(school=world.school, source=sheet, filename="x.xlsx", today=TODAY)
    assert [r.action for r in preview.rows] == [Action.CREATE, Action.UPDATE], preview.errors
    assert preview.rows[0].data.child["birth_date"] == date(2017, 3, 2)
    assert preview.rows[1].existing == existing
    assert "出生日期" not in preview.rows[1].changes


def test_validating_a_sheet_takes_the_same_number_of_queries_for_3_or_30_rows(world, django_assert_max_num_queries):
    few = messy([row(name=f"学生{i}", number=idn(seq=i)) for i in range(3)])
    many = messy([row(name=f"学生{i}", number=idn(seq=i)) for i in range(30)])
    with django_assert_max_num_queries(8):
        read_import(school=world.school, source=few, filename="x.xlsx", today=TODAY)
    with django_assert_max_num_queries(8):
        assert len(read_import(school=world.school, source=many, filename="x.xlsx", today=TODAY).rows) == 30


def test_a_workbook_with_one_sheet_per_class_is_read_whole_and_errors_name_the_sheet(world):
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    first.title = "三(2)班"
    first.append(["三年级二班留守儿童名单"])
    first.append(["姓名", "性别", "出生日期", "班级", "监护人", "关系"])
    first.append(["张小明", "男", "2017.3.2", "三(2)班", "张奶奶", "奶奶"])
    first.append(["李小红", "女", "2016.5.8", "三(2)班", "李外婆", "外婆"])
    notes = wb.create_sheet("说明")
    notes.append(["本表由班主任填写"])
    second = wb.create_sheet("四(1)班")
    second.append(["姓名", "性别", "出生日期", "班级", "监护人", "关系"])
    second.append(["王小刚", "男", "2015.9.1", "四(1)班", "王爷爷", "老乡"])
    second.append(["张小明", "男", "2017.3.2", "四(1)班", "张奶奶", "奶奶"])
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    preview = read_import(school=world.school, source=out, filename="各班.xlsx", today=TODAY)
    assert preview.sheet == "三(2)班、四(1)班"
    assert [(r.sheet, r.row, r.action) for r in preview.rows] == [
        ("三(2)班", 3, Action.CREATE), ("三(2)班", 4, Action.CREATE), ("四(1)班", 2, Action.ERROR),
        ("四(1)班", 3, Action.ERROR),
    ]  # fmt: skip
    assert [str(e) for e in preview.errors] == [
        "工作表“四(1)班”第2行【关系】无法识别的与儿童关系：老乡，可填：祖父、祖母、外祖父、外祖母、亲戚、邻居、其他、爷爷、外婆",
        "工作表“四(1)班”第3行【姓名】与工作表“三(2)班”第3行同名且出生日期相同，是否重复录入？",
    ]


def test_a_sheet_named_after_its_class_needs_no_class_column(world):
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "三年级2班"
    ws.append(["姓名", "性别", "出生日期", "监护人姓名", "关系"])
    ws.append(["张小明", "男", "2017.3.2", "张奶奶", "奶奶"])
    other = wb.create_sheet("Sheet2")
    other.append(["姓名", "性别", "出生日期", "监护人姓名", "关系"])
    other.append(["李小红", "女", "2016.5.8", "李外婆", "外婆"])
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    preview = read_import(school=world.school, source=out, filename="x.xlsx", today=TODAY)
    assert preview.rows[0].action == Action.CREATE
    assert preview.rows[0].data.child["school_class"] == world.school_class
    assert [str(e) for e in preview.errors] == ["工作表“Sheet2”第2行【班级】班级不能为空"]
