"""Mentoring's Excel exports: the term's 谈心记录 / 家访记录 (one row per log, oldest first), and the
台账 / 花名册 columns this app contributes to the archive's exports (帮扶教师, the term's talks and
visits), registered in MentoringConfig.ready() through children.exports.register_roster_columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils import timezone
from openpyxl import Workbook

from caretrack.models import School, Term
from children.exports import ExtraColumn, RosterExtras, RosterWindow
from children.selectors import term_window
from children.sheets import Col, ExportFile, Sheet, current_term, record_export, save_workbook, term_label, user_name
from mentoring.models import Pairing
from mentoring.selectors import talk_counts_by_child, talks_in_term, visits_in_term

LOG_KINDS = {"talks": "谈心记录", "visits": "家访记录"}

ROSTER_COLUMNS = [
    ExtraColumn("mentors", "帮扶教师", 14, default="", after="班主任", register_label="帮扶责任人"),
    ExtraColumn("talks", "本学期谈心次数", 9, default=0),
    ExtraColumn("visits", "本学期家访次数", 9, default=0),
]


def roster_columns(*, school: School, window: RosterWindow, child_ids: Sequence[int]) -> RosterExtras:
    """Each child's mentors on the term's reference day (main mentor first) and the term's talks and
    home visits. Three queries whatever the number of children."""
    mentors: dict[int, list[str]] = {}
    pairings = (
        Pairing.objects.open_on(window.reference)
        .filter(child_id__in=child_ids)
        .select_related("mentor", "external_mentor")
        .order_by("child_id", "is_secondary", "pk")
    )
    for pairing in pairings:
        mentors.setdefault(pairing.child_id, []).append(pairing.mentor_name)
    counts = talk_counts_by_child(school=school, start=window.start, end=window.end)
    values = {
        pk: {
            "mentors": "、".join(mentors.get(pk, [])),
            "talks": counts.get(pk, (0, 0))[0],
            "visits": counts.get(pk, (0, 0))[1],
        }
        for pk in child_ids
    }
    return RosterExtras(columns=ROSTER_COLUMNS, values=values)


def _author(log) -> str:
    if log.external_mentor_id:
        return f"{log.external_mentor.name}（{user_name(log.author)}代录）"
    return user_name(log.author)


def _yes(value: bool) -> str:
    return "是" if value else ""


def _log_columns(kind: str) -> list[Col]:
    common = [
        Col("日期", 12, lambda log: log.date.isoformat()),
        Col("学生", 10, lambda log: log.child.name),
        Col("班级", 11, lambda log: str(log.child.school_class)),
    ]
    if kind == "talks":
        return [
            *common,
            Col("地点", 12, lambda log: log.get_place_display()),
            Col("谈心主题", 16, lambda log: "、".join(log.topic_labels)),
            Col("孩子情绪", 8, lambda log: log.get_mood_display()),
            Col("记录内容", 60, lambda log: log.text),
            Col("需要跟进", 8, lambda log: _yes(log.follow_up_needed)),
            Col("记录人", 14, _author),
        ]
    return [
        *common,
        Col("家访类型", 10, lambda log: log.get_kind_display()),
        Col("接待人", 12, lambda log: log.met_whom),
        Col("记录内容", 50, lambda log: log.text),
        Col("生活情况", 30, lambda log: log.living_conditions),
        Col("学习情况", 30, lambda log: log.study_conditions),
        Col("发现的安全隐患", 30, lambda log: log.safety_hazards),
        Col("监护人的诉求", 30, lambda log: log.guardian_requests),
        Col("需要跟进", 8, lambda log: _yes(log.follow_up_needed)),
        Col("家访教师", 14, _author),
    ]


def export_logs(
    *, school: School, acting_user, kind: str, term: Term | None = None, today: date | None = None
) -> ExportFile:
    """The term's 谈心记录 (kind="talks") or 家访记录 (kind="visits"), one row per log, oldest first, with
    the audit row in the same transaction."""
    if kind not in LOG_KINDS:
        raise ValueError(f"unknown log kind {kind!r}")
    today = today or timezone.localdate()
    term = term or current_term(school)
    start, end, _ = term_window(term, today)
    title = LOG_KINDS[kind]
    columns = _log_columns(kind)
    label = term_label(term, today)

    def build() -> ExportFile:
        logs = (talks_in_term if kind == "talks" else visits_in_term)(school=school, start=start, end=end)
        workbook = Workbook(write_only=True)
        sheet = Sheet(workbook, title, f"{school.name}{title}（{label}）", columns)
        for log in logs.iterator(chunk_size=2000):
            sheet.add(log)
        return ExportFile(f"{school.name}_{title}_{label}.xlsx", save_workbook(workbook), sheet.rows)

    return record_export(acting_user=acting_user, school=school, kind=kind, target=f"{title} {label}", build=build)
