"""Excel output of the county overview (openpyxl write_only) and download headers."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from caretrack.spreadsheets import safe_row, text_cell
from reports.selectors import CountyRow, CountyTotals, TermKey


def content_disposition(filename: str) -> str:
    """attachment with a UTF-8 file name (RFC 6266) and an ASCII fallback for old clients."""
    fallback = filename.encode("ascii", "ignore").decode() or "report"
    if "." in filename and "." not in fallback:
        fallback += filename[filename.rfind(".") :]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


HEADERS = [
    ("学校", 30),
    ("在校学生", 10),
    ("留守儿童", 10),
    ("留守比例(%)", 11),
    ("已建档", 9),
    ("建档率(%)", 10),
    ("已结对", 9),
    ("结对覆盖率(%)", 12),
    ("本学期谈心达标率(%)", 16),
    ("本学期家访覆盖率(%)", 16),
    ("活动次数", 10),
    ("资助金额(元)", 12),
    ("困境儿童", 10),
    ("事实无人抚养儿童", 14),
]


def county_values(row: CountyRow) -> list:
    f = row.figures
    if f is None:
        return [row.school.name, row.enrolled_students] + ["无此学期"] + [None] * (len(HEADERS) - 3)
    m, a = f.mentoring, f.activities
    return [
        row.school.name,
        f.enrolled,
        f.left_behind,
        f.left_behind_ratio,
        f.archive.complete,
        f.archive.rate,
        m.paired,
        float(m.pairing_coverage),
        float(m.talk_compliance_term),
        float(m.visit_coverage_term),
        a.activities,
        float(a.aid_total_yuan),
        f.hardship,
        f.unsupported,
    ]


def total_values(totals: CountyTotals) -> list:
    return [
        f"合计（{totals.schools} 所学校）",
        totals.enrolled,
        totals.left_behind,
        totals.left_behind_ratio,
        totals.archive_complete,
        totals.archive_rate,
        totals.paired,
        totals.pairing_coverage,
        totals.talk_compliance_term,
        totals.visit_coverage_term,
        totals.activities,
        float(totals.aid_total_yuan) if totals.aid_total_yuan is not None else None,
        totals.hardship,
        totals.unsupported,
    ]


def county_workbook(*, rows: list[CountyRow], totals: CountyTotals, key: TermKey) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("县域概览")
    for index, (_, width) in enumerate(HEADERS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "B3"
    title = text_cell(sheet, f"关爱留守儿童工作统计表（{key.label}）")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    header_fill = PatternFill("solid", fgColor="D9EAD3")
    header = []
    for label, _ in HEADERS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(safe_row(sheet, county_values(row)))  # school names are typed by people: text, never formulas
    bold = []
    for value in total_values(totals):
        cell = text_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    sheet.append(["说明：数据来自各校在系统中的记录；无数据处留空。不含任何学生个人信息。"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
