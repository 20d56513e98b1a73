"""Small .xlsx files that ask a lot of the server, written as raw XML into a zip (no spreadsheet library
would write them): a sheet that declares A1:XFD1048576 and fills 16,384 cells a row, a sheet whose rows
jump to row 1,000,000, a million tiny shared strings, and a zip bomb."""

from __future__ import annotations

from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ["姓名", "性别", "出生日期", "班级"]


def header_row(r: int = 1) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER)
    return f'<row r="{r}">{cells}</row>'


def child_row(r: int) -> str:
    values = ["张小明", "男", "2017-03-02", "三(2)班"]
    return f'<row r="{r}">' + "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values) + "</row>"


def workbook(sheet_xml: str, *, shared_strings: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    out = BytesIO()
    sst_override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings is not None
        else ""
    )
    sst_rel = (
        f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings is not None
        else ""
    )
    with ZipFile(out, "w", ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' + sst_override + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<sheets><sheet name="留守儿童" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>{sst_rel}'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_strings is not None:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
    return f"{head}{dim}<sheetData>{rows}</sheetData></worksheet>"


def wide(*, declared: bool = True, rows: int = 30) -> bytes:
    """Every row has 16,384 cells; with declared=True the sheet also says A1:XFD1048576."""
    filler = "<c><v>1</v></c>" * (16_384 - len(HEADER))
    body = header_row() + "".join(child_row(r)[:-6] + filler + "</row>" for r in range(2, rows + 2))
    return workbook(sheet(body, "A1:XFD1048576" if declared else None))


def tall() -> bytes:
    """Two real rows, then a row numbered 1,000,000: openpyxl yields every missing row in between."""
    return workbook(sheet(header_row() + child_row(2) + child_row(1_000_000)))


def many_shared_strings(*, declared: bool = True, count: int = 1_000_000) -> bytes:
    attrs = f' count="{count}" uniqueCount="{count}"' if declared else ""
    strings = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"{attrs}>' + "<si><t>a</t></si>" * count
    return workbook(sheet(header_row() + child_row(2)), shared_strings=strings + "</sst>")


def zip_bomb(unpacked_mb: int = 60) -> bytes:
    """A member that unpacks to unpacked_mb MB of one repeated byte (about 60 KB packed)."""
    return workbook(
        sheet(header_row() + child_row(2)), extra={"xl/media/image1.bin": b"\0" * (unpacked_mb * 1024 * 1024)}
    )
