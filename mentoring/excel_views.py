"""The term's 谈心记录 / 家访记录 downloads (buttons on the archive's 导入导出 page). Thin: authorize, call
mentoring.exports, send the file."""

from __future__ import annotations

from django.views.decorators.http import require_POST

from caretrack.permissions import require_school_manager
from children.excel_views import answers_bad_parameters, download, export_options
from mentoring import exports


@require_POST
@answers_bad_parameters
def export_logs(request, kind: str):
    school = require_school_manager(request.user)
    term, _ = export_options(request, school)
    result = exports.export_logs(school=school, kind=kind, term=term, acting_user=request.user)
    return download(result.filename, result.content)
