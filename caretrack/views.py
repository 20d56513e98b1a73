from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from caretrack.permissions import get_roles


def _first_url(*names: str) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def home(request):
    """Each role lands on its own page: bureau → county overview, principal/coordinator → dashboard,
    teachers → 我的学生."""
    roles = get_roles(request.user)
    if roles.is_bureau:
        target = _first_url("reports:county")
    elif roles.manages_school:
        target = _first_url("reports:dashboard", "children:list")
    elif roles.is_teacher:
        target = _first_url("mentoring:my_students", "children:list")
    else:
        target = None
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
