"""体检: health checks, one child at a time or a whole class on one page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from activities import selectors, services
from activities.filters import ChildRecordFilter
from activities.forms import HealthCheckForm, HealthRowForm, TableDateForm, row_formset
from activities.models import HealthCheck
from activities.permissions import can_record_health_checks, child_records_visible_to, require_health_recorder
from activities.views.shared import (
    TABLE_INVALID,
    all_rows_valid,
    class_from_query,
    filtered,
    page_of,
    row_values,
    simple_form,
    table_saved,
)
from caretrack.permissions import classes_visible_to, require_staff
from children.permissions import children_visible_to


def health_list(request):
    school = require_staff(request.user)
    classes = classes_visible_to(request.user)
    records = child_records_visible_to(request.user, HealthCheck)
    health_filter = filtered(request, ChildRecordFilter, records, school, classes=classes)
    return render(
        request,
        "activities/health_list.html",
        {
            "filter": health_filter,
            "page": page_of(request, selectors.record_rows(health_filter.qs).order_by("-date", "child__name_initials")),
            "can_record": can_record_health_checks(request.user),
            "classes": classes,
        },
    )


def health_create(request):
    require_health_recorder(request.user)
    form = HealthCheckForm(request.POST or None, children=children_visible_to(request.user).enrolled())
    if request.method == "POST" and form.is_valid():
        child = form.cleaned_data["child"]
        try:
            services.record_health_check(child=child, data=form.row_data(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记 {child.name} 的体检记录。")
            return redirect("activities:health")
    return simple_form(request, form, "登记体检", "activities:health")


def _shown_day(request):
    """?date=… reopens the table of an earlier check day with what was entered then."""
    shown_day = TableDateForm({"date": request.GET.get("date")})
    return shown_day.cleaned_data["date"] if shown_day.is_valid() else None


def health_class_table(request):
    """After a school-wide check: one class on one page, one row per child."""
    require_health_recorder(request.user)
    classes, school_class = class_from_query(request)
    day = _shown_day(request)
    rows, date_form = [], TableDateForm(request.POST or None, initial={"date": day} if day else None)
    if school_class is not None:
        children = selectors.class_table_children(school_class)
        entered = selectors.health_rows_entered(children=children, on=day) if day else {}
        rows = row_formset(HealthRowForm, children, request.POST or None, initial_by_child=entered)
        if request.method == "POST" and date_form.is_valid() and all_rows_valid(rows):
            saved = services.record_class_health_checks(
                on=date_form.cleaned_data["date"], rows=row_values(rows), acting_user=request.user
            )
            messages.success(request, table_saved(school_class, saved))
            return redirect("activities:health")
        if request.method == "POST":
            messages.error(request, TABLE_INVALID)
    context = {"classes": classes, "school_class": school_class, "rows": rows, "date_form": date_form, "shown_day": day}
    return render(request, "activities/health_class.html", context)
