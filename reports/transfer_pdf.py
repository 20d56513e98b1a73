"""转学档案: the PDF a school hands to a school outside this installation when a child moves there. The
archive (the child's fields with the full ID number, which the receiving school needs to enrol the child;
the family, the guardians, the 留守 periods and the family assessment) and the chronology as the sender
reads it. Every page is marked 机密 · 仅供接收学校使用 in its header and footer, with the school and the date.
Laid out with the 工作总结's font, styles and tables (reports.pdf)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from caretrack import audit
from caretrack.models import AuditAction
from children import selectors as archive_selectors
from children.chronology import Entry
from children.models import Child
from children.permissions import can_transfer_child, children_visible_to
from reports.pdf import FONT_NAME, _NumberedCanvas, _table, register_font, styles

CONFIDENTIAL = "机密 · 仅供接收学校使用"
LABEL_WIDTH, VALUE_WIDTH = 32 * mm, 53 * mm


@dataclass
class TransferArchive:
    child: Child  # as children.selectors.child_detail loads it: family, guardians, periods prefetched
    chronology: list[Entry]
    made_on: date
    withheld: int = 0  # child-protection entries left out of the PDF (Entry.safeguarding)


def transfer_archive(*, child: Child, user) -> TransferArchive:
    """The archive as the sending school's principal or coordinator reads it, in a fixed number of queries."""
    loaded = archive_selectors.child_detail(child.pk, children_visible_to(user))
    entries, _ = archive_selectors.chronology(loaded, user=user)
    kept = [e for e in entries if not e.safeguarding]
    return TransferArchive(
        child=loaded, chronology=kept, made_on=timezone.localdate(), withheld=len(entries) - len(kept)
    )


class _ConfidentialCanvas(_NumberedCanvas):
    def _decorate(self, total: int):
        super()._decorate(total)
        width, height = A4
        self.setFont(FONT_NAME, 9)
        self.setFillColor(colors.HexColor("#b02a37"))
        self.drawRightString(width - 20 * mm, height - 12 * mm, CONFIDENTIAL)
        self.drawString(20 * mm, 10 * mm, CONFIDENTIAL)


def _fields(pairs: list[tuple[str, str]]) -> Table:
    """Label–value pairs two to a row."""
    rows = []
    for i in range(0, len(pairs), 2):
        row = []
        for label, value in pairs[i : i + 2]:
            row += [label, value or "—"]
        rows.append(row + [""] * (4 - len(row)))
    return _table(rows, [LABEL_WIDTH, VALUE_WIDTH, LABEL_WIDTH, VALUE_WIDTH], header=False)


def _child_pairs(child: Child) -> list[tuple[str, str]]:
    hardships = "、".join(h.get_kind_display() for h in child.hardships.all())
    return [
        ("姓名", child.name),
        ("性别", child.get_gender_display()),
        ("出生日期", f"{child.birth_date:%Y-%m-%d}"),
        ("民族", child.ethnicity),
        ("身份证号", child.id_number or ""),
        ("学籍号", child.student_number),
        ("户口", "已登记" if child.has_hukou else "未登记"),
        ("入学日期", f"{child.enrollment_date:%Y-%m-%d}" if child.enrollment_date else ""),
        ("原就读班级", str(child.school_class)),
        ("就学情况", child.get_schooling_status_display()),
        ("户籍地址", child.hukou_address),
        ("现居住地址", child.current_address),
        ("住校", "是" if child.is_boarder else "否"),
        ("健康状况", child.get_health_status_display() + (f"（{child.disability}）" if child.disability else "")),
        ("学习表现", child.get_academic_performance_display()),
        ("特长爱好", child.interests),
        ("留守类型", child.get_left_behind_type_display()),
        ("困境类型", hardships),
        ("性格与心理", child.personality),
        ("奖惩情况", child.rewards),
    ]


