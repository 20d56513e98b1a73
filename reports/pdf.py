"""The 工作总结 as a PDF (reportlab platypus), laid out like the schools' own reports: title; 一、基本情况;
二、主要做法; 三、工作成效; 四、存在问题与下步打算; then the school, the date and a place for the seal.

The body is set in a Song-style serif (AR PL UMing, a GB 2312 subset: reports/fonts/make_song_subset.py), the
title, headings, header and charts in the sans WenQuanYi Micro Hei (黑体-like), as official documents are;
a character the Song subset lacks (a rare character of a name) is set in WenQuanYi, glyph by glyph. Both
are embedded as subsets, so the file renders the same in WPS, Adobe Reader and a browser on a machine
without Chinese fonts. A little over 400 lines: the layout of the
four sections, their tables and charts is one document and reads best in one place."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from caretrack.models import School, Term
from reports.drafts import NO_DATA, cn_date, cn_month_day, pct
from reports.privacy import Replacement
from reports.selectors import ReportPhoto, SchoolFigures

FONT_NAME = "CJK"  # headings, header, charts; the fallback of the body face
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
BODY_FONT = "Song"
BODY_FONT_PATH = Path(__file__).resolve().parent / "fonts" / "song-gb2312.ttf"
# Chinese full-width punctuation that must not begin a line (reportlab's own list lacks it).
CJK_CANNOT_START = "，。、；：！？”’）》〉】…"
GREEN = colors.HexColor("#198754")
PALETTE = [colors.HexColor(c) for c in ("#198754", "#fd7e14", "#0d6efd", "#6f42c1", "#20c997", "#dc3545")]


@functools.cache
def register_font() -> str:
    """Once per process (functools.cache): parsing the two font files is the slow part of a first PDF."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    pdfmetrics.registerFont(TTFont(BODY_FONT, str(BODY_FONT_PATH)))
    # Streams only deflated, not also ASCII85-encoded: reportlab's encoder is pure Python here and took about
    # a fifth of each 工作总结's time on the embedded font subsets (and the file is smaller).
    rl_config.useA85 = 0
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        extra = "".join(ch for ch in CJK_CANNOT_START if ch not in module.ALL_CANNOT_START)
        module.ALL_CANNOT_START += extra
    return FONT_NAME


@functools.cache
def _body_coverage() -> frozenset[int]:
    register_font()
    return frozenset(pdfmetrics.getFont(BODY_FONT).face.charToGlyph)


def font_runs(text: str) -> str:
    """Paragraph markup of plain text in the body face: escaped, with each run of characters the Song subset
    lacks (堃, 玥 …) wrapped in <font name="CJK">, since reportlab has no per-glyph fallback."""
    covered = _body_coverage()
    out, run, fallback = [], [], False
    for ch in text:
        missing = ord(ch) not in covered and not ch.isspace()
        if missing != fallback and run:
            out.append(_run("".join(run), fallback))
            run = []
        fallback = missing
        run.append(ch)
    if run:
        out.append(_run("".join(run), fallback))
    return "".join(out)


def _run(text: str, fallback: bool) -> str:
    return f'<font name="{FONT_NAME}">{escape(text)}</font>' if fallback else escape(text)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    heading = register_font()
    font = BODY_FONT
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24)
    return {
        "title": ParagraphStyle("title", fontName=heading, fontSize=20, leading=30, alignment=TA_CENTER),
        "subtitle": ParagraphStyle("subtitle", fontName=heading, fontSize=13, leading=20, alignment=TA_CENTER),
        "h1": ParagraphStyle(
            "h1", fontName=heading, fontSize=14, leading=24, spaceBefore=10, spaceAfter=4, keepWithNext=1
        ),
        "h2": ParagraphStyle(
            "h2", fontName=heading, fontSize=11.5, leading=18, spaceBefore=6, textColor=GREEN, keepWithNext=1
        ),
        "body": body,
        "cell": ParagraphStyle("cell", fontName=font, fontSize=10, leading=13.5, wordWrap="CJK"),
        "caption": ParagraphStyle(
            "caption", fontName=font, fontSize=9, leading=12, alignment=TA_CENTER, textColor=colors.grey
        ),
        "right": ParagraphStyle("right", fontName=font, fontSize=12, leading=22, alignment=TA_RIGHT),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=13, textColor=colors.grey),
    }


