from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities import selectors, services
from activities.filters import ActivityFilter, AidFilter, CareRoomFilter, ChildRecordFilter, ExamFilter
from activities.forms import (
    ActivityForm,
    AidFields,
    AidForm,
    CareRoomOpeningForm,
    ExamForm,
    ExamResultRowForm,
    HealthCheckForm,
    HealthRowForm,
    PhotoUploadForm,
    TableDateForm,
    row_formset,
)
from activities.models import Aid, CareRoomOpening, Exam, ExamResult, HealthCheck
from activities.permissions import (
    activities_visible_to,
    activity_classes_for,
    can_edit_activity,
    can_record_activity,
    can_record_aid,
    can_record_care_room_openings,
    can_record_exams,
    can_record_health_checks,
    can_record_school_wide_activity,
    child_records_visible_to,
    get_activity_for_user,
    get_activity_photo_for_user,
    get_aid_for_manager,
    get_care_room_opening_for_manager,
    get_exam_for_user,
    require_aid_recorder,
    require_care_room_recorder,
    require_exam_recorder,
    require_health_recorder,
)
from caretrack.models import Term
from caretrack.permissions import classes_visible_to, require_staff
from children.models import EnrolmentStatus
from children.permissions import children_editable_by, children_visible_to

PAGE_SIZE = 30


def _filtered(request, filter_class, queryset, school, **kwargs):
    """The filter with the current term chosen unless the user picked another (or 全部学期)."""
    terms = Term.objects.filter(school=school).order_by("-start_date")
    data = request.GET.copy()
    if "term" not in data:
        current = next((t for t in terms if t.is_current), None)
        data["term"] = str(current.pk) if current else ""
    return filter_class(data, queryset=queryset, terms=terms, **kwargs)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _picked(form):
    return services.pick_participants(candidates=form.fields["pick_children"].queryset, **form.picks())


def _table_saved(school_class, saved) -> str:
    return f"{school_class}：新增 {saved.created} 条，更新 {saved.updated} 条，空白 {saved.skipped} 行未保存。"


def _simple_form(request, form, title: str, back: str, delete_url: str = ""):
    context = {"form": form, "title": title, "back": back, "delete_url": delete_url}
    return render(request, "activities/simple_form.html", context)


def _enrolled(children):
    return children.exclude(status__in=[EnrolmentStatus.TRANSFERRED, EnrolmentStatus.GRADUATED])


# --- Activities -----------------------------------------------------------------------------------


def activity_list(request):
    school = require_staff(request.user)
    activity_filter = _filtered(
        request, ActivityFilter, activities_visible_to(request.user), school, classes=classes_visible_to(request.user)
    )
    page = _page(request, selectors.activity_rows(activity_filter.qs))
    return render(
        request,
        "activities/activity_list.html",
        {"filter": activity_filter, "page": page, "can_record": can_record_activity(request.user)},
    )


def _activity_form(request, school, activity=None):
    classes = activity_classes_for(request.user)
    return ActivityForm(
        request.POST or None,
        request.FILES or None,
        instance=activity,
        school=school,
        classes=classes,
        children=_enrolled(children_editable_by(request.user)),
        is_manager=can_record_school_wide_activity(request.user),
    )


def activity_create(request):
    school = require_staff(request.user)
    form = _activity_form(request, school)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.record_activity(
                school=school,
                data=form.activity_data(),
                participants=_picked(form),
                photos=form.cleaned_data["photos"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = activity.participations.count()
            messages.success(request, f"已登记活动“{activity.title}”，参加学生 {count} 人。")
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "title": "登记活动"})


def activity_edit(request, pk):
    activity = get_activity_for_user(request.user, pk, write=True)
    form = _activity_form(request, activity.school, activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_activity(
                activity=activity,
                data=form.activity_data(),
                participants=_picked(form),
                photos=form.cleaned_data["photos"],
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"活动“{activity.title}”已保存。")
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "title": f"编辑活动：{activity.title}", "activity": activity},
    )


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


