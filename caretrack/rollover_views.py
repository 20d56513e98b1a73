"""The term-start checklist (学期初检查清单): the sections the apps registered in caretrack.rollover, for the
school's current term. The page only shows; each section's actions post to the app that owns the records."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from caretrack import rollover
from caretrack.models import Term
from caretrack.permissions import can_see_rollover, get_roles


def checklist(request):
    if not can_see_rollover(request.user):
        raise PermissionDenied("只有校长或关爱工作负责人可以查看学期初检查清单。")
    school = get_roles(request.user).school
    term = Term.objects.current(school)
    sections = rollover.checklist(school=school, term=term, user=request.user) if term else []
    context = {"school": school, "term": term, "sections": sections, "today": timezone.localdate()}
    return render(request, "caretrack/rollover/checklist.html", context)
