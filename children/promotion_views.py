"""升年级 pages: the preview with a typed confirmation, the result with its same-day undo. The principal's."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from caretrack.forms_base import Form
from caretrack.permissions import get_roles
from children import selectors
from children.permissions import can_promote_school
from children.services.promotion import promote_school, promotion_preview, undo_promotion

CONFIRM_WORDS = "确认升年级"


class PromotionConfirmForm(Form):
    confirmation = forms.CharField(
        label=f"请输入本校名称或“{CONFIRM_WORDS}”",
        max_length=100,
        error_messages={"required": f"请输入本校名称或“{CONFIRM_WORDS}”后再执行。"},
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["confirmation"].widget.attrs.update({"autocomplete": "off", "placeholder": CONFIRM_WORDS})

    def clean_confirmation(self):
        text = self.cleaned_data["confirmation"].strip()
        if text not in (self.school.name, CONFIRM_WORDS):
            raise ValidationError(f"输入的内容不对：请输入“{self.school.name}”或“{CONFIRM_WORDS}”。")
        return text


def _principal_school(user):
    if not can_promote_school(user):
        raise PermissionDenied("只有校长可以执行升年级。")
    return get_roles(user).school


def _preview_page(request, school, form, status=200):
    context = {
        "preview": promotion_preview(school=school, on=timezone.localdate()),
        "form": form,
        "runs": selectors.recent_promotions(school),
        "confirm_words": CONFIRM_WORDS,
    }
    return render(request, "children/promotion/preview.html", context, status=status)


def preview(request):
    school = _principal_school(request.user)
    return _preview_page(request, school, PromotionConfirmForm(school=school))


@require_POST
def run(request):
    school = _principal_school(request.user)
    form = PromotionConfirmForm(request.POST, school=school)
    if not form.is_valid():
        return _preview_page(request, school, form)
    try:
        done = promote_school(school=school, on=timezone.localdate(), acting_user=request.user)
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _preview_page(request, school, form)
    messages.success(request, "升年级已完成。如发现问题，今天之内可以撤销。")
    return redirect("promotion:result", pk=done.pk)


def result(request, pk):
    school = _principal_school(request.user)
    promotion = selectors.get_promotion_run(school=school, pk=pk)
    context = {
        "run": promotion,
        "summary": selectors.promotion_summary(promotion),
        "can_undo": promotion.undone_at is None and promotion.run_on == timezone.localdate(),
    }
    return render(request, "children/promotion/result.html", context)


@require_POST
def undo(request, pk):
    school = _principal_school(request.user)
    promotion = selectors.get_promotion_run(school=school, pk=pk)
    try:
        undo_promotion(run=promotion, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已撤销本次升年级：班级、学生和结对都已恢复到升年级之前。")
    return redirect("promotion:result", pk=promotion.pk)
