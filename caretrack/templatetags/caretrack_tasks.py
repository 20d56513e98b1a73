"""{% my_tasks %}: the 待办 block at the top of a home page, from caretrack.tasks (the sources do the reading)."""

from django import template
from django.utils import timezone

from caretrack.tasks import tasks_for

register = template.Library()


@register.inclusion_tag("includes/tasks.html", takes_context=True)
def my_tasks(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"tasks": tasks_for(user, timezone.localdate())}
