"""The activity form's participant picker: a whole class added at one tap, or children found by name or pinyin
initials, as JSON for static/js/long-lists.js. Never the school's whole list at once."""

from __future__ import annotations

from datetime import date

from django.http import JsonResponse
from django.utils import timezone

from activities import selectors, services
from activities.permissions import activity_classes_for
from children.permissions import children_editable_by


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def participant_options(request):
    """?school_class=<pk>: the children picking that class adds (the children in our care on the activity's
    day with in_care_only=1, as the form's class boxes do); ?q=: up to 20 children matching a search. Only
    the children the user may put on an activity of theirs (the form's own candidates); 403 for the others."""
    classes = activity_classes_for(request.user)
    candidates = children_editable_by(request.user).enrolled().select_related("school_class")
    chosen = request.GET.get("school_class", "")
    if chosen.isdigit():
        school_class = classes.filter(pk=chosen).first()
        children = services.pick_participants(
            candidates=candidates,
            classes=[school_class] if school_class else [],
            in_care_only=request.GET.get("in_care_only") == "1",
            on=_day(request.GET.get("on")),
        )
    else:
        children = selectors.participant_search(candidates, request.GET.get("q", ""))
    return JsonResponse(
        {"children": [{"id": c.pk, "label": f"{c.school_class} {c.name}", "name": c.name} for c in children]}
    )
