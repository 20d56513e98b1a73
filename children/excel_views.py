"""Excel import (upload → preview → confirm) and the archive's Excel downloads. Thin: authorize, call
children.importing / children.exports, render. The term's log downloads are mentoring's
(mentoring/excel_views.py), on the same 导入导出 page.

Between preview and confirm the uploaded file is kept on the server under MEDIA_ROOT/imports/<uuid><suffix>;
the session (not the browser) holds its SHA-256, name and school, and confirm checks the hash before
reading it again. The client only sends back the random token."""

from __future__ import annotations

import functools
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caretrack.forms_base import Form
from caretrack.models import Term
from caretrack.permissions import get_term_for_user, require_aggregate_reader, require_school_manager
from caretrack.uploads import PendingUploads
from children import exports
from children import importing as importers
from children.importing import template
from children.importing.commit import left_out_sheet
from children.permissions import Place, identifiers_visible
from children.sheets import CONTENT_TYPE

UPLOADS = PendingUploads(session_key="excel_imports", folder="imports", limit=5)
# The rows 只导入无误的行 left out, as a sheet to download, fix and upload again.
LEFT_OUT = PendingUploads(session_key="excel_import_left_out", folder="import_left_out", limit=5)
PREVIEW_LIST_LIMIT = 200


class ImportUploadForm(Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx、.xls、.ods、.csv）",
        error_messages={"required": "请选择要导入的 Excel 文件（.xlsx、.xls、.ods、.csv）。", "empty": "文件是空的。"},
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            importers.check_upload(uploaded.name, uploaded.size)
        except importers.ImportFileError as e:
            raise forms.ValidationError(str(e)) from None
        return uploaded


class ExportForm(Form):
    term = forms.ModelChoiceField(label="学期", queryset=Term.objects.none(), required=False, empty_label="当前学期")
    full = forms.BooleanField(label="显示完整身份证号和电话", required=False)

    def __init__(self, *args, school, allow_full: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(school=school)
        if not allow_full:
            del self.fields["full"]


def _hub_context(request, school, form=None) -> dict:
    allow_full = identifiers_visible(request.user, place=Place.EXPORT, school=school)
    return {
        "form": form or ImportUploadForm(),
        "export_form": ExportForm(school=school, allow_full=allow_full),
        "max_mb": importers.MAX_UPLOAD_BYTES // 1024 // 1024,
    }


def _render_preview(request, preview, token: str, message: str = ""):
    return render(
        request,
        "children/import_preview.html",
        {
            "preview": preview,
            "token": token,
            "message": message,
            "limit": PREVIEW_LIST_LIMIT,
            "create_rows": [r for r in preview.rows if r.action == importers.Action.CREATE][:PREVIEW_LIST_LIMIT],
            "update_rows": [r for r in preview.rows if r.action == importers.Action.UPDATE][:PREVIEW_LIST_LIMIT],
            "errors": preview.errors[: PREVIEW_LIST_LIMIT * 5],
        },
    )


def import_children(request):
    """导入导出: upload a sheet and see what it would do; links to the template and the exports."""
    school = require_school_manager(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        token, _ = UPLOADS.store(request, uploaded, school)
        path, meta = UPLOADS.load(request, token, school)
        try:
            preview = importers.preview_import(
                school=school, source=path, filename=meta["filename"], acting_user=request.user
            )
        except importers.ImportFileError as e:  # LookupLimited too: the over-cap answer
            UPLOADS.discard(request, token)
            form.add_error("file", str(e))
        else:
            return _render_preview(request, preview, token)
    return render(request, "children/import.html", _hub_context(request, school, form))


@require_POST
def import_confirm(request):
    school = require_school_manager(request.user)
    token = request.POST.get("token", "")
    stored = UPLOADS.load(request, token, school)
    if stored is None:
        messages.error(request, "该文件已经导入，或预览已过期，请重新上传。")
        return redirect("children:import")
    path, meta = stored
    claimed = UPLOADS.claim(path)
    if claimed is None:
        messages.error(request, "该文件正在导入或已经导入，请勿重复提交。")
        return redirect("children:import")
    only_valid = request.POST.get("only_valid") == "1"  # 只导入无误的行
    try:
        with open(claimed, "rb") as source:
            outcome = importers.commit_import(
                school=school,
                source=source,
                filename=meta["filename"],
                acting_user=request.user,
                sha256=meta["sha256"],
                only_valid=only_valid,
            )
    except importers.ImportFileError as e:
        claimed.unlink(missing_ok=True)
        UPLOADS.discard(request, token)
        messages.error(request, str(e))
        return redirect("children:import")
    except importers.ImportRejected as e:
        claimed.rename(path)
        return _render_preview(request, e.preview, token, message=e.message)
    # The rows left out are taken from the upload itself, before it goes.
    result = _render_left_out(request, school, outcome, claimed, meta["filename"]) if outcome.left_out else None
    claimed.unlink(missing_ok=True)
    UPLOADS.discard(request, token)
    if result is not None:
        return result
    messages.success(
        request,
        f"已导入 {meta['filename']}：新建 {outcome.created} 人，更新 {outcome.updated} 人，"
        f"{outcome.unchanged} 人无变化。",
    )
    return redirect("children:list")


def _render_left_out(request, school, outcome, upload: Path, filename: str):
    """The result of 只导入无误的行: what was saved, and the rows left out as a sheet to fix and upload again."""
    content = left_out_sheet(source=upload, filename=filename, rows=outcome.left_out)
    name = f"{Path(filename).stem}_未导入的行.xlsx"
    token, _ = LEFT_OUT.store(request, ContentFile(content, name=name), school)
    return render(
        request,
        "children/import_result.html",
        {
            "outcome": outcome,
            "filename": filename,
            "imported": outcome.created + outcome.updated,
            "token": token,
            "rows": outcome.left_out[:PREVIEW_LIST_LIMIT],
            "limit": PREVIEW_LIST_LIMIT,
        },
    )


@require_POST
def import_left_out(request):
    """下载未导入的行: the sheet kept when 只导入无误的行 left rows out (nothing is written)."""
    school = require_school_manager(request.user)
    stored = LEFT_OUT.load(request, request.POST.get("token", ""), school)
    if stored is None:
        messages.error(request, "该文件已过期，请重新上传原表格预览。")
        return redirect("children:import")
    path, meta = stored
    return download(meta["filename"], path.read_bytes())


@require_POST
def import_errors(request):
    """The preview's row errors as a sheet (the stored upload is read again; nothing is written)."""
    school = require_school_manager(request.user)
    stored = UPLOADS.load(request, request.POST.get("token", ""), school)
    if stored is None:
        messages.error(request, "预览已过期，请重新上传。")
        return redirect("children:import")
    path, meta = stored
    preview = importers.read_import(school=school, source=path, filename=meta["filename"])
    return download(f"{Path(meta['filename']).stem}_错误清单.xlsx", template.import_error_report(preview))


def import_template(request):
    require_school_manager(request.user)
    return download("留守儿童信息导入模板.xlsx", template.import_template())


def download(filename: str, content: bytes) -> HttpResponse:
    """An .xlsx as an attachment with its Chinese file name (also used by mentoring's log downloads)."""
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"


class BadParameter(Exception):
    """A parameter that is not what the page sends (a term that is not an id): 400, nothing written."""


def answers_bad_parameters(view):
    """Turn a BadParameter raised by the view into a 400 page with its Chinese message."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadParameter as error:
            return render(request, "children/bad_request.html", {"errors": [str(error)]}, status=400)

    return wrapped


def export_options(request, school) -> tuple[Term | None, bool]:
    """The export form's term (404 for another school's), and whether to show full identifiers (only when
    allowed and asked for). Raises BadParameter for a term that is not an id."""
    allow_full = identifiers_visible(request.user, place=Place.EXPORT, school=school)
    term_id = request.POST.get("term")
    if term_id and not term_id.isdigit():
        raise BadParameter("学期参数不正确。")
    term = get_term_for_user(request.user, term_id) if term_id else None
    return term, allow_full and request.POST.get("full") in ("on", "1", "true")


@require_POST
@answers_bad_parameters
def export_roster(request):
    school = require_school_manager(request.user)
    term, full = export_options(request, school)
    result = exports.export_roster(school=school, term=term, full_identifiers=full, acting_user=request.user)
    return download(result.filename, result.content)


@require_POST
@answers_bad_parameters
def export_register(request):
    school = require_school_manager(request.user)
    term, full = export_options(request, school)
    result = exports.export_register(school=school, term=term, full_identifiers=full, acting_user=request.user)
    return download(result.filename, result.content)


@require_POST
def export_summary(request):
    """The per-school summary: a bureau user's schools, or a manager's own school. POST only, like every
    export: it writes an audit row, which a link from another site must not be able to do."""
    schools = require_aggregate_reader(request.user)
    result = exports.export_summary(schools=schools.order_by("county", "name"), acting_user=request.user)
    return download(result.filename, result.content)
