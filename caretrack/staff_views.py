"""学校设置·教职工: the staff list, adding one person or a sheet, editing, resetting a password, registering
a leaving, and the password change that lifts the first-login block. Thin: authorize by name
(caretrack.permissions), call a form, caretrack.services.staff or caretrack.staff_import, render.

First passwords are shown once: the service returns them, the view keeps them in the session only until
the next page (staff:new_accounts) has shown them with their printable slips, then drops them.

Between the import preview and its confirmation the uploaded file waits under MEDIA_ROOT/staff_imports/
<token><suffix>; the session holds its SHA-256, name and school; confirming renames the file first (atomic),
so a double submit finds it gone and creates nothing twice."""

from __future__ import annotations

import secrets
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from caretrack.accounts import NewAccount
from caretrack.permissions import (
    can_manage_staff,
    get_staff_member_for_user,
    require_staff_viewer,
    staff_visible_to,
)
from caretrack.services import staff
from caretrack.spreadsheets import XLSX_CONTENT_TYPE, SheetFileError
from caretrack.staff_forms import DeactivateForm, FirstPasswordChangeForm, StaffForm, StaffImportForm
from caretrack.staff_import import LIMITS, ROLES, read_staff_sheet, staff_template
from caretrack.uploads import PendingUploads

ACCOUNTS_KEY = "staff_new_accounts"
ONCE_KEY = "staff_form_once"
UPLOADS = PendingUploads(session_key="staff_imports", folder="staff_imports", limit=3)


# --- Helpers: one-time passwords, once-only forms, service errors -------------------------------------


def _show_accounts(request, accounts: list[NewAccount], title: str):
    request.session[ACCOUNTS_KEY] = {
        "title": title,
        "accounts": [
            {"name": a.user.get_full_name() or a.user.username, "username": a.user.username, "password": a.password}
            for a in accounts
        ],
    }
    return redirect("staff:new_accounts")


def _issue_once(request) -> str:
    token = secrets.token_urlsafe(16)
    request.session[ONCE_KEY] = [*request.session.get(ONCE_KEY, [])[-9:], token]
    return token


def _consume_once(request) -> bool:
    """True the first time a form's token comes back; a double submit finds it used."""
    tokens = request.session.get(ONCE_KEY, [])
    token = request.POST.get("once", "")
    if token not in tokens:
        return False
    tokens.remove(token)
    request.session[ONCE_KEY] = tokens
    request.session.save()  # before the work: a second request of the same session sees it used
    return True


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- Pages ----------------------------------------------------------------------------------------------


def staff_list(request):
    """教职工: everyone of the school, active first, with roles, 班主任 and leaving."""
    school = require_staff_viewer(request.user)
    context = {
        "school": school,
        "members": staff_visible_to(request.user),
        "can_manage": can_manage_staff(request.user),
    }
    return render(request, "caretrack/staff/list.html", context)


def staff_add(request):
    school = require_staff_viewer(request.user)
    can_give_roles = can_manage_staff(request.user)
    form = StaffForm(request.POST or None, school=school, can_give_roles=can_give_roles)
    if request.method == "POST":
        if not _consume_once(request):
            messages.warning(request, "该表单已经提交过，没有重复添加。请在名单中查看。")
            return redirect("staff:list")
        if form.is_valid():
            try:
                account = staff.add_staff(school=school, acting_user=request.user, **form.service_data())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _show_accounts(request, [account], "已添加教职工")
    context = {"form": form, "once": _issue_once(request), "title": "添加教职工", "can_give_roles": can_give_roles}
    return render(request, "caretrack/staff/form.html", context)


