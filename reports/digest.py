"""The principal's weekly digest (registered with caretrack.notifications in ReportsConfig.ready()): every
Monday, each principal gets the school's 结对率, the children with an overdue log and the open concerns, as
counts only (the same figures as the dashboard, from the same selectors), with a link to the dashboard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.urls import reverse

from caretrack.models import School, StaffProfile, Term
from caretrack.notifications import Message
from children.models import Child
from mentoring.models import Pairing
from mentoring.selectors import child_statuses, mentoring_figures


def weekly_digests(day: date) -> Iterator[Message]:
    """On a Monday, one message per school in term to its active principals. Three queries, then the
    figures (one batch per term window) and four queries per school for the overdue count."""
    if day.weekday() != 0:
        return
    iso_year, week, _ = day.isocalendar()
    terms = Term.objects.containing(day).select_related("school").order_by("school_id", "-start_date")
    term_of: dict[int, Term] = {}
    for term in terms:
        term_of.setdefault(term.school_id, term)
    principals: dict[int, list] = defaultdict(list)
    for profile in StaffProfile.objects.filter(
        school_id__in=term_of, is_principal=True, user__is_active=True
    ).select_related("user"):
        principals[profile.school_id].append(profile.user)
    windows: dict[tuple[date, date], list[School]] = defaultdict(list)
    for school_id, term in term_of.items():
        if principals[school_id]:
            windows[(term.start_date, term.end_date)].append(term.school)
    link = reverse("reports:dashboard")
    for (start, end), schools in windows.items():
        figures = mentoring_figures(schools=schools, start=start, end=end, on=day)
        for school in schools:
            m = figures[school.pk]
            overdue = _children_overdue(school, day)
            title = f"本周关爱工作汇总（{iso_year}年第{week}周）"
            body = (
                f"结对率 {m.pairing_coverage:.1f}%（已结对 {m.paired} / 关爱对象 {m.left_behind} 人）；"
                f"记录逾期的学生 {overdue} 名；待处理关注事项 {m.open_concerns} 件。"
            )
            yield Message(
                key=f"digest:{school.pk}:{iso_year}-W{week:02d}",
                recipients=tuple(principals[school.pk]),
                title=title,
                body=body + "详情请您查看统计页。",
                link=link,
                group_text=f"{title} {school.name}\n{body}",
            )


def _children_overdue(school: School, day: date) -> int:
    """Paired children of the school with at least one overdue log (the badges of 我的学生)."""
    paired = Pairing.objects.carried_on(day).values("child_id")
    children = Child.objects.filter(school=school, pk__in=paired).enrolled()
    return sum(1 for status in child_statuses(children, school=school, on=day) if status.overdue)
