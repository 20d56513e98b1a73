"""Small .xlsx files that ask a lot of the server, written as raw XML into a zip (no spreadsheet library
would write them): a sheet that declares A1:XFD1048576 and fills 16,384 cells a row, a sheet whose rows
jump to row 1,000,000, a million tiny shared strings, and a zip bomb."""

from __future__ import annotations

from io import BytesIO
from zipfile import ZIP_DEFLATED, ZIP_STORED, ZipFile

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


# --- OpenDocument (.ods) ------------------------------------------------------------------------------
# A cell or a row may say it repeats (table:number-columns-repeated, table:number-rows-repeated): a reader
# materialises every repeat of a cell that holds a value. LibreOffice itself writes huge repeat counts, but
# only on EMPTY trailing cells and rows.

ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: str, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{times}><text:p>{value}</text:p></table:table-cell>'


def ods_row(values: list[str], repeat: int = 1, tail: str = "") -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{times}>" + "".join(ods_cell(v) for v in values) + tail + "</table:table-row>"


def ods_workbook(rows_xml: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="留守儿童">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = BytesIO()
    with ZipFile(out, "w", ZIP_DEFLATED) as z:
        z.writestr("mimetype", ODS_MIME, compress_type=ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def ods_ordinary() -> bytes:
    """A header and one child, with the empty trailing repeats LibreOffice writes."""
    empty_cells = '<table:table-cell table:number-columns-repeated="16380"/>'
    empty_rows = '<table:table-row table:number-rows-repeated="1048574"><table:table-cell ' \
        'table:number-columns-repeated="16384"/></table:table-row>'  # fmt: skip
    return ods_workbook(
        ods_row(HEADER, tail=empty_cells) + ods_row(["张小明", "男", "2017-03-02", "三(2)班"], tail=empty_cells)
        + empty_rows
    )


def ods_repeated_rows() -> bytes:
    """A child's row with a value, repeated 1,048,576 times."""
    return ods_workbook(ods_row(HEADER) + ods_row(["张小明", "男", "2017-03-02", "三(2)班"], repeat=1_048_576))


def ods_repeated_cells() -> bytes:
    """A cell with a value repeated over 16,384 columns, on rows repeated 1,048,576 times."""
    return ods_workbook(ods_row(HEADER) + f'<table:table-row table:number-rows-repeated="1048576">'
                        f'{ods_cell("1", repeat=16_384)}</table:table-row>')  # fmt: skip


def ods_zip_bomb(unpacked_mb: int = 60) -> bytes:
    return ods_workbook(ods_row(HEADER) + ods_row(["张小明", "男", "2017-03-02", "三(2)班"]),
                        extra={"Pictures/image1.bin": b"\0" * (unpacked_mb * 1024 * 1024)})  # fmt: skip


# --- CSV ------------------------------------------------------------------------------------------------


def csv_many_rows(rows: int = 1_500_000) -> bytes:
    """A header and a great many empty lines (about 3 MB)."""
    return ("姓名,性别,出生日期,班级\n" + ",\n" * rows).encode()


def csv_huge_field(mb: int = 10) -> bytes:
    """A header and one field of `mb` MB without a line break."""
    return "姓名,性别,出生日期,班级\n张小明,男,2017-03-02,".encode() + b"x" * (mb * 1024 * 1024) + b"\n"


def binary_junk(size: int = 64 * 1024) -> bytes:
    import random

    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(size))