@require_POST
def photo_delete(request, pk):
    photo = get_activity_photo_for_user(request.user, pk)
    activity = get_activity_for_user(request.user, photo.activity_id, write=True)
    services.delete_activity_photo(photo=photo, acting_user=request.user)
    messages.success(request, "照片已删除。")
    return redirect("activities:detail", pk=activity.pk)


@require_POST
def activity_delete(request, pk):
    activity = get_activity_for_user(request.user, pk, write=True)
    services.delete_activity(activity=activity, acting_user=request.user)
    messages.success(request, f"活动“{activity.title}”已删除（已记入审计日志）。")
    return redirect("activities:list")


# --- 留守儿童之家 ----------------------------------------------------------------------------------


def care_room_list(request):
    school = require_staff(request.user)
    care_filter = _filtered(
        request, CareRoomFilter, CareRoomOpening.objects.filter(school=school).select_related("duty_teacher"), school
    )
    return render(
        request,
        "activities/care_room_list.html",
        {
            "filter": care_filter,
            "page": _page(request, care_filter.qs.order_by("-date")),
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
    return _simple_form(request, form, "登记留守儿童之家开放", "activities:care_room")


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
    return _simple_form(request, form, f"修改开放记录：{opening.date:%Y-%m-%d}", "activities:care_room", delete_url)


@require_POST
def care_room_delete(request, pk):
    opening = get_care_room_opening_for_manager(request.user, pk)
    services.delete_care_room_opening(opening=opening, acting_user=request.user)
    messages.success(request, f"{opening.date:%Y-%m-%d} 的开放记录已删除（已记入审计日志）。")
    return redirect("activities:care_room")


# --- Aid ------------------------------------------------------------------------------------------


def aid_list(request):
    school = require_staff(request.user)
    by_child = request.GET.get("by") == "child"
    aid_filter = _filtered(
        request,
        AidFilter,
        child_records_visible_to(request.user, Aid),
        school,
        classes=classes_visible_to(request.user),
    )
    if by_child:
        page = _page(request, selectors.aid_by_child(aid_filter.qs))
        page.object_list = selectors.label_aid_rows(page.object_list)
    else:
        page = _page(request, selectors.record_rows(aid_filter.qs).order_by("-date", "-pk"))
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
    form = AidForm(request.POST or None, children=_enrolled(children_visible_to(request.user)))
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
    return _simple_form(request, form, "登记资助与慰问", "activities:aid")


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
    return _simple_form(request, form, f"修改资助记录：{aid.child.name}", "activities:aid", delete_url)


@require_POST
def aid_delete(request, pk):
    aid = get_aid_for_manager(request.user, pk)
    services.delete_aid(aid=aid, acting_user=request.user)
    messages.success(request, f"{aid.child.name} 的资助记录已删除（已记入审计日志）。")
    return redirect("activities:aid")


# --- Health checks --------------------------------------------------------------------------------


def health_list(request):
    school = require_staff(request.user)
    health_filter = _filtered(
        request,
        ChildRecordFilter,
        child_records_visible_to(request.user, HealthCheck),
        school,
        classes=classes_visible_to(request.user),
    )
    return render(
        request,
        "activities/health_list.html",
        {
            "filter": health_filter,
            "page": _page(request, selectors.record_rows(health_filter.qs).order_by("-date", "child__name_initials")),
            "can_record": can_record_health_checks(request.user),
            "classes": classes_visible_to(request.user),
        },
    )


def health_create(request):
    require_health_recorder(request.user)
    form = HealthCheckForm(request.POST or None, children=_enrolled(children_visible_to(request.user)))
    if request.method == "POST" and form.is_valid():
        child = form.cleaned_data["child"]
        try:
            services.record_health_check(child=child, data=form.row_data(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记 {child.name} 的体检记录。")
            return redirect("activities:health")
    return _simple_form(request, form, "登记体检", "activities:health")


def _class_from_query(request):
    classes = classes_visible_to(request.user).order_by("grade", "number")
    chosen = request.GET.get("school_class")
    school_class = classes.filter(pk=chosen).first() if chosen and chosen.isdigit() else None
    return classes, school_class


def health_class_table(request):
    """After a school-wide check: one class on one page, one row per child."""
    require_health_recorder(request.user)
    classes, school_class = _class_from_query(request)
    # ?date=… reopens the table of an earlier check day with what was entered then.
    shown_day = TableDateForm({"date": request.GET.get("date")})
    day = shown_day.cleaned_data["date"] if shown_day.is_valid() else None
    rows, date_form = [], TableDateForm(request.POST or None, initial={"date": day} if day else None)
    if school_class is not None:
        children = list(_enrolled(school_class.children.all()).order_by("name_initials", "pk"))
        entered = selectors.health_rows_entered(children=children, on=day) if day else {}
        rows = row_formset(HealthRowForm, children, request.POST or None, initial_by_child=entered)
        if request.method == "POST" and date_form.is_valid() and all(form.is_valid() for _, form in rows):
            saved = services.record_class_health_checks(
                on=date_form.cleaned_data["date"],
                rows=[{"child": child, **form.row_data()} for child, form in rows],
                acting_user=request.user,
            )
            messages.success(request, _table_saved(school_class, saved))
            return redirect("activities:health")
        if request.method == "POST":
            messages.error(request, "有数据不符合要求，请修改标红的格子后再保存（本次没有保存任何记录）。")
    return render(
        request,
        "activities/health_class.html",
        {"classes": classes, "school_class": school_class, "rows": rows, "date_form": date_form, "shown_day": day},
    )


# --- Exams ----------------------------------------------------------------------------------------


def exam_list(request):
    school = require_staff(request.user)
    exam_filter = _filtered(request, ExamFilter, Exam.objects.filter(school=school), school)
    exams = list(exam_filter.qs.order_by("date", "pk"))
    by_pk = {str(e.pk): e for e in exams}
    first = by_pk.get(request.GET.get("first")) or (exams[0] if len(exams) >= 2 else None)
    second = by_pk.get(request.GET.get("second")) or (exams[-1] if len(exams) >= 2 else None)
    improvement = None
    if first and second and first != second:
        improvement = selectors.improvement_between(
            first=first, second=second, children=children_visible_to(request.user), with_rows=True
        )
    return render(
        request,
        "activities/exam_list.html",
        {
            "filter": exam_filter,
            "exams": selectors.exam_rows(exam_filter.qs),
            "first": first,
            "second": second,
            "improvement": improvement,
            "can_record": can_record_exams(request.user),
        },
    )


def exam_create(request):
    school = require_exam_recorder(request.user)
    form = ExamForm(request.POST or None, terms=Term.objects.filter(school=school))
    if request.method == "POST" and form.is_valid():
        try:
            exam = services.create_exam(school=school, data=form.exam_data(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记考试“{exam.name}”，请按班级录入成绩。")
            return redirect("activities:exam_results", pk=exam.pk)
    return _simple_form(request, form, "登记考试", "activities:exams")


def exam_results(request, pk):
    """One class's results of an exam on one page."""
    exam = get_exam_for_user(request.user, pk, write=True)
    classes, school_class = _class_from_query(request)
    rows = []
    if school_class is not None:
        children = list(_enrolled(school_class.children.all()).order_by("name_initials", "pk"))
        existing = {
            r.child_id: {"total_score": r.total_score, "class_rank": r.class_rank, "note": r.note}
            for r in ExamResult.objects.filter(exam=exam, child__in=children)
        }
        rows = row_formset(
            ExamResultRowForm, children, request.POST or None, initial_by_child=existing, full_score=exam.full_score
        )
        if request.method == "POST" and all(form.is_valid() for _, form in rows):
            try:
                saved = services.record_exam_results(
                    exam=exam,
                    rows=[{"child": child, **form.row_data()} for child, form in rows],
                    acting_user=request.user,
                )
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, _table_saved(school_class, saved))
                return redirect(f"{request.path}?school_class={school_class.pk}")
        elif request.method == "POST":
            messages.error(request, "有数据不符合要求，请修改标红的格子后再保存（本次没有保存任何记录）。")
    return render(
        request,
        "activities/exam_results.html",
        {"exam": exam, "classes": classes, "school_class": school_class, "rows": rows},
    )