class BoldHeading(Paragraph):
    """A heading in a bold face: WenQuanYi has no bold weight, so its glyphs are filled and stroked
    (PDF text render mode 2), the way word processors embolden a Chinese face."""

    def draw(self):
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(self.style.fontSize / 28)
        canv.setStrokeColor(self.style.textColor)
        canv._code.append("2 Tr")
        super().draw()
        canv._code.append("0 Tr")
        canv.restoreState()


@dataclass
class GroupRow:
    """A row of the leading group's table, as printed."""

    position: str
    name: str
    title: str
    responsibility: str


BUREAU_NOTE = (
    "本件为报送教育局版本：学生姓名只保留姓氏（如“王同学”），家长、祖辈和监护人姓名只保留姓氏（如“王某”），"
    "身份证号、电话号码、家庭住址和村组门牌已隐去。"
)


@dataclass
class ReportContent:
    """Everything the PDF prints, already in its final wording: for the bureau copy, already scrubbed
    (reports.services.report_content), so this module lays out text and never decides what may be shown."""

    school: School
    term: Term
    figures: SchoolFigures
    sections: list[tuple[str, str]]  # (title, edited or drafted text)
    opening: str = ""  # the paragraph before 一、
    leading_group: list[GroupRow] = field(default_factory=list)
    cases: list[tuple[str, str]] = field(default_factory=list)  # (name as shown, story)
    photos: list[ReportPhoto] = field(default_factory=list)
    bureau_copy: bool = False
    made_on: object = None
    replacements: list[Replacement] = field(default_factory=list)  # what the bureau copy took out


def _paragraphs(text: str) -> list[Paragraph]:
    st = styles()["body"]
    return [Paragraph(font_runs(line.strip()), st) for line in text.splitlines() if line.strip()]


def _table(rows: list[list], widths: list[float], *, header: bool = True, total: bool = False) -> Table:
    cell = styles()["cell"]
    data = [[c if not isinstance(c, str) else Paragraph(font_runs(c), cell) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#9aa5a0")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#d9ead3")))
    if total:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f1f3f2")))
    table.setStyle(TableStyle(commands))
    return table


def figures_rows(f: SchoolFigures) -> list[list[str]]:
    """基本情况 in numbers: the same figures the dashboard and the county overview show."""
    rows = [
        ["项目", "数值"],
        ["在校学生", f"{f.enrolled} 人"],
        ["留守儿童", f"{f.left_behind} 人"],
        ["留守儿童占在校学生比例", pct(f.left_behind_ratio)],
        ["困境儿童", f"{f.hardship} 人"],
        ["事实无人抚养儿童", f"{f.unsupported} 人"],
        ["已建档（档案完整）", f"{f.archive.complete} 人"],
        ["建档率", pct(f.archive.rate)],
    ]
    m = f.mentoring
    rows += [
        ["关爱对象（留守、困境、事实无人抚养）", f"{f.in_care} 人"],
        ["已结对关爱对象", f"{m.paired} 人"],
        ["结对覆盖率", pct(m.pairing_coverage)],
        ["本学期谈心", f"{m.talks_term} 次"],
        ["本学期谈心达标率", pct(m.talk_compliance_term)],
        ["本学期家访", f"{m.visits_term} 次"],
        [m.visit_term_label, pct(m.visit_coverage_term)],
    ]
    a = f.activities
    rows += [
        ["关爱活动", f"{a.activities} 次"],
        ["留守儿童之家开放 / 接待", f"{a.care_room_openings} 次 / {a.care_room_visits} 人次"],
        ["资助金额", f"{a.aid_total_yuan} 元（{a.aid_children} 人）"],
    ]
    return rows


def _type_pie(f: SchoolFigures) -> Drawing:
    drawing = Drawing(80 * mm, 60 * mm)
    data = [(t.label, t.count) for t in f.by_type if t.count]
    if not data:
        drawing.add(String(10, 80, f"留守类型：{NO_DATA}", fontName=FONT_NAME, fontSize=10))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 22 * mm, 20 * mm, 32 * mm, 32 * mm
    pie.data = [n for _, n in data]
    pie.labels = [f"{round(100 * n / sum(pie.data))}%" for n in pie.data]
    pie.simpleLabels = 1
    pie.slices.fontName = FONT_NAME
    pie.slices.fontSize = 8
    pie.slices.fontColor = colors.white
    pie.slices.labelRadius = 0.65
    pie.slices.strokeColor = colors.white
    for i in range(len(data)):
        pie.slices[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = 4 * mm, 15 * mm
    legend.fontName = FONT_NAME
    legend.fontSize = 8.5
    legend.alignment = "right"
    legend.columnMaximum = 4
    legend.dy, legend.deltay = 8, 11
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], f"{label} {n}人") for i, (label, n) in enumerate(data)]
    drawing.add(legend)
    drawing.add(String(40 * mm, 56 * mm, "留守类型", fontName=FONT_NAME, fontSize=10, textAnchor="middle"))
    return drawing


