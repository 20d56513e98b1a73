"""资助与慰问: aid given to children, record by record or summed per child."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities import selectors, services
from activities.filters import AidFilter
from activities.forms import AidFields, AidForm
from activities.models import Aid
from activities.permissions import can_record_aid, child_records_visible_to, get_aid_for_manager, require_aid_recorder
from activities.views.shared import filtered, page_of, simple_form
from caretrack.permissions import classes_visible_to, require_staff
from children.permissions import children_visible_to


def aid_list(request):
    school = require_staff(request.user)
    by_child = request.GET.get("by") == "child"
    records = child_records_visible_to(request.user, Aid)
    aid_filter = filtered(request, AidFilter, records, school, classes=classes_visible_to(request.user))
    if by_child:
        page = page_of(request, selectors.aid_by_child(aid_filter.qs))
        page.object_list = selectors.label_aid_rows(page.object_list)
    else:
        page = page_of(request, selectors.record_rows(aid_filter.qs).order_by("-date", "-pk"))
    return render(
        request,
        "activities/aid_list.html",
        {
            "filter": aid_filter,
            "by_child": by_child,
            "page": page,
            "totals": selectors.aid_totals(aid_filter.qs),
            "can_record": can_record_aid(request.user),
        },
    )


def aid_create(request):
    require_aid_recorder(request.user)
    form = AidForm(request.POST or None, children=children_visible_to(request.user).enrolled())
    if request.method == "POST" and form.is_valid():
        try:
            records = services.record_aid(
                children=list(form.cleaned_data["children"]), data=form.aid_data(), acting_user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记 {len(records)} 名学生的资助，每人 {form.cleaned_data['amount']} 元。")
            return redirect("activities:aid")
    return simple_form(request, form, "登记资助与慰问", "activities:aid")


def aid_edit(request, pk):
    aid = get_aid_for_manager(request.user, pk)
    form = AidFields(request.POST or None, instance=aid)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_aid(aid=aid, data=form.aid_data(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{aid.child.name} 的资助记录已保存。")
            return redirect("activities:aid")
    delete_url = reverse("activities:aid_delete", args=[aid.pk])
    return simple_form(request, form, f"修改资助记录：{aid.child.name}", "activities:aid", delete_url)


@require_POST
def aid_delete(request, pk):
    aid = get_aid_for_manager(request.user, pk)
    services.delete_aid(aid=aid, acting_user=request.user)
    messages.success(request, f"{aid.child.name} 的资助记录已删除（已记入审计日志）。")
    return redirect("activities:aid")
