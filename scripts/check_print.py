#!/usr/bin/env python
"""Print check: how the 台账, the 登记表 and the 谈心记录 print, as LibreOffice prints them.

Builds a demo school in a fresh SQLite database (seed_demo: one school of --children students), exports its
台账, 登记表 and 谈心记录 of the current term, converts each file with `soffice --headless --convert-to pdf`
and prints, for each: the pages, the page size and orientation (A4 landscape is 842 × 595 pt), and whether
every page carries its sheet's title and header texts (text read from the PDF). Or checks the given files:

    .venv/bin/python scripts/check_print.py                    # a demo school of 1,200 students
    .venv/bin/python scripts/check_print.py --children 400
    .venv/bin/python scripts/check_print.py roster.xlsx 登记表.xlsx

Exit status 0 when every file converts and every page is A4 landscape with its title and header.
tests/excel/test_print.py runs check_file() on a small school.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
A4_LANDSCAPE = (842, 595)  # points
_SPACE = re.compile(r"\s+")


@dataclass
class SheetTexts:
    name: str
    title: str
    headers: list[str]  # the header texts (group and sub-headers)


@dataclass
class PrintReport:
    path: Path
    pages: int = 0
    sizes: set[tuple[int, int]] = field(default_factory=set)
    seconds: float = 0.0
    error: str = ""
    pages_by_sheet: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # "page 3: 姓名" for each text a page lacks

    @property
    def landscape_a4(self) -> bool:
        return bool(self.sizes) and all(abs(w - 842) <= 1 and abs(h - 595) <= 1 for w, h in self.sizes)

    @property
    def ok(self) -> bool:
        return not self.error and self.pages > 0 and self.landscape_a4 and not self.missing


def sheet_texts(path: Path) -> list[SheetTexts]:
    """Each sheet's title (A1) and header texts (the rows between the title rows and the frozen pane)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=False)
    found = []
    for ws in workbook.worksheets:
        first_data = ws.freeze_panes and int(re.sub(r"[A-Z]+", "", ws.freeze_panes)) or 2
        title = str(ws.cell(1, 1).value or "")
        headers: list[str] = []
        for row in ws.iter_rows(min_row=2, max_row=first_data - 1, values_only=True):
            values = [str(v) for v in row if v not in (None, "")]
            if len(values) > 1 or (values and not values[0].startswith(("填报单位", "导出日期", "统计日期"))):
                headers.extend(values)
        found.append(SheetTexts(ws.title, title, list(dict.fromkeys(headers))))
    return found


def to_pdf(path: Path, outdir: Path) -> tuple[Path, float, str]:
    """LibreOffice's PDF of `path` (its own profile directory, so runs side by side do not clash)."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = outdir / (path.stem + ".pdf")
    error = ""
    if done.returncode != 0 or not pdf.exists():
        error = f"soffice exit {done.returncode}: {(done.stderr or done.stdout).strip()[:300]}"
    return pdf, time.perf_counter() - started, error


def _squeeze(text: str) -> str:
    return _SPACE.sub("", text)


def check_file(path: Path, outdir: Path | None = None) -> PrintReport:
    """Convert `path` to PDF and check every page: A4 landscape, and the title and header texts of the sheet
    the page belongs to (a page belongs to the sheet whose title it carries; one carrying none belongs to
    the first sheet, and lacks its title)."""
    from pypdf import PdfReader

    path = Path(path)
    report = PrintReport(path)
    outdir = Path(outdir or tempfile.mkdtemp(prefix="print-check-"))
    sheets = sheet_texts(path)
    pdf, report.seconds, report.error = to_pdf(path, outdir)
    if report.error:
        return report
    reader = PdfReader(pdf)
    report.pages = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        report.sizes.add((round(float(box.width)), round(float(box.height))))
        # Two readings of the page: in the order of the content stream (keeps a wrapped header's lines
        # together) and as laid out (keeps runs in mixed fonts); a text is on the page if either has it.
        texts = (_squeeze(page.extract_text()), _squeeze(page.extract_text(extraction_mode="layout")))
        sheet = next((s for s in sheets if s.title and any(_squeeze(s.title) in t for t in texts)), sheets[0])
        report.pages_by_sheet[sheet.name] = report.pages_by_sheet.get(sheet.name, 0) + 1
        for wanted in [sheet.title, *sheet.headers]:
            if not any(_squeeze(wanted) in t for t in texts):
                report.missing.append(f"第 {number} 页缺少“{wanted}”")
    return report


def print_report(report: PrintReport) -> None:
    sizes = ", ".join(f"{w}×{h}" for w, h in sorted(report.sizes)) or "-"
    orientation = "A4 横向" if report.landscape_a4 else "不是 A4 横向"
    print(f"{report.path.name}")
    if report.error:
        print(f"  转换失败：{report.error}")
        return
    per_sheet = "，".join(f"{name} {n} 页" for name, n in report.pages_by_sheet.items())
    print(f"  共 {report.pages} 页（{per_sheet}），页面 {sizes} pt，{orientation}，转换 {report.seconds:.1f} 秒")
    if report.missing:
        print(f"  {len(report.missing)} 处缺少标题或表头，例如：{'；'.join(report.missing[:5])}")
    else:
        print("  每一页都有标题和表头")


def build_demo_exports(children: int, outdir: Path) -> list[Path]:
    """A fresh SQLite database with one demo school; its 台账, 登记表 and 谈心记录 written to `outdir`."""
    db = outdir / "print-check.sqlite3"
    os.environ["SQLITE_PATH"] = str(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caretrack.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from caretrack.demo import build_demo
    from caretrack.models import School
    from children import exports
    from mentoring import exports as log_exports

    build_demo(schools=1, children=children, teachers=max(20, children // 20))
    school = School.objects.order_by("pk").first()
    today = date.today()
    paths = []
    for name, result in (
        ("台账", exports.export_roster(school=school, acting_user=None, today=today)),
        ("登记表", exports.export_register(school=school, acting_user=None, today=today)),
        ("谈心记录", log_exports.export_logs(school=school, acting_user=None, kind="talks", today=today)),
    ):
        path = outdir / f"{name}.xlsx"
        path.write_bytes(result.content)
        print(f"{name}：{result.rows} 行")
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="xlsx files to check (default: build a demo school)")
    parser.add_argument("--children", type=int, default=1200, help="students of the demo school (default 1200)")
    parser.add_argument("--keep", type=Path, help="keep the files and PDFs in this directory")
    args = parser.parse_args()
    if not shutil.which("soffice"):
        print("soffice (LibreOffice) is not on PATH", file=sys.stderr)
        return 2
    outdir = args.keep or Path(tempfile.mkdtemp(prefix="print-check-"))
    outdir.mkdir(parents=True, exist_ok=True)
    paths = args.files or build_demo_exports(args.children, outdir)
    reports = [check_file(path, outdir) for path in paths]
    for report in reports:
        print_report(report)
    if not args.keep:
        shutil.rmtree(outdir, ignore_errors=True)
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
