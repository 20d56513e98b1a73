"""Input of the case page's next steps: assign, risk, follow-up actions, referrals, reopening. Nothing here
saves; the case views hand cleaned data to mentoring.case_services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from caretrack.forms_base import Form
from caretrack.widgets import DateInput
from mentoring.models import ConcernRisk, ReferralAgency, ReferralOutcome


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(Form):
    assignee = StaffChoiceField(
        label="负责人", queryset=None, empty_label="请选择", error_messages={"required": "请选择负责人。"}
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class RiskForm(Form):
    risk = forms.ChoiceField(
        label="风险等级", choices=ConcernRisk.choices, error_messages={"required": "请选择风险等级。"}
    )

    def __init__(self, *args, allowed: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:  # the page offers only the levels the user may choose; the service checks
            self.fields["risk"].choices = [(value, ConcernRisk(value).label) for value in allowed]


class ActionForm(Form):
    what = forms.CharField(
        label="跟进事项",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：联系在外务工的母亲视频通话"}),
        error_messages={"required": "请填写跟进事项。"},
    )
    who = StaffChoiceField(
        label="执行人", queryset=None, empty_label="请选择", error_messages={"required": "请选择执行人。"}
    )
    due_on = forms.DateField(label="完成期限", widget=DateInput, error_messages={"required": "请选择完成期限。"})
    note = forms.CharField(label="备注", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].queryset = staff

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day < timezone.localdate():
            raise forms.ValidationError("完成期限不能早于今天。")
        return day


class ActionDoneForm(Form):
    done_on = forms.DateField(label="完成日期", widget=DateInput, error_messages={"required": "请选择完成日期。"})
    note = forms.CharField(label="完成情况", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("done_on", timezone.localdate())


class ReferralForm(Form):
    agency = forms.ChoiceField(
        label="转介机构",
        choices=[("", "请选择")] + ReferralAgency.choices,
        error_messages={"required": "请选择转介机构。"},
    )
    referred_on = forms.DateField(label="转介日期", widget=DateInput, error_messages={"required": "请选择转介日期。"})
    contact_person = forms.CharField(label="对接人", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("referred_on", timezone.localdate())


class ReferralOutcomeForm(Form):
    outcome = forms.ChoiceField(
        label="转介结果", choices=ReferralOutcome.choices, error_messages={"required": "请选择转介结果。"}
    )
    note = forms.CharField(label="结果说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReopenForm(Form):
    reason = forms.CharField(
        label="重新打开的原因", max_length=200, error_messages={"required": "请填写重新打开的原因。"}
    )
