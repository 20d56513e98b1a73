"""Input of the submission workflow: the principal's confirmation, the bureau's return comment and its
deadline. Validation only; the services in reports.services do the work."""

from __future__ import annotations

from django import forms

from caretrack.forms_base import Form
from caretrack.widgets import DateInput


class SubmitForm(Form):
    """The confirmation step carries the saved version the principal looked at."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)


class ReturnForm(Form):
    comment = forms.CharField(
        label="退回意见",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text="学校会在工作总结页面看到这条意见。",
        error_messages={"required": "请填写退回意见，告诉学校需要修改什么。"},
    )


class DeadlineForm(Form):
    due_on = forms.DateField(
        label="提交截止日期", widget=DateInput, error_messages={"required": "请选择提交截止日期。"}
    )
