"""The import template (the columns the import reads, with an example row and dropdowns) and the
downloadable list of a preview's row errors."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from children.importing.columns import COLUMNS, EXAMPLE_MARK
from children.sheets import INT, Book, Col, Sheet

# The template stays an ordinary openpyxl workbook: its dropdowns (data validations) are the point of it.
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")

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


# Typed as text in the template: 18-digit numbers and phones must keep every digit.
_TEXT_KEYS = {"id_number", "student_number", "father_id_number", "mother_id_number", "father_phone", "mother_phone",
              "guardian_phone"}  # fmt: skip


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
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    ws.append([_EXAMPLE.get(key, "") for key in _TEMPLATE_KEYS])
    for cell in ws[2]:
        cell.font = Font(color="808080", italic=True)
    ws.freeze_panes = "C2"
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        if column.key in _TEXT_KEYS:
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
    notes["A1"].font = TITLE_FONT
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
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_error_report(preview) -> bytes:
    """The rows an import could not read, one line per problem, to fix the sheet by."""
    book = Book()
    columns = [
        Col("工作表", lambda e: e.sheet or preview.sheet),
        Col("行号", lambda e: e.row, INT),
        Col("列", lambda e: e.column),
        Col("问题", lambda e: e.message, max_width=80),
    ]
    sheet = Sheet(book, "错误清单", f"{preview.filename} 导入错误清单（共 {len(preview.errors)} 处）", columns)
    for error in preview.errors:
        sheet.add(error)
    return book.bytes()
