"""Mentoring's Excel exports: the term's 谈心记录 / 家访记录 (one row per log, oldest first), and the
台账 / 登记表 columns this app contributes to the archive's exports (帮扶教师, the term's talks and
visits), registered in MentoringConfig.ready() through children.exports.register_roster_columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils import timezone

from caretrack.models import School, SchoolClass, Term
from children.exports import ExtraColumn, RosterExtras, RosterWindow
from children.selectors import term_window
from children.sheets import (
    DATE,
    INT,
    Book,
    Col,
    ExportFile,
    Sheet,
    current_term,
    full_name,
    record_export,
    term_label,
)
from mentoring.models import Mood, Pairing, TalkPlace, TalkTopic, VisitKind
from mentoring.selectors import talk_counts_by_child, talks_in_term, visits_in_term

LOG_KINDS = {"talks": "谈心记录", "visits": "家访记录"}

ROSTER_COLUMNS = [
    ExtraColumn("mentors", "帮扶教师", after="班主任", register_label="帮扶责任人"),
    ExtraColumn("talks", "本学期谈心次数", INT, default=0, register_label="本学期谈心次数"),
    ExtraColumn("visits", "本学期家访次数", INT, default=0, register_label="本学期家访次数"),
]


def _external_name(name: str, organisation: str) -> str:
    """str(ExternalMentor) from its values."""
    return f"{name}（{organisation}）" if organisation else name


def roster_columns(*, school: School, window: RosterWindow, child_ids: Sequence[int]) -> RosterExtras:
    """Each child's mentors on the term's reference day (main mentor first) and the term's talks and
    home visits. Three queries whatever the number of children."""
    mentors: dict[int, list[str]] = {}
    pairings = (
        Pairing.objects.open_on(window.reference)
        .filter(child_id__in=child_ids)
        .order_by("child_id", "is_secondary", "pk")
        .values_list(
            "child_id", "mentor_id", "mentor__first_name", "mentor__last_name", "mentor__username",
            "external_mentor__name", "external_mentor__organisation",
        )
    )  # fmt: skip
    for child_id, mentor_id, first, last, username, external, organisation in pairings:
        name = full_name(first, last, username) if mentor_id else _external_name(external, organisation)
        mentors.setdefault(child_id, []).append(name)
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


# --- The term's logs -------------------------------------------------------------------------------

_LOG_FIELDS = (
    "date", "text", "follow_up_needed", "child__name", "child__school_class__grade", "child__school_class__number",
    "author__first_name", "author__last_name", "author__username", "external_mentor_id", "external_mentor__name",
)  # fmt: skip
_TALK_FIELDS = ("place", "topics", "mood")
_VISIT_FIELDS = ("kind", "met_whom", "living_conditions", "study_conditions", "safety_hazards", "guardian_requests")
PLACES = dict(TalkPlace.choices)
TOPICS = dict(TalkTopic.choices)
MOODS = dict(Mood.choices)
VISIT_KINDS = dict(VisitKind.choices)


def _author(log: dict) -> str:
    author = full_name(log["author__first_name"], log["author__last_name"], log["author__username"])
    if log["external_mentor_id"]:
        return f"{log['external_mentor__name']}（{author}代录）"
    return author


def _yes(log: dict) -> str:
    return "是" if log["follow_up_needed"] else ""


def _label(name: str, labels: dict):
    return lambda log: labels.get(v, v) if (v := log[name]) not in (None, "") else ""


def _log_columns(kind: str) -> list[Col]:
    common = [
        Col("日期", lambda log: log["date"], DATE),
        Col("学生", lambda log: log["child__name"]),
        Col(
            "班级",
            lambda log: SchoolClass.label(log["child__school_class__grade"], log["child__school_class__number"]),
        ),
    ]
    if kind == "talks":
        return [
            *common,
            Col("地点", _label("place", PLACES)),
            Col("谈心主题", lambda log: "、".join(TOPICS.get(t, t) for t in log["topics"] or [])),
            Col("孩子情绪", _label("mood", MOODS)),
            Col("记录内容", lambda log: log["text"], max_width=60),
            Col("需要跟进", _yes),
            Col("记录人", _author),
        ]
    return [
        *common,
        Col("家访类型", _label("kind", VISIT_KINDS)),
        Col("接待人", lambda log: log["met_whom"]),
        Col("记录内容", lambda log: log["text"]),
        Col("生活情况", lambda log: log["living_conditions"], max_width=30),
        Col("学习情况", lambda log: log["study_conditions"], max_width=30),
        Col("发现的安全隐患", lambda log: log["safety_hazards"], max_width=30),
        Col("监护人的诉求", lambda log: log["guardian_requests"], max_width=30),
        Col("需要跟进", _yes),
        Col("家访教师", _author),
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
        select, fields = (talks_in_term, _TALK_FIELDS) if kind == "talks" else (visits_in_term, _VISIT_FIELDS)
        logs = select(school=school, start=start, end=end).values(*_LOG_FIELDS, *fields)
        book = Book()
        sheet = Sheet(book, title, f"{school.name}{title}（{label}）", columns, freeze_columns=2)
        for log in logs.iterator(chunk_size=2000):
            sheet.add(log)
        return ExportFile(f"{school.name}_{title}_{label}.xlsx", book.bytes(), sheet.rows)

    return record_export(acting_user=acting_user, school=school, kind=kind, target=f"{title} {label}", build=build)