def _family(child: Child) -> list:
    st = styles()
    story = [Paragraph("二、家庭情况", st["h1"])]
    parents = [["身份", "姓名", "出生年份", "外出状态", "务工地", "联系电话", "监护能力"]] + [
        [
            p.get_role_display(),
            p.name,
            str(p.birth_year or ""),
            p.get_away_status_display(),
            p.work_place + (f"（{p.employer}）" if p.employer else ""),
            p.phone,
            "有" if p.has_guardianship_capacity else "无",
        ]
        for p in child.parents.all()
    ]
    story.append(_table(parents, [14 * mm, 20 * mm, 18 * mm, 20 * mm, 46 * mm, 28 * mm, 24 * mm]))
    grandparents = [["称谓", "姓名", "出生年份", "情况"]] + [
        [
            g.get_role_display(),
            g.name,
            str(g.birth_year or ""),
            "已故" if not g.is_alive else ("与儿童同住" if g.lives_with_child else ""),
        ]
        for g in child.grandparents.all()
    ]
    if len(grandparents) > 1:
        story += [Paragraph("祖辈", st["h2"]), _table(grandparents, [20 * mm, 30 * mm, 25 * mm, 95 * mm])]
    guardians = [["姓名", "关系", "联系电话", "住址", "监护期间", "变更原因"]] + [
        [
            g.name,
            g.get_relation_display(),
            g.phone,
            g.address,
            f"{g.since:%Y-%m-%d} 至 {g.until:%Y-%m-%d}" if g.until else f"{g.since:%Y-%m-%d} 起（现任）",
            g.change_reason,
        ]
        for g in child.guardians.all()
    ]
    story += [
        Paragraph("委托监护人", st["h2"]),
        _table(guardians, [20 * mm, 16 * mm, 26 * mm, 42 * mm, 38 * mm, 28 * mm]),
    ]
    assessment = getattr(child, "assessment", None)
    if assessment is not None:
        story += [
            Paragraph("家庭监护评估", st["h2"]),
            _fields(
                [
                    ("监护类型", assessment.get_guardianship_level_display()),
                    ("评估日期", f"{assessment.assessed_on:%Y-%m-%d}" if assessment.assessed_on else ""),
                    ("家庭经济来源", "、".join(assessment.income_source_labels())),
                    ("救助帮扶情况", "、".join(assessment.assistance_labels())),
                ]
            ),
        ]
    return story


def _periods(child: Child) -> list:
    rows = [["留守类型", "开始日期", "结束日期", "原因"]] + [
        [
            p.get_kind_display(),
            f"{p.start_date:%Y-%m-%d}",
            f"{p.end_date:%Y-%m-%d}" if p.end_date else "至今",
            "；".join(part for part in (p.reason, p.end_reason) if part),
        ]
        for p in child.left_behind_periods.all()
    ]
    if len(rows) == 1:
        return [Paragraph("三、留守情况", styles()["h1"]), Paragraph("无留守记录。", styles()["body"])]
    return [Paragraph("三、留守情况", styles()["h1"]), _table(rows, [45 * mm, 28 * mm, 28 * mm, 69 * mm])]


WITHHELD_NOTE = "另有 {n} 条儿童保护记录未列入本档案。请与本校关爱工作负责人联系，由其按规定直接移交接收学校的负责人。"


def _chronology(entries: list[Entry], withheld: int = 0) -> list:
    st = styles()
    story = [Paragraph("四、成长档案", st["h1"])]
    if withheld:
        story.append(Paragraph(WITHHELD_NOTE.format(n=withheld), st["note"]))
    if not entries:
        return story + [Paragraph("暂无记录。", st["body"])]
    rows = [["日期", "类别", "内容"]] + [
        [
            f"{e.day:%Y-%m-%d}",
            e.kind_label + (f"（{e.school}）" if e.school else ""),
            e.title + (f"：{e.text}" if e.text else ""),
        ]
        for e in entries
    ]
    return story + [_table(rows, [24 * mm, 26 * mm, 120 * mm])]


def build_transfer_pdf(archive: TransferArchive) -> bytes:
    register_font()
    st = styles()
    child, school = archive.child, archive.child.school
    made_on = archive.made_on
    buffer = BytesIO()
    header = f"{school.name} · 转学档案 · {made_on:%Y年%m月%d日}"
    canvas_class = type("TransferCanvas", (_ConfidentialCanvas,), {"header": header})
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=f"{child.name} 转学档案",
        author=school.name,
    )
    story = [
        Paragraph(escape(school.name), st["subtitle"]),
        Paragraph(f"学生转学档案：{escape(child.name)}", st["title"]),
        Paragraph(CONFIDENTIAL + "。本档案含学生完整身份证号和家庭联系方式，请妥善保管，勿转交他人。", st["note"]),
        Spacer(1, 6),
        Paragraph("一、基本信息", st["h1"]),
        _fields(_child_pairs(child)),
        *_family(child),
        *_periods(child),
        *_chronology(archive.chronology, archive.withheld),
    ]
    signature = Table(
        [[Paragraph(escape(school.name), st["right"])], [Paragraph(f"{made_on:%Y年%m月%d日}", st["right"])]],
        colWidths=[170 * mm],
    )
    story += [Spacer(1, 18), KeepTogether([signature, Paragraph("（学校盖章）", st["right"])])]
    doc.build(story, canvasmaker=canvas_class)
    return buffer.getvalue()


@transaction.atomic
def export_transfer_pdf(*, child: Child, acting_user) -> bytes:
    """The 转学档案 of a child of the user's school, for the principal or coordinator only; written to the
    audit log as an export with full identifiers."""
    if not can_transfer_child(acting_user, child):
        raise PermissionDenied("只有本校校长或关爱工作负责人可以导出转学档案。")
    pdf = build_transfer_pdf(transfer_archive(child=child, user=acting_user))
    audit.record(
        user=acting_user,
        action=AuditAction.EXPORT,
        target=f"转学档案 {child.name}（{child.pk}）",
        school=child.school,
        kind="transfer_pdf",
        child=child.pk,
        full_identifiers=True,
    )
    return pdf
