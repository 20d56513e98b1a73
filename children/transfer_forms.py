"""Input of the 转学 pages: explicit fields, Chinese messages, nothing saved here (children.services.transfers
does the work and says what it refuses)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from caretrack.forms_base import Form
from caretrack.models import School, SchoolClass
from caretrack.widgets import DateInput


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False  # the template writes the <form> with its action and button
    return helper


class TransferRequestForm(Form):
    """转入本系统内的学校: the receiving school and the first day there."""

    to_school = forms.ModelChoiceField(
        label="转入学校",
        queryset=School.objects.none(),
        empty_label="请选择学校",
        error_messages={"required": "请选择转入学校。", "invalid_choice": "请从列表中选择转入学校。"},
    )
    transfer_on = forms.DateField(
        label="转学日期",
        help_text="该生到新学校的第一天；前一天起不再计入本校在读。",
        widget=DateInput,
        error_messages={"required": "请填写转学日期。", "invalid": "请填写正确的日期。"},
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：随父母迁居，转入户籍所在地学校"}),
        error_messages={"max_length": "说明不能超过 200 字。"},
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_school"].queryset = School.objects.exclude(pk=school.pk).order_by("county", "name")
        self.initial.setdefault("transfer_on", timezone.localdate())
        self.helper = _helper()


class TransferElsewhereForm(Form):
    """转往系统外学校: the school's name and the last day at this school."""

    destination = forms.CharField(
        label="转入学校名称",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：广东省东莞市长安镇中心小学"}),
        error_messages={"required": "请填写转入学校的名称。", "max_length": "学校名称不能超过 200 字。"},
    )
    on = forms.DateField(
        label="离校日期",
        help_text="该生在本校的最后一天。",
        widget=DateInput,
        error_messages={"required": "请填写离校日期。", "invalid": "请填写正确的日期。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())
        self.helper = _helper()


class AcceptTransferForm(Form):
    school_class = forms.ModelChoiceField(
        label="编入班级",
        queryset=SchoolClass.objects.none(),
        empty_label="请选择班级",
        error_messages={"required": "请选择编入的班级。", "invalid_choice": "请从列表中选择本校的班级。"},
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.active().filter(school=school)


class DeclineTransferForm(Form):
    reason = forms.CharField(
        label="拒绝原因",
        max_length=200,
        error_messages={"required": "请填写拒绝原因，转出学校会看到它。", "max_length": "拒绝原因不能超过 200 字。"},
    )
