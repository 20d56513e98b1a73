from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render

from caretrack.navigation import home_url


def home(request):
    """Each role lands on its own page, registered by the app that owns it: bureau → county overview,
    principal/coordinator → dashboard, teachers → 我的学生."""
    target = home_url(request.user)
    if target:
        return redirect(target)
    return render(request, "caretrack/no_role.html", status=403)


@login_not_required
def healthz(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
