"""成长档案 entries from mentoring: every talk, visit and contact of the child the user may read (logs
carrying someone else's sensitive concern are left out), the visits' photos, and cases once they are closed.
A sensitive case (疑似受侵害, 心理危机, 自伤) and the log that raised it are marked as child-protection records.
All of it is rows of the chronology's one query (children.chronology.Source)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse

from children.chronology import Entry, Row, Source, shaped
from mentoring.links import URL_PREFIX
from mentoring.models import LOG_MODELS, SENSITIVE_CATEGORIES, Concern, HomeVisit, HomeVisitPhoto, Talk, TalkTopic
from mentoring.permissions import concerns_visible_to, logs_visible_to

# Each log kind's own two columns (after who wrote it), read back by _title.
_LOG_DETAILS = {
    "talk": ("place", "topics"),
    "visit": ("kind", "met_whom"),
    "family": ("method", "with_whom"),
    "guardian": ("method", "guardian_name"),
}


def _rows(record_ids: Sequence[int], user) -> list[QuerySet]:
    parts = []
    for kind, model in LOG_MODELS.items():
        logs = logs_visible_to(user, model).filter(child_id__in=record_ids)
        texts = [
            "external_mentor__name",
            "author__first_name",
            "author__last_name",
            "author__username",
            *_LOG_DETAILS[kind],
            "text",
            "concern__category",
        ]
        parts.append(shaped(logs, part=kind, day="date", texts=texts))
    visits = logs_visible_to(user, HomeVisit).filter(child_id__in=record_ids)
    photos = HomeVisitPhoto.objects.filter(visit__in=visits)
    parts.append(shaped(photos, part="photo", day="visit__date", record="visit__child_id", ref="visit_id"))
    closed = concerns_visible_to(user).closed().filter(child_id__in=record_ids)
    texts = ["category", "risk", "action_taken", "raised_on"]
    parts.append(shaped(closed, part="concern", day=TruncDate("closed_at"), texts=texts))
    return parts


def _display(model, field: str, value) -> str:
    """What get_FOO_display() gives for a stored value."""
    return str(dict(model._meta.get_field(field).flatchoices).get(value, value))


def _title(kind: str, row: Row) -> str:
    external, first_name, last_name, username, first, second = row.texts[:6]
    who = external if external is not None else (f"{first_name} {last_name}".strip() or username)
    model = LOG_MODELS[kind]
    if kind == "talk":
        labels = dict(TalkTopic.choices)
        topics = "、".join(str(labels.get(t, t)) for t in json.loads(second or "[]"))
        return f"谈心（{_display(Talk, 'place', first)}{'：' + topics if topics else ''}）· {who}"
    if kind == "visit":
        return f"{_display(model, 'kind', first)} · 接待人 {second} · {who}"
    if kind == "family":
        return f"{_display(model, 'method', first)} · 与{_display(model, 'with_whom', second)} · {who}"
    return f"监护人沟通（{_display(model, 'method', first)}{' ' + second if second else ''}）· {who}"


def _photo_links(rows: list[Row]) -> dict[int, tuple[tuple[str, str], ...]]:
    links: dict[int, list[tuple[str, str]]] = {}
    for row in sorted(rows, key=lambda r: r.pk):
        links.setdefault(row.ref, []).append(
            (
                reverse("mentoring:visit_photo_thumbnail", args=[row.pk]),
                reverse("mentoring:visit_photo", args=[row.pk]),
            )
        )
    return {visit: tuple(pairs) for visit, pairs in links.items()}


def _entries(rows: list[Row]) -> list[Entry]:
    by_part: dict[str, list[Row]] = {}
    for row in rows:
        by_part.setdefault(row.part, []).append(row)
    photos = _photo_links(by_part.get("photo", []))
    entries = []
    for kind, model in LOG_MODELS.items():
        # The logs' own order (newest first), which the page keeps for entries of the same day.
        for row in sorted(by_part.get(kind, []), key=lambda r: (r.day, r.pk), reverse=True):
            category = row.texts[7]
            entries.append(
                Entry(
                    day=row.day,
                    kind=kind,
                    kind_label=str(model._meta.verbose_name),
                    title=_title(kind, row),
                    text=row.texts[6],
                    url=reverse(f"mentoring:{URL_PREFIX[kind]}_detail", args=[row.pk]),
                    flagged=category is not None,
                    safeguarding=category in SENSITIVE_CATEGORIES,
                    photos=photos.get(row.pk, ()) if kind == "visit" else (),
                )
            )
    for row in sorted(by_part.get("concern", []), key=lambda r: (r.texts[3], r.pk), reverse=True):
        category, risk, action_taken = row.texts[:3]
        entries.append(
            Entry(
                day=row.day,
                kind="concern",
                kind_label="关注事项",
                title=f"已结案：{_display(Concern, 'category', category)}（{_display(Concern, 'risk', risk)}）",
                text=action_taken,
                safeguarding=category in SENSITIVE_CATEGORIES,
            )
        )
    return entries


SOURCE = Source("mentoring", rows=_rows, entries=_entries)


def log_entries(child, user) -> list[Entry]:
    """The logs and closed cases of one child record the user may read, in one query."""
    return SOURCE.entries_of(child, user)
