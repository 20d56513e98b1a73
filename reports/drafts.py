"""Drafts of the 工作总结's narrative sections, written from the figures. The principal edits them before
export; a section left blank is filled with its draft. Parts whose figures are not available say so
instead of inventing numbers."""

from __future__ import annotations

from caretrack.models import LeadingGroupMember, LeadingGroupPosition, Term
from reports.selectors import SchoolFigures

SECTIONS = [
    ("situation", "一、基本情况"),
    ("practices", "二、主要做法"),
    ("results", "三、工作成效"),
    ("plans", "四、存在问题与下步打算"),
]

NO_DATA = "暂无数据"


def pct(value) -> str:
    return f"{float(value):.1f}%"


def _join(items: list[str]) -> str:
    return "、".join(items)


def _situation(f: SchoolFigures, term: Term) -> str:
    types = [f"{t.label}{t.count}人" for t in f.by_type if t.count]
    text = (
        f"我校现有在校学生{f.enrolled}人，{term}共有留守儿童{f.left_behind}人，占在校学生的{pct(f.left_behind_ratio)}"
    )
    text += f"，其中{_join(types)}。" if types else "。"
    if f.provinces:
        top = [f"{name}（{n}人）" for name, n in f.provinces[:4]]
        text += f"留守儿童的父母主要在{_join(top)}等地务工，共{f.parents_away}人外出。"
    guardians = sum(n for _, n in f.guardians)
    if guardians:
        share = round(100 * f.grandparent_guardians / guardians, 1)
        text += (
            f"留守儿童的委托监护人中，祖辈{f.grandparent_guardians}人，占{pct(share)}，"
            "普遍年龄偏大、文化程度不高，孩子存在亲情缺失、家庭教育缺位等问题，是学校关爱工作的重点。"
        )
    else:
        text += "留守儿童的临时监护人大多是祖辈，普遍存在亲情缺失、家庭教育缺位等问题，是学校关爱工作的重点。"
    return text


def _leaders(group: list[LeadingGroupMember]) -> str:
    def names(position):
        return _join(
            [f"{m.title or ''}{m.user.get_full_name() or m.user.username}" for m in group if m.position == position]
        )

    if not group:
        return "学校成立了关爱留守儿童工作领导小组，明确分工，责任到人。"
    leader, deputy = names(LeadingGroupPosition.LEADER), names(LeadingGroupPosition.DEPUTY)
    text = "学校成立了关爱留守儿童工作领导小组"
    if leader:
        text += f"，由{leader}任组长"
    if deputy:
        text += f"，{deputy}任副组长"
    return text + "，各班主任为成员，分工明确、责任到人，形成了齐抓共管的工作格局。"


def _practices(f: SchoolFigures, group: list[LeadingGroupMember]) -> str:
    parts = [f"（一）健全组织，明确责任。{_leaders(group)}"]
    parts.append(
        f"（二）摸底建档，动态管理。开学初各班主任对留守儿童逐一摸底，建立“一人一档”，"
        f"目前已有{f.archive.complete}名留守儿童档案完整，建档率{pct(f.archive.rate)}，并随父母外出情况变化及时更新。"
    )
    m = f.mentoring
    parts.append(
        f"（三）结对帮扶，落实关爱。全校{m.paired}名关爱对象（留守、困境、事实无人抚养儿童）与帮扶教师结成对子，结对覆盖率{pct(m.pairing_coverage)}，"
        "帮扶教师以“爱心妈妈”“爱心爸爸”“代理家长”的身份关心孩子的学习和生活。"
    )
    parts.append(
        f"（四）谈心家访，家校共育。本学期帮扶教师共开展谈心{m.talks_term}次，谈心达标率{pct(m.talk_compliance_term)}；"
        f"家访{m.visits_term}次，家访覆盖率{pct(m.visit_coverage_term)}；本月与监护人沟通{m.guardian_contacts_month}次，"
        f"组织亲情联系{m.family_contacts_month}次。"
    )
    parts += _activity_parts(f.activities)
    return "\n".join(parts)


