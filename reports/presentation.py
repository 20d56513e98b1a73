"""Turning figures into what a page shows: the links behind each figure and the chart data. No queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from django.urls import reverse

from activities.models import ActivityKind
from reports.selectors import SchoolFigures


def list_url(name: str, **query) -> str:
    """The URL of the list behind a figure, with its filters (empty filters left out)."""
    url = reverse(name)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _activity_kinds() -> dict[str, str]:
    """Activity type label → key, for links to the activity list filtered by type."""
    return {str(label): value for value, label in ActivityKind.choices}


def dashboard_links(figures: SchoolFigures, term_id: int | None = None) -> dict:
    """The list behind each figure on the dashboard (activity lists filtered to the same term)."""
    kinds = _activity_kinds()
    activity_types = {
        label: list_url("activities:list", term=term_id, kind=kinds.get(str(label)))
        for label, _ in figures.activities.activities_by_type
    }
    return {
        "activity_types": activity_types,
        "children": list_url("children:list", left_behind_type="left_behind"),
        # 建档率 is measured on the left-behind children: the lists behind it show those.
        "not_archived": list_url("children:list", left_behind_type="left_behind", archived="no"),
        "archived": list_url("children:list", left_behind_type="left_behind", archived="yes"),
        "hardship": list_url("children:list", hardship="any"),
        "unsupported": list_url("children:list", left_behind_type="unsupported"),
        "types": {t.key: list_url("children:list", left_behind_type=t.key) for t in figures.by_type},
        "grades": {
            row.key: list_url("children:list", left_behind_type="left_behind", grade=row.key)
            for row in figures.archive.by_grade
        },
        "classes": {
            row.key: list_url("children:list", left_behind_type="left_behind", school_class=row.key)
            for row in figures.archive.by_class
        },
        "pairings": list_url("mentoring:pairings"),
        "unpaired": list_url("mentoring:unpaired"),
        "concerns": list_url("mentoring:concerns"),
        # The mentor board lists each mentor's children with their talk, visit and contact badges.
        "talks": list_url("mentoring:pairings"),
        "visits": list_url("mentoring:pairings"),
        "contacts": list_url("mentoring:pairings"),
        "activities": list_url("activities:list", term=term_id),
        "care_room": list_url("activities:care_room", term=term_id),
        "aid": list_url("activities:aid", term=term_id),
    }


def _pairs(rows) -> list[list]:
    return [[str(label), n] for label, n in rows]


@dataclass(frozen=True)
class WeekTalks:
    """One point of the term's weekly talk series."""

    monday: date
    talks: int
    until: date | None = None  # the week under way (SchoolFigures.week_in_progress): counted up to this day

    @property
    def label(self) -> str:
        return f"{self.monday.month}/{self.monday.day}"  # short, so that a phone's axis has room

    @property
    def note(self) -> str:
        return f"本周进行中，截至{self.until.month}月{self.until.day}日" if self.until else ""


def weekly_talks(figures: SchoolFigures) -> list[WeekTalks]:
    """The term's talks week by week, the week under way marked with the day it is counted to."""
    return [
        WeekTalks(monday, n, figures.on if monday == figures.week_in_progress else None)
        for monday, n in figures.mentoring.weekly_talks
    ]


def dashboard_charts(figures: SchoolFigures) -> dict:
    """Data for the ECharts on the dashboard (passed with json_script; the same numbers are in the tables)."""
    charts = {
        "types": [[t.label, t.count] for t in figures.by_type if t.count],
        "grades": [[row.label, row.total] for row in figures.archive.by_grade],
        "provinces": _pairs(figures.provinces),
        "missing": _pairs(figures.archive.missing),
    }
    m = figures.mentoring
    charts["mentor_load"] = [[f"{k} 名" if k != 4 else "4 名及以上", n] for k, n in sorted(m.mentor_load.items())]
    # [label, talks, note]: a note marks the week under way, drawn apart from the finished weeks.
    charts["weekly_talks"] = [[w.label, w.talks, w.note] for w in weekly_talks(figures)]
    a = figures.activities
    charts["activities"] = _pairs(a.activities_by_type)
    return charts


