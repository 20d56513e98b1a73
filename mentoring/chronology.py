"""成长档案 entries from mentoring: every talk, visit and contact of the child the user may read (logs
carrying someone else's sensitive concern are left out), and cases once they are closed. A sensitive case
(疑似受侵害, 心理危机, 自伤) and the log that raised it are marked as child-protection records."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from children.chronology import Entry
from mentoring.links import detail_url
from mentoring.models import LOG_MODELS, SENSITIVE_CATEGORIES, HomeVisit
from mentoring.permissions import concerns_visible_to, logs_visible_to


def _title(log) -> str:
    who = log.external_mentor.name if log.external_mentor_id else (log.author.get_full_name() or log.author.username)
    if log.KIND == "talk":
        topics = "、".join(log.topic_labels)
        return f"谈心（{log.get_place_display()}{'：' + topics if topics else ''}）· {who}"
    if log.KIND == "visit":
        return f"{log.get_kind_display()} · 接待人 {log.met_whom} · {who}"
    if log.KIND == "family":
        return f"{log.get_method_display()} · 与{log.get_with_whom_display()} · {who}"
    return f"监护人沟通（{log.get_method_display()}{' ' + log.guardian_name if log.guardian_name else ''}）· {who}"


def _photos(log) -> tuple[tuple[str, str], ...]:
    if not isinstance(log, HomeVisit):
        return ()
    return tuple(
        (reverse("mentoring:visit_photo_thumbnail", args=[p.pk]), reverse("mentoring:visit_photo", args=[p.pk]))
        for p in log.photos.all()
    )


def log_entries(child, user) -> list[Entry]:
    """Four queries for the logs and one for closed concerns, however long the child's history."""
    entries = []
    for kind, model in LOG_MODELS.items():
        logs = logs_visible_to(user, model).filter(child=child).select_related("author", "external_mentor", "concern")
        if model is HomeVisit:
            logs = logs.prefetch_related("photos")  # one query for every visit's photos
        for log in logs:
            entries.append(
                Entry(
                    day=log.date,
                    kind=kind,
                    kind_label=str(model._meta.verbose_name),
                    title=_title(log),
                    text=log.text,
                    url=detail_url(log),
                    flagged=log.concern_id is not None,
                    safeguarding=log.concern_id is not None and log.concern.category in SENSITIVE_CATEGORIES,
                    photos=_photos(log),
                )
            )
    for concern in concerns_visible_to(user).closed().filter(child=child):
        entries.append(
            Entry(
                day=timezone.localdate(concern.closed_at),
                kind="concern",
                kind_label="关注事项",
                title=f"已结案：{concern.get_category_display()}（{concern.get_risk_display()}）",
                text=concern.action_taken,
                safeguarding=concern.is_sensitive,
            )
        )
    return entries