def _bar(title: str, pairs: list[tuple[str, int]], width: float = 80 * mm) -> Drawing:
    pairs = pairs[:10]
    height = max(40 * mm, (len(pairs) * 6 + 16) * mm)
    drawing = Drawing(width, height)
    drawing.add(String(width / 2, height - 5 * mm, title, fontName=FONT_NAME, fontSize=10, textAnchor="middle"))
    if not pairs:
        drawing.add(String(10, height / 2, NO_DATA, fontName=FONT_NAME, fontSize=10))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 28 * mm, 6 * mm
    chart.width, chart.height = width - 36 * mm, height - 16 * mm
    chart.data = [[n for _, n in reversed(pairs)]]
    chart.categoryAxis.categoryNames = [str(label) for label, _ in reversed(pairs)]
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = GREEN
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT_NAME
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _side_by_side(left, right) -> Table:
    table = Table([[left, right]], colWidths=[85 * mm, 85 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _situation_extras(f: SchoolFigures) -> list:
    st = styles()
    story = [Spacer(1, 4), _table(figures_rows(f), [70 * mm, 60 * mm])]
    type_rows = [["留守类型", "人数"]] + [[t.label, str(t.count)] for t in f.by_type] + [["合计", str(f.left_behind)]]
    story += [
        Paragraph("留守类型与父母务工地", st["h2"]),
        _side_by_side(_type_pie(f), _bar("父母务工省份（人）", f.provinces)),
    ]
    province_rows = [["务工省份", "外出父母（人）"]] + [[name, str(n)] for name, n in f.provinces]
    story.append(
        _side_by_side(_table(type_rows, [50 * mm, 25 * mm], total=True), _table(province_rows, [45 * mm, 30 * mm]))
    )
    if f.hardship_by_kind:
        kind_rows = [["困境类别", "人数"]] + [[t.label, str(t.count)] for t in f.hardship_by_kind]
        story += [Paragraph("困境儿童类别", st["h2"]), _table(kind_rows, [60 * mm, 25 * mm])]
    if f.guardians:
        guardian_rows = [["委托监护人", "人数"]] + [[label, str(n)] for label, n in f.guardians]
        story += [Paragraph("委托监护人", st["h2"]), _table(guardian_rows, [50 * mm, 25 * mm])]
    if f.archive.by_grade:
        grade_rows = [["年级", "留守儿童", "已建档", "建档率"]] + [
            [r.label, str(r.total), str(r.complete), pct(r.rate)] for r in f.archive.by_grade
        ]
        grade_rows.append(["合计", str(f.archive.total), str(f.archive.complete), pct(f.archive.rate)])
        story += [
            Paragraph("各年级留守儿童与建档情况", st["h2"]),
            _table(grade_rows, [40 * mm, 30 * mm, 30 * mm, 30 * mm], total=True),
        ]
    if f.archive.missing:
        missing_rows = [["档案缺项", "缺少人数"]] + [[label, str(n)] for label, n in f.archive.missing]
        story += [Spacer(1, 4), _table(missing_rows, [100 * mm, 30 * mm])]
    return story


def _practices_extras(content: ReportContent) -> list:
    st = styles()
    story = []
    if content.leading_group:
        rows = [["职务", "姓名", "校内职务", "分工职责"]] + [
            [m.position, m.name, m.title, m.responsibility] for m in content.leading_group
        ]
        story += [Paragraph("关爱留守儿童工作领导小组", st["h2"]), _table(rows, [20 * mm, 25 * mm, 40 * mm, 85 * mm])]
    f = content.figures
    m = f.mentoring
    if m.mentor_load:
        load = [["每名帮扶教师结对人数", "教师人数"]] + [
            ["4 名及以上" if k == 4 else f"{k} 名", str(n)] for k, n in sorted(m.mentor_load.items())
        ]
        story += [Paragraph("帮扶教师结对情况", st["h2"]), _table(load, [60 * mm, 30 * mm])]
    a = f.activities
    if a.activity_list:
        rows = [["日期", "活动", "类型"]] + [
            [cn_month_day(d), title if n == 1 else f"{title}（{n} 场）", label]
            for (d, title, label), n in grouped_activities(a.activity_list)
        ]
        story += [Paragraph("本学期关爱活动", st["h2"]), _table(rows, [25 * mm, 105 * mm, 40 * mm])]
        if a.activities_by_type:
            story.append(_bar("活动类型（次）", [(label, n) for label, n in a.activities_by_type], width=120 * mm))
    if a.aid_by_kind:
        rows = [["资助类别", "金额（元）"]] + [[str(label), str(amount)] for label, amount in a.aid_by_kind]
        rows.append([f"合计（{a.aid_children} 人）", str(a.aid_total_yuan)])
        story += [Paragraph("资助与慰问", st["h2"]), _table(rows, [60 * mm, 40 * mm], total=True)]
    if a.care_room_by_use:
        rows = [["留守儿童之家用途", "接待（人次）"]] + [[str(label), str(n)] for label, n in a.care_room_by_use]
        rows.append([f"合计（开放 {a.care_room_openings} 次）", str(a.care_room_visits)])
        story += [Paragraph("留守儿童之家", st["h2"]), _table(rows, [60 * mm, 40 * mm], total=True)]
    return story


def grouped_activities(activities: list[tuple]) -> list[tuple[tuple, int]]:
    """The same activity held by many classes on one day is one row with its count."""
    counts: dict[tuple, int] = {}
    for item in activities:
        counts[item] = counts.get(item, 0) + 1
    return list(counts.items())


def results_rows(f: SchoolFigures) -> list[list[str]]:
    """三、工作成效 in numbers."""
    rows = [["指标", "本学期"], ["建档率", pct(f.archive.rate)]]
    m = f.mentoring
    rows += [
        ["结对覆盖率", pct(m.pairing_coverage)],
        ["谈心达标率", pct(m.talk_compliance_term)],
        ["家访覆盖率", pct(m.visit_coverage_term)],
    ]
    a = f.activities
    rows.append(["参加体检的留守儿童", f"{a.health_checked} 人"])
    p = f.progress
    if p is not None:  # two comparable exams only (reports.selectors.comparable_exams)
        label = f"成绩进步（{p.first.name}→{p.second.name}）"
        rows.append([label, f"{p.improved} / {p.compared} 人（{pct(p.share)}）"])
    return rows


def _results_extras(content: ReportContent) -> list:
    st = styles()
    story = [Spacer(1, 4), _table(results_rows(content.figures), [70 * mm, 60 * mm])]
    if content.cases:
        story.append(Paragraph("典型案例", st["h2"]))
        for i, (name, text) in enumerate(content.cases, 1):
            story.append(Paragraph(font_runs(f"案例{i}：{name}。{text}"), st["body"]))
    if content.photos:
        cells = [cell for cell in (_photo_cell(photo) for photo in content.photos) if cell is not None]
        rows = [cells[i : i + 2] + [""] * (2 - len(cells[i : i + 2])) for i in range(0, len(cells), 2)]
        if rows:
            grid = Table(rows, colWidths=[85 * mm, 85 * mm], hAlign="LEFT")
            grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
            story += [Paragraph("活动照片", st["h2"]), grid]
    return story


def _photo_cell(photo: ReportPhoto):
    """A photo fitted into 78 × 60 mm with its caption and date beneath, or None if it cannot be read."""
    try:
        image = Image(photo.file)
    except OSError:
        return None
    ratio = image.imageHeight / image.imageWidth if image.imageWidth else 0.75
    width, height = 78 * mm, 78 * mm * ratio
    if height > 60 * mm:
        width, height = 60 * mm / ratio, 60 * mm
    image.drawWidth, image.drawHeight = width, height
    caption = photo.caption + (f"（{cn_date(photo.day)}）" if photo.day else "")
    return [image, Paragraph(font_runs(caption), styles()["caption"])]


class _NumberedCanvas(pdf_canvas.Canvas):
    """Writes 第 x 页 / 共 y 页 and the header once the page count is known."""

    header = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int):
        width, height = A4
        self.setFont(FONT_NAME, 8.5)
        self.setFillColor(colors.grey)
        self.drawString(20 * mm, height - 12 * mm, self.header)
        self.setStrokeColor(colors.HexColor("#cfd8d3"))
        self.line(20 * mm, height - 14 * mm, width - 20 * mm, height - 14 * mm)
        self.drawCentredString(width / 2, 10 * mm, f"第 {self._pageNumber} 页 / 共 {total} 页")


def build_term_report(content: ReportContent) -> bytes:
    register_font()
    st = styles()
    f = content.figures
    school, term = content.school, content.term
    buffer = BytesIO()
    header = f"{school.name} · {term} 关爱留守儿童工作总结" + ("（教育局存档）" if content.bureau_copy else "")
    canvas_class = type("ReportCanvas", (_NumberedCanvas,), {"header": header})
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=f"{school.name}{term}关爱留守儿童工作总结",
        author=school.name,
    )
    story = [
        Paragraph(escape(school.name), st["subtitle"]),
        BoldHeading(f"{term}关爱留守儿童工作总结", st["title"]),
        Spacer(1, 8),
    ]
    if content.opening:
        story += _paragraphs(content.opening)
    extras = {
        0: _situation_extras(f),
        1: _practices_extras(content),
        2: _results_extras(content),
    }
    closing: list = []
    for index, (title, text) in enumerate(content.sections):
        story.append(BoldHeading(title, st["h1"]))
        paragraphs = _paragraphs(text)
        if index == len(content.sections) - 1 and not extras.get(index):
            # The last two paragraphs go with the signature: the last page never holds the seal alone.
            paragraphs, closing = paragraphs[:-2], paragraphs[-2:]
        story += paragraphs
        story += extras.get(index, [])
    made_on = content.made_on or timezone.localdate()
    seal = Table(
        [[Paragraph(escape(school.name), st["right"])], [Paragraph(cn_date(made_on), st["right"])]],
        colWidths=[170 * mm],
    )
    signature = [*closing, Spacer(1, 18), seal, Paragraph("（学校盖章）", st["right"])]
    if content.bureau_copy:
        signature += [Spacer(1, 8), Paragraph(BUREAU_NOTE, st["note"])]
    story.append(KeepTogether(signature))
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()
