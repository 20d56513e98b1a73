"""The person's own notifications (every signed-in user has some, whatever the role)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caretrack.notifications import mark_all_read, notifications_for


def notification_list(request):
    page = Paginator(notifications_for(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "caretrack/notifications.html", {"page": page})


@require_POST
def notification_read_all(request):
    marked = mark_all_read(user=request.user)
    if marked:
        messages.success(request, f"已将 {marked} 条通知标为已读。")
    return redirect("notifications:list")
