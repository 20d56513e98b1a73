"""频次设置: the school's cadence rules and its limit of children per mentor."""

from django.contrib import messages
from django.shortcuts import redirect, render

from mentoring import services
from mentoring.cadence_forms import CadenceForm
from mentoring.models import CadenceRule
from mentoring.permissions import require_pairing_manager


def cadence_settings(request):
    school = require_pairing_manager(request.user)
    form = CadenceForm(
        request.POST or None,
        rules=CadenceRule.objects.for_school(school),
        max_children_per_mentor=school.max_children_per_mentor,
    )
    if request.method == "POST" and form.is_valid():
        services.save_cadence(
            school=school,
            rules=form.rules(),
            max_children_per_mentor=form.cleaned_data["max_children_per_mentor"],
            acting_user=request.user,
        )
        messages.success(request, "帮扶工作频次已保存。")
        return redirect("mentoring:pairings")
    return render(request, "mentoring/cadence_settings.html", {"form": form, "title": "帮扶工作频次与结对上限"})
