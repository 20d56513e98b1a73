"""转学 pages: the school's outgoing and incoming requests, the 转出 page of a child, and one endpoint per
action (ask, withdraw, accept, decline, leave for a school elsewhere). The principal's and coordinator's."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from caretrack.permissions import require_school_manager
from children import transfer_selectors as selectors
from children.models import ACTIVE_STATUSES, TransferStatus
from children.permissions import (
    can_decide_transfer,
    can_transfer_child,
    can_withdraw_transfer,
    get_child_for_user,
    get_transfer_for_user,
    show_identifiers,
)
from children.services import transfers as services
from children.transfer_forms import AcceptTransferForm, DeclineTransferForm, TransferElsewhereForm, TransferRequestForm


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


def transfer_list(request):
    school = require_school_manager(request.user)
    incoming = list(selectors.incoming_transfers(school))
    for transfer in incoming:  # the receiving school decides on what it needs: the ID number stays masked
        show_identifiers(transfer.child, [], full=False)
    context = {
        "school": school,
        "incoming": incoming,
        "outgoing": list(selectors.outgoing_transfers(school)),
        "classes": list(AcceptTransferForm(school=school).fields["school_class"].queryset),
        "pending": TransferStatus.PENDING,
    }
    return render(request, "children/transfers/list.html", context)


def _child_to_transfer(request, pk):
    require_school_manager(request.user)
    child = get_child_for_user(request.user, pk)
    if not can_transfer_child(request.user, child) or child.status not in ACTIVE_STATUSES:
        raise PermissionDenied("该生已不在本校在读，不能办理转学。")
    return child


def _start_page(request, child, *, to_school_form=None, elsewhere_form=None, status=200):
    context = {
        "child": child,
        "pending": selectors.pending_transfer_of(child),
        "to_school_form": to_school_form or TransferRequestForm(school=child.school),
        "elsewhere_form": elsewhere_form or TransferElsewhereForm(),
    }
    return render(request, "children/transfers/start.html", context, status=status)


def transfer_start(request, pk):
    """The 转出 page of one child: to a school of this installation, or to one elsewhere (with the PDF)."""
    return _start_page(request, _child_to_transfer(request, pk))


@require_POST
def transfer_request(request, pk):
    child = _child_to_transfer(request, pk)
    form = TransferRequestForm(request.POST, school=child.school)
    if form.is_valid():
        try:
            transfer = services.request_transfer(child=child, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"已向 {transfer.to_school} 提交 {child.name} 的转学申请，等待对方接收。")
            return redirect("transfers:list")
    return _start_page(request, child, to_school_form=form)


@require_POST
def transfer_elsewhere(request, pk):
    child = _child_to_transfer(request, pk)
    form = TransferElsewhereForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_out_elsewhere(child=child, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, f"{child.name} 已转出。您可以在档案页下载转学档案 PDF 交给接收学校。")
            return redirect("children:detail", pk=child.pk)
    return _start_page(request, child, elsewhere_form=form)


@require_POST
def transfer_cancel(request, pk):
    transfer = get_transfer_for_user(request.user, pk)
    if not can_withdraw_transfer(request.user, transfer):
        raise PermissionDenied("只有转出学校可以撤回转学申请。")
    try:
        services.cancel_transfer(request=transfer, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, f"已撤回 {transfer.child.name} 的转学申请。")
    return redirect("transfers:list")


def _transfer_to_decide(request, pk):
    transfer = get_transfer_for_user(request.user, pk)
    if not can_decide_transfer(request.user, transfer):
        raise PermissionDenied("只有转入学校的校长或关爱工作负责人可以处理转学申请。")
    return transfer


@require_POST
def transfer_accept(request, pk):
    transfer = _transfer_to_decide(request, pk)
    form = AcceptTransferForm(request.POST, school=transfer.to_school)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("transfers:list")
    try:
        child = services.accept_transfer(request=transfer, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("transfers:list")
    messages.success(request, f"已接收 {child.name}，编入{child.school_class}。档案与成长记录已随学生转入。")
    return redirect("children:detail", pk=child.pk)


@require_POST
def transfer_decline(request, pk):
    transfer = _transfer_to_decide(request, pk)
    form = DeclineTransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect("transfers:list")
    try:
        services.decline_transfer(request=transfer, acting_user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, f"已拒绝 {transfer.child.name} 的转学申请。")
    return redirect("transfers:list")
