"""帮扶教师工作情况 as an Excel sheet (the core's printable sheet, caretrack.xlsx): one row per mentor with the
term's done / due per kind, the completion, 落后 and the earlier terms' completion. Mentors' names only: no
child is named."""

from __future__ import annotations

from caretrack.models import School, Term
from caretrack.xlsx import DECIMAL, INT, TEXT, Book, Column
from mentoring.selectors.per_mentor import BEHIND_BELOW, KIND_LABELS, KINDS, MentorWork


def mentor_work_workbook(*, school: School, term: Term, past: list[Term], rows: list[MentorWork]) -> bytes:
    columns = [Column("帮扶教师", TEXT), Column("校外", TEXT), Column("结对学生", INT)]
    for kind in KINDS:
        columns += [Column(f"{KIND_LABELS[kind]}已完成", INT), Column(f"{KIND_LABELS[kind]}应完成", INT)]
    columns += [Column("完成率(%)", DECIMAL), Column("落后", TEXT)]
    columns += [Column(f"{t}完成率(%)", DECIMAL) for t in past]
    book = Book()
    sheet = book.sheet(
        "帮扶教师工作情况", title=f"{school.name}帮扶教师工作情况（{term}）", columns=columns, freeze_columns=1
    )
    for row in rows:
        c = row.current
        values = [row.name, "是" if row.is_external else "", c.children]
        for kind in KINDS:
            values += [c.quotas[kind].done, c.quotas[kind].due]
        values += [c.completion, "落后" if c.behind else ""]
        values += [p.completion if p.children else None for p in row.past]
        sheet.row(values)
    sheet.note(
        f"说明：已完成 / 应完成按本校的帮扶工作频次计算，截至导出当日；每周、每月超出要求的次数不计入。"
        f"任一项完成不足{BEHIND_BELOW}%的标为落后。"
    )
    return book.bytes()
