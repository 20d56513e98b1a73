"""Drafts of the 工作总结's text, written from the term's figures (reports.selectors.school_term_figures, the
dashboard's own call, so the report and the dashboard never disagree). The principal edits the four
sections before export; a section left blank is filled with its draft.

What a draft may say: every figure is the term's (从学期开始到期末，当前学期到今天), each figure is stated
once in the text (the tables may repeat it), a sentence is written only where its figures are not zero,
progress is claimed only between two comparable exams, and a term without records gets a short factual
paragraph saying what has not been recorded yet, for the principal to fill in."""

from __future__ import annotations

from caretrack.models import LeadingGroupMember, LeadingGroupPosition, School, Term
from reports.selectors import SchoolFigures
from reports.trends import Trend, school_trend

SECTIONS = [
    ("situation", "一、基本情况"),
    ("practices", "二、主要做法"),
    ("results", "三、工作成效"),
    ("plans", "四、存在问题与下步打算"),
]

NO_DATA = "暂无数据"
SUB_NUMBERS = "一二三四五六七八九十"
# The 90% a school aims for in talks, as the county's 考核 sets it.
TALK_TARGET = 90


def pct(value) -> str:
    return f"{float(value):.1f}%"


def cn_date(day) -> str:
    """2026年12月2日: the way dates are written in the report (never zero-padded)."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month_day(day) -> str:
    return f"{day.month}月{day.day}日"


def _join(items: list[str]) -> str:
    return "、".join(items)


def _numbered(parts: list[str]) -> list[str]:
    return [f"（{SUB_NUMBERS[i]}）{text}" for i, text in enumerate(parts)]


def opening(f: SchoolFigures, school: School, term: Term) -> str:
    """The paragraph before 一、: the school, the term, the children in its care and what the work was."""
    text = f"{term}，{school.name}共有关爱对象（留守、困境、事实无人抚养儿童）{f.in_care}人。"
    m, a = f.mentoring, f.activities
    work = [
        label
        for label, done in (
            ("建立留守儿童档案", f.archive.complete),
            ("落实结对帮扶", m.paired),
            ("开展谈心和家访", m.talks_term or m.visits_term),
            ("加强家校联系", f.guardian_contacts_term or f.family_contacts_term),
            ("组织关爱活动", a.activities),
            ("开展资助慰问", a.aid_children),
            ("用好留守儿童之家", a.care_room_openings),
        )
        if done
    ]
    if work:
        text += f"本学期，学校围绕{_join(work)}等方面开展关爱工作，现将本学期工作总结如下。"
    else:
        text += "本学期的关爱工作记录尚未录入系统，现将基本情况报告如下。"
    return text


def _situation(f: SchoolFigures) -> str:
    if not f.left_behind:
        return f"我校现有在校学生{f.enrolled}人，本学期没有登记在册的留守儿童。"
    types = [f"{t.label}{t.count}人" for t in f.by_type if t.count]
    text = f"我校现有在校学生{f.enrolled}人，本学期共有留守儿童{f.left_behind}人"
    text += f"，占在校学生的{pct(f.left_behind_ratio)}"
    text += f"，其中{_join(types)}。" if types else "。"
    if f.provinces:
        top = [f"{name}（{n}人）" for name, n in f.provinces[:4]]
        text += f"留守儿童的父母主要在{_join(top)}等地务工，共{f.parents_away}人外出。"
    guardians = sum(n for _, n in f.guardians)
    if guardians and f.grandparent_guardians:
        share = round(100 * f.grandparent_guardians / guardians, 1)
        text += f"留守儿童的委托监护人中，祖辈{f.grandparent_guardians}人，占{pct(share)}。"
    return text


def _leaders(group: list[LeadingGroupMember]) -> str:
    def names(position):
        return _join(
            [f"{m.title or ''}{m.user.get_full_name() or m.user.username}" for m in group if m.position == position]
        )

    leader, deputy = names(LeadingGroupPosition.LEADER), names(LeadingGroupPosition.DEPUTY)
    text = "学校成立了关爱留守儿童工作领导小组"
    if leader:
        text += f"，由{leader}任组长"
    if deputy:
        text += f"，{deputy}任副组长"
    return text + "，明确分工，责任到人。"


def _talks_and_visits(f: SchoolFigures) -> str | None:
    m = f.mentoring
    parts = []
    if m.talks_term:
        parts.append(f"帮扶教师共开展谈心{m.talks_term}次，谈心达标率{pct(m.talk_compliance_term)}")
    if m.visits_term:
        parts.append(f"家访{m.visits_term}次，{m.visit_term_label.removeprefix('本学期')}{pct(m.visit_coverage_term)}")
    if f.guardian_contacts_term:
        parts.append(f"与监护人沟通{f.guardian_contacts_term}次")
    if f.family_contacts_term:
        parts.append(f"组织亲情联系{f.family_contacts_term}次")
    if not parts:
        return None
    return "谈心家访，家校共育。本学期" + "；".join(parts) + "。"


def _themed(f: SchoolFigures, topic: str, heading: str, what: str) -> str | None:
    items = f.themed_activities.get(topic) or []
    if not items:
        return None
    listed = _join([f"{cn_month_day(day)}“{title}”" for day, title in items[:4]])
    return f"{heading}本学期开展{what}{len(items)}次（{listed}{'等' if len(items) > 4 else ''}）。"


def _practices(f: SchoolFigures, group: list[LeadingGroupMember]) -> str:
    m, a = f.mentoring, f.activities
    parts = []
    if group:
        parts.append(f"健全组织，明确责任。{_leaders(group)}")
    if f.archive.complete:
        parts.append(
            f"摸底建档，动态管理。各班主任对留守儿童逐一摸底，建立“一人一档”，目前已有{f.archive.complete}名"
            f"留守儿童档案完整，建档率{pct(f.archive.rate)}。"
        )
    if m.paired:
        parts.append(
            f"结对帮扶，落实关爱。全校{m.paired}名关爱对象与帮扶教师结成对子，结对覆盖率{pct(m.pairing_coverage)}。"
        )
    if talks := _talks_and_visits(f):
        parts.append(talks)
    if a.activities:
        kinds = _join([f"{label}{n}次" for label, n in a.activities_by_type])
        text = f"丰富活动，温暖童心。本学期共组织关爱活动{a.activities}次" + (f"（{kinds}）" if kinds else "")
        parts.append(text + (f"，参与{a.participants}人次。" if a.participants else "。"))
    psychology = _themed(f, "psychology", "心理健康教育。", "心理健康教育活动")
    safety = _themed(f, "safety", "安全教育。", "安全教育活动")
    parts += [p for p in (psychology, safety) if p]
    if a.aid_children:
        parts.append(
            f"资助帮扶，解决困难。本学期为{a.aid_children}名学生提供资助和慰问，共计{a.aid_total_yuan}元。"
        )
    if a.care_room_openings:
        parts.append(
            f"用好留守儿童之家。留守儿童之家本学期开放{a.care_room_openings}次，接待{a.care_room_visits}人次。"
        )
    missing = _not_recorded(f)
    lines = _numbered(parts)
    if missing:
        lines.append(f"本学期系统中尚未录入{_join(missing)}记录，请您补充本学期开展的相关工作。")
    return "\n".join(lines)


def _not_recorded(f: SchoolFigures) -> list[str]:
    m, a = f.mentoring, f.activities
    return [
        label
        for label, value in (
            ("结对帮扶", m.paired),
            ("谈心", m.talks_term),
            ("家访", m.visits_term),
            ("关爱活动", a.activities),
        )
        if not value
    ]


# The figures 工作成效 compares with last term: rates always, counts only once the term is over (a term under
# way has not yet done all its talks, and would seem to fall).
COMPARED_RATES = ("archive_rate", "pairing_coverage", "talk_compliance_term", "visit_coverage_term")
COMPARED_COUNTS = ("talks_term", "visits_term", "family_contacts_term", "activities")


def _against_last_term(f: SchoolFigures, trend: Trend | None) -> str | None:
    """与上学期相比，建档率提高3.2个百分点、谈心增加12次。 Only the figures whose change reports.trends gives (a
    previous term with figures behind them: never a rise from nothing), and nothing without a previous term."""
    if trend is None or not trend.has_history:
        return None
    keys = COMPARED_RATES + (COMPARED_COUNTS if f.on >= f.end else ())
    parts = []
    for key in keys:
        change = trend.change(key)
        if change is None:
            continue
        label = change.figure.label
        if key == "visit_coverage_term":
            label = f.mentoring.visit_term_label.removeprefix("本学期")
        if not change.delta:
            parts.append(f"{label}持平")
        elif change.figure.is_rate:
            parts.append(f"{label}{'提高' if change.delta > 0 else '下降'}{abs(change.delta):.1f}个百分点")
        else:
            parts.append(f"{label}{'增加' if change.delta > 0 else '减少'}{abs(change.delta):g}次")
    return f"与上学期相比，{_join(parts)}。" if parts else None


def _results(f: SchoolFigures, trend: Trend | None = None) -> str:
    m, a = f.mentoring, f.activities
    sentences = []
    if compared := _against_last_term(f, trend):
        sentences.append(compared)
    if m.paired and (m.talks_term or m.visits_term):
        sentences.append("通过结对帮扶和谈心家访，帮扶教师及时了解关爱对象的学习、生活和思想情况。")
    if a.health_checked:
        sentences.append(f"本学期{a.health_checked}名留守儿童参加了体检。")
    p = f.progress
    if p is not None:
        sentences.append(
            f"对比{p.first.name}与{p.second.name}，参加两次考试的{p.compared}名留守儿童中有{p.improved}人成绩进步，"
            f"占{pct(p.share)}。"
        )
    if not sentences:
        return "本学期尚无可统计的工作成效记录，请您根据学校实际情况补充。"
    return "".join(sentences)


def _plans(f: SchoolFigures) -> str:
    m = f.mentoring
    problems, plans = [], []
    if f.not_archived:
        items = _join([label for label, _ in f.archive.missing[:2]])
        problems.append(f"仍有{f.not_archived}名留守儿童档案不完整" + (f"，主要缺少{items}" if items else "") + "。")
        plans.append("补齐留守儿童档案的缺项，随父母外出情况变化及时更新。")
    unpaired = f.in_care - m.paired
    if unpaired > 0:
        problems.append(f"尚有{unpaired}名关爱对象未落实结对帮扶教师。")
        plans.append("为每名关爱对象落实帮扶教师。")
    if m.paired and float(m.talk_compliance_term) < TALK_TARGET:
        problems.append(f"谈心达标率未达到{TALK_TARGET}%，部分帮扶教师谈心不够经常。")
        plans.append(f"督促帮扶教师按{m.talk_rule}的要求与结对学生谈心。")
    if m.open_concerns:
        problems.append(f"还有{m.open_concerns}件关注事项待处理。")
        plans.append("逐件跟进待处理的关注事项。")
    lines = []
    if problems:
        lines += ["存在的问题："] + [f"{i}. {p}" for i, p in enumerate(problems, 1)]
    lines += ["下步打算："] + [f"{i}. {p}" for i, p in enumerate(plans, 1)] if plans else []
    lines.append(closing())
    return "\n".join(lines)


def closing() -> str:
    """The closing paragraph: next term's plans, for the principal to write (the draft only frames them)."""
    return "下学期，我校将继续做好留守儿童关爱工作，具体打算是：（请您填写下学期的工作打算）。"


def draft_sections(
    figures: SchoolFigures, term: Term, group: list[LeadingGroupMember], trend: Trend | None = None
) -> dict[str, str]:
    """The four sections' drafts. 工作成效 compares with last term from the school's 历年趋势 (reports.trends, read
    here unless given), the dashboard's own figures for each term."""
    if trend is None:
        trend = school_trend(school=figures.school, until=term, current=figures)
    return {
        "situation": _situation(figures),
        "practices": _practices(figures, group),
        "results": _results(figures, trend),
        "plans": _plans(figures),
    }
