"""学校设置: the principal's and coordinator's pages for the school's settings, classes, terms and 领导小组.
Thin views: authorize by name, hand the form's data to caretrack.services.school, show its refusal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from caretrack import school_links, selectors
from caretrack.models import LeadingGroupMember, School, SchoolClass
from caretrack.permissions import can_edit_school_settings, get_roles, get_term_for_user, require_school_manager
from caretrack.school_forms import (
    ClassCreateForm,
    ClassEnrolmentForm,
    HeadTeacherForm,
    LeadingGroupMemberForm,
    SchoolSettingsForm,
    TermCreateForm,
    TermDatesForm,
)
from caretrack.services import school as services

FORM_PAGE = "caretrack/school/form.html"


def _require_principal(user) -> School:
    if not can_edit_school_settings(user):
        raise PermissionDenied("只有校长可以进行此操作。")
    return get_roles(user).school


def _show_refusal(form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field when the form has it, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _refusal_message(request, error: ValidationError) -> None:
    messages.error(request, "".join(error.messages))


def index(request):
    school = require_school_manager(request.user)
    context = {
        "overview": selectors.school_overview(school),
        "can_edit": can_edit_school_settings(request.user),
        "links": school_links.links_for(request.user),
    }
    return render(request, "caretrack/school/index.html", context)


def settings(request):
    school = _require_principal(request.user)
    classes_total = selectors.enrolled_students_total(school) if selectors.classes_carry_enrolment(school) else None
    initial = {name: getattr(school, name) for name in services.SETTINGS_FIELDS}
    form = SchoolSettingsForm(request.POST or None, initial=initial, classes_total=classes_total)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_school_settings(school=school, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, "学校设置已保存。")
            return redirect("school:index")
    return render(request, FORM_PAGE, {"form": form, "title": "学校基本设置", "back": "school:index"})


# --- Classes -------------------------------------------------------------------------------------


def classes(request):
    school = require_school_manager(request.user)
    context = {
        "school": school,
        "classes": selectors.school_classes(school),
        "teachers": list(selectors.school_teachers(school)),
        "enrolled_total": selectors.enrolled_students_total(school),
    }
    return render(request, "caretrack/school/classes.html", context)


def class_create(request):
    school = require_school_manager(request.user)
    form = ClassCreateForm(request.POST or None, school=school, state=selectors.classes_state(school))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_classes(
                school=school,
                grade=data["grade"],
                count=data["count"],
                first_number=data["first_number"],
                acting_user=request.user,
            )
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, f"已新建 {len(created)} 个班：{'、'.join(str(c) for c in created)}。")
            return redirect("school:classes")
    return render(request, FORM_PAGE, {"form": form, "title": "新建班级", "back": "school:classes"})


def _class(request, pk) -> SchoolClass:
    school = require_school_manager(request.user)
    return get_object_or_404(SchoolClass.objects.active(), pk=pk, school=school)


@require_POST
def class_head_teacher(request, pk):
    school_class = _class(request, pk)
    form = HeadTeacherForm(request.POST, school=school_class.school)
    if not form.is_valid():
        messages.error(request, "".join(form.errors["teacher"]))
        return redirect("school:classes")
    teacher = form.cleaned_data["teacher"]
    try:
        services.set_head_teacher(school_class=school_class, teacher=teacher, acting_user=request.user)
    except ValidationError as error:
        _refusal_message(request, error)
    else:
        name = teacher.get_full_name() if teacher else ""
        messages.success(
            request, f"{school_class}的班主任已设为{name}。" if teacher else f"已清除{school_class}的班主任。"
        )
    return redirect("school:classes")


@require_POST
def class_enrolment(request, pk):
    school_class = _class(request, pk)
    form = ClassEnrolmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "".join(form.errors["enrolled_students"]))
        return redirect("school:classes")
    try:
        services.set_class_enrolment(
            school_class=school_class,
            enrolled_students=form.cleaned_data["enrolled_students"],
            acting_user=request.user,
        )
    except ValidationError as error:
        _refusal_message(request, error)
    else:
        messages.success(request, f"{school_class}的在校学生数已保存。")
    return redirect("school:classes")


@require_POST
def class_delete(request, pk):
    school_class = _class(request, pk)
    try:
        services.delete_class(school_class=school_class, acting_user=request.user)
    except ValidationError as error:
        _refusal_message(request, error)
    else:
        messages.success(request, f"已删除{school_class}。")
    return redirect("school:classes")


# --- Terms ---------------------------------------------------------------------------------------


def terms(request):
    school = require_school_manager(request.user)
    today = timezone.localdate()
    rows = [{"term": t, "editable": t.end_date >= today} for t in selectors.school_terms(school)]
    context = {"rows": rows, "can_make_current": can_edit_school_settings(request.user)}
    return render(request, "caretrack/school/terms.html", context)


def term_create(request):
    school = require_school_manager(request.user)
    proposal = services.propose_next_term(school=school, today=timezone.localdate())
    initial = {f: getattr(proposal, f) for f in ("start_year", "semester", "start_date", "end_date")}
    form = TermCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.create_term(school=school, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, f"已新建{term}。")
            return redirect("school:terms")
    context = {
        "form": form,
        "title": "新建下学期",
        "back": "school:terms",
        "intro": f"按校历建议为{proposal}，日期可修改。",
    }
    return render(request, FORM_PAGE, context)


def term_edit(request, pk):
    require_school_manager(request.user)
    term = get_term_for_user(request.user, pk)
    form = TermDatesForm(request.POST or None, initial={"start_date": term.start_date, "end_date": term.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_term(term=term, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, f"{term}的日期已保存。")
            return redirect("school:terms")
    return render(request, FORM_PAGE, {"form": form, "title": f"修改学期日期：{term}", "back": "school:terms"})


@require_POST
def term_make_current(request, pk):
    _require_principal(request.user)
    term = get_term_for_user(request.user, pk)
    try:
        services.make_term_current(term=term, acting_user=request.user)
    except ValidationError as error:
        _refusal_message(request, error)
        return redirect("school:terms")
    messages.success(request, f"{term}已设为当前学期。请逐项核对学期初检查清单。")
    return redirect("rollover:checklist")


# --- 领导小组 ------------------------------------------------------------------------------------


def leading_group(request):
    school = require_school_manager(request.user)
    return render(request, "caretrack/school/leading_group.html", {"members": selectors.leading_group_members(school)})


def _member_form(request, member: LeadingGroupMember | None):
    school = require_school_manager(request.user)
    initial = {}
    if member is not None:
        initial = {f: getattr(member, f) for f in ("user", "position", "title", "responsibility", "order")}
    form = LeadingGroupMemberForm(request.POST or None, initial=initial, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_leading_group_member(
                school=school, member=member, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, "领导小组已保存。")
            return redirect("school:leading_group")
    title = "修改领导小组成员" if member else "添加领导小组成员"
    return render(request, FORM_PAGE, {"form": form, "title": title, "back": "school:leading_group"})


def leading_group_add(request):
    return _member_form(request, None)


def _member(request, pk) -> LeadingGroupMember:
    school = require_school_manager(request.user)
    return get_object_or_404(LeadingGroupMember.objects.select_related("user"), pk=pk, school=school)


def leading_group_edit(request, pk):
    return _member_form(request, _member(request, pk))


@require_POST
def leading_group_remove(request, pk):
    member = _member(request, pk)
    services.remove_leading_group_member(member=member, acting_user=request.user)
    messages.success(request, f"已将{member.user.get_full_name()}移出领导小组。")
    return redirect("school:leading_group")
