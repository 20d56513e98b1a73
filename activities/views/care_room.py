"""留守儿童之家: the care room's openings and what the children used it for."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities import selectors, services
from activities.filters import CareRoomFilter
from activities.forms import CareRoomOpeningForm
from activities.models import CareRoomOpening
from activities.permissions import (
    can_record_care_room_openings,
    get_care_room_opening_for_manager,
    require_care_room_recorder,
)
from activities.views.shared import filtered, page_of, simple_form
from caretrack.permissions import require_staff


def care_room_list(request):
    school = require_staff(request.user)
    openings = CareRoomOpening.objects.filter(school=school).select_related("duty_teacher")
    care_filter = filtered(request, CareRoomFilter, openings, school)
    return render(
        request,
        "activities/care_room_list.html",
        {
            "filter": care_filter,
            "page": page_of(request, care_filter.qs.order_by("-date")),
            "totals": selectors.care_room_totals(care_filter.qs),
            "can_record": can_record_care_room_openings(request.user),
        },
    )


def care_room_create(request):
    school = require_care_room_recorder(request.user)
    form = CareRoomOpeningForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            opening = services.record_care_room_opening(
                school=school, data=form.opening_data(), acting_user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记 {opening.date:%Y-%m-%d} 开放记录，接待 {opening.visits} 人次。")
            return redirect("activities:care_room")
    return simple_form(request, form, "登记留守儿童之家开放", "activities:care_room")


def care_room_edit(request, pk):
    opening = get_care_room_opening_for_manager(request.user, pk)
    form = CareRoomOpeningForm(request.POST or None, instance=opening, school=opening.school)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_care_room_opening(opening=opening, data=form.opening_data(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{opening.date:%Y-%m-%d} 的开放记录已保存。")
            return redirect("activities:care_room")
    delete_url = reverse("activities:care_room_delete", args=[opening.pk])
    return simple_form(request, form, f"修改开放记录：{opening.date:%Y-%m-%d}", "activities:care_room", delete_url)


@require_POST
def care_room_delete(request, pk):
    opening = get_care_room_opening_for_manager(request.user, pk)
    services.delete_care_room_opening(opening=opening, acting_user=request.user)
    messages.success(request, f"{opening.date:%Y-%m-%d} 的开放记录已删除（已记入审计日志）。")
    return redirect("activities:care_room")