def staff_edit(request, pk):
    member = get_staff_member_for_user(request.user, pk)
    school = require_staff_viewer(request.user)
    initial = StaffForm.initial_for(member)
    form = StaffForm(request.POST or None, initial=initial, school=school, can_give_roles=True)
    if request.method == "POST" and form.is_valid():
        try:
            staff.update_staff(user=member, school=school, data=form.service_data(), acting_user=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已保存 {member.get_full_name()} 的信息。")
            return redirect("staff:list")
    context = {"form": form, "member": member, "title": f"修改教职工：{member.get_full_name()}", "can_give_roles": True}
    return render(request, "caretrack/staff/form.html", context)


@require_POST
def staff_reset_password(request, pk):
    member = get_staff_member_for_user(request.user, pk)
    try:
        password = staff.reset_password(user=member, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("staff:list")
    return _show_accounts(request, [NewAccount(user=member, password=password)], "已重置密码")


def staff_deactivate(request, pk):
    member = get_staff_member_for_user(request.user, pk)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff.deactivate_staff(
                user=member, on=form.cleaned_data["on"], reason=form.reason_text(), acting_user=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已登记 {member.get_full_name()} 离职，其账号已停用。")
            return redirect("staff:list")
    return render(request, "caretrack/staff/deactivate.html", {"form": form, "member": member})


def new_accounts(request):
    """The first passwords just made, with their slips: shown once, then gone from the session."""
    school = require_staff_viewer(request.user)
    shown = request.session.pop(ACCOUNTS_KEY, None)
    if not shown:
        messages.info(request, "初始密码只显示一次，已经显示过了。如有遗失，请校长为该教职工重置密码。")
        return redirect("staff:list")
    context = {**shown, "school": school, "login_url": request.build_absolute_uri(reverse("login"))}
    response = render(request, "caretrack/staff/accounts.html", context)
    add_never_cache_headers(response)
    return response


# --- Excel import -----------------------------------------------------------------------------------------


def _allowed_roles(user):
    return ROLES if can_manage_staff(user) else {"teacher"}


def _render_preview(request, preview, token: str, message: str = ""):
    context = {"preview": preview, "token": token, "message": message}
    return render(request, "caretrack/staff/import_preview.html", context)


def staff_import(request):
    """Upload the staff list and see every row's problems; nothing is saved until confirmed."""
    school = require_staff_viewer(request.user)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token, path = UPLOADS.store(request, form.cleaned_data["file"], school)
        filename = request.session[UPLOADS.session_key][token]["filename"]
        try:
            preview = read_staff_sheet(
                path, school=school, filename=filename, allowed_roles=_allowed_roles(request.user)
            )
        except SheetFileError as e:
            UPLOADS.discard(request, token)
            form.add_error("file", str(e))
        else:
            return _render_preview(request, preview, token)
    context = {"form": form, "max_mb": LIMITS.max_upload_bytes // 1024 // 1024, "max_rows": LIMITS.max_data_rows}
    return render(request, "caretrack/staff/import.html", context)


@require_POST
def staff_import_confirm(request):
    school = require_staff_viewer(request.user)
    token = request.POST.get("token", "")
    stored = UPLOADS.load(request, token, school)
    if stored is None:
        messages.error(request, "该文件已经导入，或预览已过期，请重新上传。")
        return redirect("staff:import")
    path, meta = stored
    claimed = UPLOADS.claim(path)
    if claimed is None:
        messages.error(request, "该文件正在导入或已经导入，请勿重复提交。")
        return redirect("staff:import")
    try:
        with open(claimed, "rb") as source:
            preview = read_staff_sheet(
                source, school=school, filename=meta["filename"], allowed_roles=_allowed_roles(request.user)
            )
        if preview.errors:
            raise ValidationError("有错误的行时不能导入，请改正后重新上传。")
        accounts = staff.import_staff(
            school=school,
            rows=preview.rows,
            acting_user=request.user,
            replace_heads=request.POST.get("replace_heads") == "on",
        )
    except SheetFileError as e:
        claimed.unlink(missing_ok=True)
        UPLOADS.discard(request, token)
        messages.error(request, str(e))
        return redirect("staff:import")
    except ValidationError as e:
        claimed.rename(path)
        return _render_preview(request, preview, token, message="；".join(e.messages))
    claimed.unlink(missing_ok=True)
    UPLOADS.discard(request, token)
    return _show_accounts(request, accounts, f"已导入 {meta['filename']}：新增 {len(accounts)} 名教职工")


def staff_import_template(request):
    require_staff_viewer(request.user)
    response = HttpResponse(staff_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"staff.xlsx\"; filename*=UTF-8''{quote('教职工导入模板.xlsx')}"
    )
    return response


# --- The password change that lifts the first-login block ----------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; saving it also clears must_change_password (caretrack.middleware)."""

    form_class = FirstPasswordChangeForm

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            staff.clear_first_password(user=form.user)
        return response
