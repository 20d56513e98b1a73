"""Building .xlsx files the way schools write them, for the import tests."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook


def build_sheet(
    rows: list[list], *, title: str | None = None, group_row: list | None = None, merges: list[str] = ()
) -> BytesIO:
    """A workbook with an optional title row (merged across), an optional group header row (cells
    merged over sub-headers are given as None after the group name) and the rows."""
    wb = Workbook()
    ws = wb.active
    ws.title = "留守儿童"
    width = max(len(r) for r in rows)
    if title:
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    if group_row:
        ws.append(group_row)
    for row in rows:
        ws.append(row)
    for cell_range in merges:
        ws.merge_cells(cell_range)
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def read_back(content: bytes):
    return load_workbook(BytesIO(content))


def sheet_rows(content: bytes, sheet: int = 0) -> list[tuple]:
    wb = read_back(content)
    return [tuple(r) for r in wb.worksheets[sheet].iter_rows(values_only=True)]
