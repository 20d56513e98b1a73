"""Activities (班会, 讲座, 节日慰问 …) with their participants and photos."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from activities import selectors, services
from activities.filters import ActivityFilter
from activities.forms import ActivityForm, PhotoUploadForm
from activities.permissions import (
    activities_visible_to,
    activity_classes_for,
    can_edit_activity,
    can_record_activity,
    can_record_school_wide_activity,
    get_activity_for_user,
    get_activity_photo_for_user,
)
from activities.photos import PENDING_ACTIVITY_PHOTOS
from activities.views.shared import filtered, page_of
from caretrack.permissions import classes_visible_to, require_staff
from children.permissions import children_editable_by, children_visible_to


def activity_list(request):
    school = require_staff(request.user)
    activity_filter = filtered(
        request, ActivityFilter, activities_visible_to(request.user), school, classes=classes_visible_to(request.user)
    )
    page = page_of(request, selectors.activity_rows(activity_filter.qs))
    return render(
        request,
        "activities/activity_list.html",
        {"filter": activity_filter, "page": page, "can_record": can_record_activity(request.user)},
    )


def _activity_form(request, school, activity=None):
    return ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        school=school,
        classes=activity_classes_for(request.user),
        children=children_editable_by(request.user).enrolled(),
        is_manager=can_record_school_wide_activity(request.user),
    )


def _picked(form):
    return services.pick_participants(candidates=form.fields["pick_children"].queryset, **form.picks())


def _submit(request, form, save):
    """Save with the photos just chosen and those kept from an earlier try of the same form (the core's
    PendingPhotos.submit). Returns (what `save` returned or None, pending tokens)."""
    return PENDING_ACTIVITY_PHOTOS.submit(request, form, save, refuse=lambda f, error: f.add_error(None, error))


def activity_create(request):
    school = require_staff(request.user)
    form = _activity_form(request, school)
    activity, pending = _submit(
        request,
        form,
        lambda photos: services.record_activity(
            school=school,
            data=form.activity_data(),
            participants=_picked(form),
            photos=photos,
            acting_user=request.user,
        ),
    )
    if activity is not None:
        count = activity.participations.count()
        messages.success(request, f"已登记活动“{activity.title}”，参加学生 {count} 人。")
        return redirect("activities:detail", pk=activity.pk)
    context = {"form": form, "title": "登记活动", "pending_photos": pending}
    return render(request, "activities/activity_form.html", context)


def activity_edit(request, pk):
    activity = get_activity_for_user(request.user, pk, write=True)
    form = _activity_form(request, activity.school, activity)
    saved, pending = _submit(
        request,
        form,
        lambda photos: services.update_activity(
            activity=activity,
            data=form.activity_data(),
            participants=_picked(form),
            photos=photos,
            acting_user=request.user,
        ),
    )
    if saved is not None:
        messages.success(request, f"活动“{activity.title}”已保存。")
        return redirect("activities:detail", pk=activity.pk)
    context = {
        "form": form,
        "title": f"编辑活动：{activity.title}",
        "activity": activity,
        "pending_photos": pending,
    }
    return render(request, "activities/activity_form.html", context)


def activity_detail(request, pk):
    activity = get_activity_for_user(request.user, pk)
    shown, others = selectors.activity_detail_participants(activity, children_visible_to(request.user))
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "participants": shown,
            "other_participants": others,
            "photos": activity.photos.all(),
            "can_edit": can_edit_activity(request.user, activity),
            "photo_form": PhotoUploadForm(),
        },
    )


@require_POST
def activity_delete(request, pk):
    activity = get_activity_for_user(request.user, pk, write=True)
    services.delete_activity(activity=activity, acting_user=request.user)
    messages.success(request, f"活动“{activity.title}”已删除（已记入审计日志）。")
    return redirect("activities:list")


# --- Photos ---------------------------------------------------------------------------------------


@require_POST
def photo_add(request, pk):
    activity = get_activity_for_user(request.user, pk, write=True)
    form = PhotoUploadForm(request.POST, request.FILES)
    if form.is_valid():
        caption = form.cleaned_data["caption"]
        photos = form.cleaned_data["photos"]
        try:
            services.add_activity_photos(
                activity=activity, photos=photos, captions=[caption] * len(photos), acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已上传 {len(photos)} 张照片。")
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("activities:detail", pk=activity.pk)


def photo_file(request, pk):
    """Photos of children are served only to the school's staff, never as public media files."""
    photo = get_activity_photo_for_user(request.user, pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404("照片文件不存在。") from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def pending_photo_file(request, token):
    """A photo waiting on the user's own activity form (PENDING_ACTIVITY_PHOTOS): nobody else's session
    names it, so anyone else gets 404."""
    require_staff(request.user)
    handle = PENDING_ACTIVITY_PHOTOS.open(request, token)
    if handle is None:
        raise Http404("没有找到该照片。")
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def photo_delete(request, pk):
    photo = get_activity_photo_for_user(request.user, pk)
    activity = get_activity_for_user(request.user, photo.activity_id, write=True)
    services.delete_activity_photo(photo=photo, acting_user=request.user)
    messages.success(request, "照片已删除。")
    return redirect("activities:detail", pk=activity.pk)
