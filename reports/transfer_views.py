"""The 转学档案 PDF download (reports.transfer_pdf): the sending school's principal or coordinator, by POST."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from caretrack.permissions import require_school_manager
from children.permissions import can_transfer_child, get_child_for_user
from reports import exports, transfer_pdf


@require_POST
def transfer_pdf_download(request, pk):
    require_school_manager(request.user)
    child = get_child_for_user(request.user, pk)
    if not can_transfer_child(request.user, child):
        raise PermissionDenied("只有本校校长或关爱工作负责人可以导出转学档案。")
    pdf = transfer_pdf.export_transfer_pdf(child=child, acting_user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = exports.content_disposition(f"{child.name}转学档案.pdf")
    return response