def _activity_parts(a) -> list[str]:
    parts = []
    if a.activities:
        kinds = _join([f"{label}{n}次" for label, n in a.activities_by_type])
        parts.append(
            f"（五）丰富活动，温暖童心。本学期共组织关爱活动{a.activities}次"
            + (f"（{kinds}）" if kinds else "")
            + f"，参与{a.participants}人次。"
        )
    else:
        parts.append("（五）丰富活动，温暖童心。（本学期尚未录入关爱活动。）")
    if a.aid_children:
        parts.append(
            f"（六）资助帮扶，解决困难。本学期为{a.aid_children}名留守儿童提供资助和慰问，共计{a.aid_total_yuan}元。"
        )
    else:
        parts.append("（六）资助帮扶，解决困难。（本学期尚未录入资助。）")
    if a.care_room_openings:
        parts.append(
            f"（七）用好留守儿童之家。留守儿童之家本学期开放{a.care_room_openings}次，接待{a.care_room_visits}人次，"
            "为孩子们提供学习辅导、亲情视频和文体活动的场所。"
        )
    else:
        parts.append("（七）用好留守儿童之家。（本学期尚未录入留守儿童之家开放记录。）")
    return parts


def _results(f: SchoolFigures) -> str:
    text = f"留守儿童建档率达到{pct(f.archive.rate)}"
    m = f.mentoring
    if m is not None:
        text += f"，结对覆盖率{pct(m.pairing_coverage)}，本学期谈心达标率{pct(m.talk_compliance_term)}"
        text += f"，家访覆盖率{pct(m.visit_coverage_term)}"
    text += "。"
    a = f.activities
    if a is not None and a.children_compared:
        text += (
            f"对比期初与期末，{a.children_compared}名留守儿童中有{a.children_improved}人学业有进步，"
            f"占{pct(a.improved_share)}。"
        )
    text += "孩子们在老师的陪伴下更加自信、开朗，亲子沟通明显增多，监护人的教育意识也有所提高。"
    return text


def _plans(f: SchoolFigures) -> str:
    problems = []
    missing = f.archive.total - f.archive.complete
    if missing:
        items = _join([label for label, _ in f.archive.missing[:2]])
        problems.append(f"仍有{missing}名留守儿童档案不完整" + (f"，主要缺少{items}" if items else "") + "。")
    m = f.mentoring
    if m is not None:
        unpaired = m.left_behind - m.paired
        if unpaired > 0:
            problems.append(f"尚有{unpaired}名关爱对象未落实结对帮扶教师。")
        if float(m.talk_compliance_term) < 90:
            problems.append(f"谈心达标率为{pct(m.talk_compliance_term)}，部分帮扶教师谈心不够经常。")
        if m.open_concerns:
            problems.append(f"还有{m.open_concerns}件关注事项待处理。")
    problems.append("部分监护人年龄偏大、文化程度不高，家庭教育能力不足。")
    plans = [
        "开学第一个月内完成留守儿童摸底和档案更新，做到应建尽建、信息准确。",
        "落实每名留守儿童至少一名帮扶教师，坚持每周谈心、每学期家访。",
        "办好留守儿童之家，开展亲情联系和主题活动，加强对监护人的家庭教育指导。",
    ]
    lines = ["存在的问题："] + [f"{i}. {p}" for i, p in enumerate(problems, 1)]
    lines += ["下步打算："] + [f"{i}. {p}" for i, p in enumerate(plans, 1)]
    return "\n".join(lines)


def draft_sections(figures: SchoolFigures, term: Term, group: list[LeadingGroupMember]) -> dict[str, str]:
    return {
        "situation": _situation(figures, term),
        "practices": _practices(figures, group),
        "results": _results(figures),
        "plans": _plans(figures),
    }
