"""Excel output of the county overview (the core's printable sheet, caretrack.xlsx) and download headers."""

from __future__ import annotations

from urllib.parse import quote

from caretrack.xlsx import DECIMAL, INT, TEXT, Book, Column
from reports.selectors import CountyRow, CountyTotals, TermKey


def content_disposition(filename: str) -> str:
    """attachment with a UTF-8 file name (RFC 6266) and an ASCII fallback for old clients."""
    fallback = filename.encode("ascii", "ignore").decode() or "report"
    if "." in filename and "." not in fallback:
        fallback += filename[filename.rfind(".") :]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


HEADERS = [
    ("学校", TEXT),
    ("在校学生", INT),
    ("留守儿童", INT),
    ("留守比例(%)", DECIMAL),
    ("已建档", INT),
    ("建档率(%)", DECIMAL),
    ("已结对", INT),
    ("结对覆盖率(%)", DECIMAL),
    ("本学期谈心达标率(%)", DECIMAL),
    ("本学期家访覆盖率(%)", DECIMAL),
    ("活动次数", INT),
    ("资助金额(元)", DECIMAL),
    ("困境儿童", INT),
    ("事实无人抚养儿童", INT),
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
    """One row per school, the 合计 row in bold and a note; school names are typed by people: text, never
    formulas (caretrack.xlsx)."""
    book = Book()
    sheet = book.sheet(
        "县域概览",
        title=f"关爱留守儿童工作统计表（{key.label}）",
        columns=[Column(label, kind) for label, kind in HEADERS],
        freeze_columns=1,
    )
    for row in rows:
        sheet.row(county_values(row))
    sheet.row(total_values(totals), bold=True)
    sheet.note("说明：数据来自各校在系统中的记录；无数据处留空。不含任何学生个人信息。")
    return book.bytes()
