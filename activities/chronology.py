"""The child's 成长档案 entries owned by this app: activities taken part in, aid, health checks and exam
results (each with the change since the previous exam, which is the child's study trend). Rows of the
chronology's one query (children.chronology.Source)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse

from activities.models import Activity, ActivityParticipant, Aid, Exam, ExamResult, HealthCheck, plain_number
from children.chronology import Entry, Row, Source, shaped

# The chronology kinds this module adds, for a page that offers a filter per kind.
KINDS = {"activity": "活动", "aid": "资助", "health": "体检", "exam": "学业"}

# A fall of more than this share of the full score is flagged on the child page.
SCORE_DROP_FLAG = Decimal("0.10")


def _rows(record_ids: Sequence[int], user) -> list[QuerySet]:
    return [
        shaped(
            ActivityParticipant.objects.filter(child_id__in=record_ids),
            part="activity",
            pk="activity_id",
            ref="pk",
            day="activity__date",
            texts=["activity__title", "activity__kind"],
        ),
        shaped(
            Aid.objects.filter(child_id__in=record_ids),
            part="aid",
            day="date",
            texts=["kind", "amount", "donor", "items", "note"],
        ),
        shaped(
            HealthCheck.objects.filter(child_id__in=record_ids),
            part="health",
            day="date",
            texts=["height_cm", "weight_kg", "vision_left", "vision_right", "findings", "follow_up"],
        ),
        shaped(
            ExamResult.objects.filter(child_id__in=record_ids),
            part="exam",
            ref="exam_id",
            day="exam__date",
            texts=["exam__name", "exam__full_score", "total_score", "class_rank"],
        ),
    ]


def _number(text: str | None, model, field: str) -> Decimal | None:
    """A decimal column comes back as its text ("5.0" on PostgreSQL, "5" on SQLite): read it as the model
    reads it, to the field's decimal places (视力 左5.0)."""
    if text is None:
        return None
    return Decimal(text).quantize(Decimal(1).scaleb(-model._meta.get_field(field).decimal_places))


def _display(model, field: str, value) -> str:
    """What get_FOO_display() gives for a stored value."""
    return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


def _entries(rows: list[Row]) -> list[Entry]:
    by_part: dict[str, list[Row]] = {}
    for row in rows:
        by_part.setdefault(row.part, []).append(row)
    found: list[Entry] = []
    # Each part in the order its own query gave before (the page keeps it for entries of the same day):
    # participations as entered, the others newest first.
    for row in sorted(by_part.get("activity", []), key=lambda r: r.ref):
        title, kind = row.texts[:2]
        found.append(
            Entry(
                row.day,
                "activity",
                "活动",
                f"参加活动：{title}",
                _display(Activity, "kind", kind),
                url=reverse("activities:detail", args=[row.pk]),
            )
        )
    for row in sorted(by_part.get("aid", []), key=lambda r: (r.day, r.pk), reverse=True):
        kind, amount, donor, items, note = row.texts[:5]
        detail = "，".join(part for part in (items, note) if part)
        title = f"{_display(Aid, 'kind', kind)} {plain_number(_number(amount, Aid, 'amount'))}元 · {donor}"
        found.append(Entry(row.day, "aid", "资助", title, detail))
    for row in sorted(by_part.get("health", []), key=lambda r: (r.day, r.pk), reverse=True):
        height, weight, left, right, findings, follow_up = row.texts[:6]
        check = HealthCheck(
            height_cm=_number(height, HealthCheck, "height_cm"),
            weight_kg=_number(weight, HealthCheck, "weight_kg"),
            vision_left=_number(left, HealthCheck, "vision_left"),
            vision_right=_number(right, HealthCheck, "vision_right"),
        )
        text = "；".join(part for part in (check.summary, findings, follow_up) if part)
        found.append(Entry(row.day, "health", "体检", "体检", text, flagged=bool(follow_up)))
    found.extend(_exam_entries(by_part.get("exam", [])))
    return found


@dataclass(frozen=True)
class _Result:
    exam_name: str
    full_score: Decimal
    total_score: Decimal | None
    class_rank: int | None


def _exam_entries(rows: list[Row]) -> list[Entry]:
    found = []
    previous = None
    for row in sorted(rows, key=lambda r: (r.day, r.ref)):  # by the exam's date, then the exam
        name, full_score, total_score, class_rank = row.texts[:4]
        result = _Result(
            name,
            _number(full_score, Exam, "full_score"),
            _number(total_score, ExamResult, "total_score"),
            None if class_rank is None else int(class_rank),
        )
        parts = []
        if result.total_score is not None:
            parts.append(f"总分{plain_number(result.total_score)}/{plain_number(result.full_score)}")
        if result.class_rank is not None:
            parts.append(f"班级第{result.class_rank}名")
        trend, flagged = _trend(previous, result)
        found.append(Entry(row.day, "exam", "学业", f"{name}：{'，'.join(parts)}", trend, flagged=flagged))
        previous = result
    return found


def _trend(previous: _Result | None, current: _Result) -> tuple[str, bool]:
    if previous is None:
        return "", False
    if previous.total_score is not None and current.total_score is not None:
        before = previous.total_score / previous.full_score
        after = current.total_score / current.full_score
        change = (after - before) * 100
        arrow = "↑" if change > 0 else ("↓" if change < 0 else "→")
        return f"比{previous.exam_name}{arrow}{abs(change):.1f}个百分点（按满分折算）", -change / 100 > SCORE_DROP_FLAG
    if previous.class_rank is not None and current.class_rank is not None:
        moved = previous.class_rank - current.class_rank
        if moved > 0:
            return f"比{previous.exam_name}进步{moved}名", False
        if moved < 0:
            return f"比{previous.exam_name}后退{-moved}名", False
        return f"与{previous.exam_name}名次相同", False
    return "", False


SOURCE = Source("activities", rows=_rows, entries=_entries)


def entries(child, user) -> list[Entry]:
    """Activities, aid, health checks and exam results of one child record, in one query."""
    return SOURCE.entries_of(child, user)
