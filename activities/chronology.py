"""The child's 成长档案 entries owned by this app: activities taken part in, aid, health checks and exam
results (each with the change since the previous exam, which is the child's study trend). Four queries."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from activities.models import ActivityParticipant, Aid, ExamResult, HealthCheck, plain_number
from children.chronology import Entry

# The chronology kinds this module adds, for a page that offers a filter per kind.
KINDS = {"activity": "活动", "aid": "资助", "health": "体检", "exam": "学业"}

# A fall of more than this share of the full score is flagged on the child page.
SCORE_DROP_FLAG = Decimal("0.10")


def entries(child, user) -> list[Entry]:
    found: list[Entry] = []
    for participation in ActivityParticipant.objects.filter(child=child).select_related("activity"):
        activity = participation.activity
        found.append(
            Entry(
                activity.date,
                "activity",
                "活动",
                f"参加活动：{activity.title}",
                activity.get_kind_display(),
                url=reverse("activities:detail", args=[activity.pk]),
            )
        )
    for aid in Aid.objects.filter(child=child):
        detail = "，".join(part for part in (aid.items, aid.note) if part)
        title = f"{aid.get_kind_display()} {plain_number(aid.amount)}元 · {aid.donor}"
        found.append(Entry(aid.date, "aid", "资助", title, detail))
    for check in HealthCheck.objects.filter(child=child):
        text = "；".join(part for part in (check.summary, check.findings, check.follow_up) if part)
        found.append(Entry(check.date, "health", "体检", "体检", text, flagged=bool(check.follow_up)))
    found.extend(_exam_entries(child))
    return found


def _exam_entries(child) -> list[Entry]:
    results = ExamResult.objects.filter(child=child).select_related("exam").order_by("exam__date", "exam__pk")
    found = []
    previous = None
    for result in results:
        exam = result.exam
        parts = []
        if result.total_score is not None:
            parts.append(f"总分{plain_number(result.total_score)}/{plain_number(exam.full_score)}")
        if result.class_rank is not None:
            parts.append(f"班级第{result.class_rank}名")
        trend, flagged = _trend(previous, result)
        found.append(Entry(exam.date, "exam", "学业", f"{exam.name}：{'，'.join(parts)}", trend, flagged=flagged))
        previous = result
    return found


def _trend(previous: ExamResult | None, current: ExamResult) -> tuple[str, bool]:
    if previous is None:
        return "", False
    if previous.total_score is not None and current.total_score is not None:
        before = previous.total_score / previous.exam.full_score
        after = current.total_score / current.exam.full_score
        change = (after - before) * 100
        arrow = "↑" if change > 0 else ("↓" if change < 0 else "→")
        return f"比{previous.exam.name}{arrow}{abs(change):.1f}个百分点（按满分折算）", -change / 100 > SCORE_DROP_FLAG
    if previous.class_rank is not None and current.class_rank is not None:
        moved = previous.class_rank - current.class_rank
        if moved > 0:
            return f"比{previous.exam.name}进步{moved}名", False
        if moved < 0:
            return f"比{previous.exam.name}后退{-moved}名", False
        return f"与{previous.exam.name}名次相同", False
    return "", False