def _pct(value) -> str:
    return f"{float(value):.1f}%"


@dataclass
class Tile:
    key: str
    label: str
    value: object
    unit: str = ""
    sub: str = ""
    url: str | None = None


def dashboard_tiles(f: SchoolFigures, links: dict) -> dict[str, list[Tile]]:
    """The dashboard's figures as tiles, in three groups."""
    archive = [
        Tile("enrolled", "在校学生", f.enrolled, "人"),
        Tile("left_behind", "留守儿童", f.left_behind, "人", f"占在校学生 {_pct(f.left_behind_ratio)}",
             links["children"]),
        Tile("hardship", "困境儿童", f.hardship, "人", "低保、残疾、监护缺失等", links["hardship"]),
        Tile("unsupported", "事实无人抚养儿童", f.unsupported, "人", "由父母情况认定", links["unsupported"]),
        Tile("archive_rate", "建档率", _pct(f.archive.rate), "",
             f"留守儿童档案完整 {f.archive.complete} / {f.archive.total}（不含结对）", links["archived"]),
        Tile("not_archived", "档案未完成", f.not_archived, "人", "点击查看名单和缺项", links["not_archived"]),
    ]  # fmt: skip
    m = f.mentoring
    mentoring = [
        Tile("pairing_coverage", "结对覆盖率（结对率）", _pct(m.pairing_coverage), "",
             f"已结对 {m.paired} / 关爱对象 {m.left_behind} 人（含困境、事实无人抚养）", links["pairings"]),
        Tile("unpaired", "待结对儿童", max(m.left_behind - m.paired, 0), "人", "点击去结对", links["unpaired"]),
        Tile("talk_compliance_week", m.talk_current_label, _pct(m.talk_compliance_week), "",
             f"本周谈心 {m.talks_this_week} 次，{m.children_talked_this_week} 人", links["talks"]),
        Tile("talk_compliance_term", "本学期谈心达标率", _pct(m.talk_compliance_term), "",
             f"本学期谈心 {m.talks_term} 次（要求{m.talk_rule}）", links["talks"]),
        Tile("visit_coverage_term", m.visit_term_label, _pct(m.visit_coverage_term), "",
             f"本学期家访 {m.visits_term} 次（要求{m.visit_rule}）", links["visits"]),
        Tile("guardian_contacts_month", "本月监护人沟通", m.guardian_contacts_month, "次", "", links["contacts"]),
        Tile("family_contacts_month", "本月亲情联系", m.family_contacts_month, "次", "", links["contacts"]),
        Tile("open_concerns", "待处理关注事项", m.open_concerns, "件", "", links["concerns"]),
    ]  # fmt: skip
    a = f.activities
    activities = [
        Tile("activities", "关爱活动", a.activities, "次", f"参与 {a.participants} 人次", links["activities"]),
        Tile("care_room", "留守儿童之家开放", a.care_room_openings, "次", f"接待 {a.care_room_visits} 人次",
             links["care_room"]),
        Tile("aid_total_yuan", "资助金额", a.aid_total_yuan, "元", f"受助 {a.aid_children} 人", links["aid"]),
    ]  # fmt: skip
    return {"archive": archive, "mentoring": mentoring, "activities": activities}


def dashboard_tables(f: SchoolFigures, links: dict) -> dict:
    """Rows of the dashboard's tables with the link behind each row."""
    grades = []
    for grade in f.archive.by_grade:
        classes = [
            (row, links["classes"].get(row.key)) for row in f.archive.by_class if row.label.startswith(grade.label)
        ]
        grades.append((grade, links["grades"].get(grade.key), classes))
    activities = [(label, n, links["activity_types"].get(label)) for label, n in f.activities.activities_by_type]
    weeks = weekly_talks(f)
    return {
        "activities": activities,
        "types": [(t, links["types"].get(t.key)) for t in f.by_type],
        "grades": grades,
        "weekly_talks": weeks,
        "week_in_progress": next((w for w in weeks if w.note), None),
    }
