"""Input validation for logs, concerns and pairings (the cadence: mentoring/cadence_forms.py): explicit
fields, Chinese messages. Nothing here saves; the views hand cleaned data to mentoring.services."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from caretrack.forms_base import Form, ModelForm, MultiplePhotoField
from caretrack.validation import validate_phone
from caretrack.widgets import DateInput
from children.models import Child
from mentoring.models import (
    MAX_PHOTOS_PER_VISIT,
    ConcernCategory,
    ConcernRisk,
    ExternalMentor,
    FamilyContact,
    GuardianContact,
    HomeVisit,
    HomeVisitPhoto,
    Mood,
    PairingEndReason,
    PairingRole,
    Talk,
    TalkTopic,
)
from mentoring.selectors.lists import pairable_children
from mentoring.services import ConcernData


class LogForm(ModelForm):
    """Shared by the four logs: the date (today by default, never in the future), the optional
    external volunteer the coordinator enters the log for, and the optional concern."""

    flag_concern = forms.BooleanField(label="标记为关注事项（将提交关爱工作负责人处理）", required=False)
    concern_category = forms.ChoiceField(
        label="关注类别", choices=[("", "请选择")] + ConcernCategory.choices, required=False
    )
    concern_description = forms.CharField(
        label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    concern_risk = forms.ChoiceField(
        label="风险等级",
        choices=[("", "按类别默认（心理危机、疑似受侵害、自伤为紧急）")] + ConcernRisk.choices,
        required=False,
        help_text="您可以提高风险等级；降低只能由关爱工作负责人或校长操作。",
    )

    # The key the phone makes for this 保存 (static/js/drafts.js): a repeat of it saves nothing twice.
    client_key = forms.CharField(required=False, max_length=36, widget=forms.HiddenInput)

    def __init__(self, *args, external_mentors=None, can_raise_concern: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["client_key"]
        else:
            self.initial.setdefault("date", timezone.localdate())
        self.fields["date"].widget = DateInput()
        self.fields["text"].widget = forms.Textarea(attrs={"rows": 3, "placeholder": "简要记录情况"})
        self.fields["text"].error_messages["required"] = "请填写记录内容。"
        if external_mentors is not None and "external_mentor" in self.fields:
            self.fields["external_mentor"].queryset = external_mentors
            self.fields["external_mentor"].required = False
        elif "external_mentor" in self.fields:
            del self.fields["external_mentor"]
        if not can_raise_concern:
            for name in self.CONCERN_FIELDS:
                del self.fields[name]

    def _post_clean(self):
        # The service validates the model (full_clean) and saves; the form must not change the
        # instance it was given, or the service could not tell which fields changed.
        pass

    CONCERN_FIELDS = ("flag_concern", "concern_category", "concern_description", "concern_risk")

    def main_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.CONCERN_FIELDS and name not in self.PHOTO_FIELDS and name != "client_key"
        ]

    def concern_fields(self):
        return [self[name] for name in self.fields if name in self.CONCERN_FIELDS]

    PHOTO_FIELDS: tuple[str, ...] = ()  # a visit's photos, shown in a card of their own

    def photos_to_remove(self) -> list:
        return list(self.cleaned_data.get("remove_photos") or [])

    def clean_client_key(self) -> uuid.UUID | None:
        # Made by the page's script: a browser without it sends none, and a malformed one is not the user's
        # doing, so either saves as an ordinary form would.
        try:
            return uuid.UUID(self.cleaned_data["client_key"])
        except ValueError:
            return None

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天。")
        return day

    def clean(self):
        data = super().clean()
        if data.get("flag_concern") and not data.get("concern_category"):
            self.add_error("concern_category", "请选择关注类别。")
        return data

    def log_data(self) -> dict:
        skip = {"external_mentor"}
        return {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields and k not in skip}

    def concern(self) -> ConcernData | None:
        if not self.cleaned_data.get("flag_concern"):
            return None
        return ConcernData(
            category=self.cleaned_data["concern_category"],
            description=self.cleaned_data.get("concern_description") or self.cleaned_data.get("text", ""),
            risk=self.cleaned_data.get("concern_risk") or "",
        )


class TalkForm(LogForm):
    topics = forms.MultipleChoiceField(
        label="谈心主题",
        choices=TalkTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    mood = forms.TypedChoiceField(
        label="孩子情绪",
        choices=Mood.choices,
        coerce=int,
        initial=Mood.CALM,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )

    class Meta:
        model = Talk
        fields = ["date", "place", "topics", "mood", "text", "follow_up_needed", "external_mentor"]


class HomeVisitForm(LogForm):
    photos = MultiplePhotoField(
        label="家访照片",
        required=False,
        help_text=(
            f"选填，最多{MAX_PHOTOS_PER_VISIT}张，JPEG或PNG，每张10 MB以内。"
            "照片只在平台内查看，不会放进导出或上报的材料。"
        ),
    )
    remove_photos = forms.ModelMultipleChoiceField(
        label="删除已上传的照片", queryset=HomeVisitPhoto.objects.none(), required=False
    )

    PHOTO_FIELDS = ("photos", "remove_photos")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["remove_photos"].queryset = self.instance.photos.all()
        else:
            del self.fields["remove_photos"]

    def kept_photos(self) -> list:
        """The visit's photos already saved (edit page), for their thumbnails and 删除 boxes."""
        return list(self.fields["remove_photos"].queryset) if "remove_photos" in self.fields else []

    def clean(self):
        data = super().clean()
        kept = len(self.kept_photos()) - len(data.get("remove_photos") or [])
        if data.get("photos") and kept + len(data["photos"]) > MAX_PHOTOS_PER_VISIT:
            self.add_error("photos", f"每次家访最多保存{MAX_PHOTOS_PER_VISIT}张照片，请少选几张。")
        return data

    class Meta:
        model = HomeVisit
        fields = [
            "date", "kind", "met_whom", "text", "living_conditions", "study_conditions", "safety_hazards",
            "guardian_requests", "follow_up_needed", "external_mentor",
        ]  # fmt: skip
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("living_conditions", "study_conditions", "safety_hazards", "guardian_requests")
        }
        error_messages = {"met_whom": {"required": "请填写接待人，如：奶奶王秀英。"}}


class FamilyContactForm(LogForm):
    class Meta:
        model = FamilyContact
        fields = ["date", "method", "with_whom", "text", "external_mentor"]


class GuardianContactForm(LogForm):
    class Meta:
        model = GuardianContact
        fields = ["date", "method", "guardian_name", "text", "external_mentor"]


LOG_FORMS = {"talk": TalkForm, "visit": HomeVisitForm, "family": FamilyContactForm, "guardian": GuardianContactForm}


class DeleteLogForm(Form):
    reason = forms.CharField(label="删除原因", max_length=200, error_messages={"required": "请填写删除原因。"})


class CloseConcernForm(Form):
    action_taken = forms.CharField(
        label="结案情况",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "处理经过和结果（必填），如：已家访，情绪好转"}),
        max_length=2000,
        error_messages={"required": "请填写结案情况。"},
    )


class PairingForm(Form):
    child = forms.ModelChoiceField(label="学生", queryset=Child.objects.none(), empty_label="请选择学生")
    mentor = forms.ModelChoiceField(label="帮扶教师", queryset=None, required=False, empty_label="（校外帮扶人）")
    external_mentor = forms.ModelChoiceField(
        label="或：校外帮扶人", queryset=ExternalMentor.objects.none(), required=False, empty_label="—"
    )
    role = forms.ChoiceField(
        label="称谓", choices=[("", "按帮扶人性别（爱心妈妈/爱心爸爸）")] + PairingRole.choices, required=False
    )
    is_secondary = forms.BooleanField(label="作为第二帮扶人", required=False)
    start_date = forms.DateField(label="开始日期", widget=DateInput)
    over_limit_reason = forms.CharField(label="超出结对上限的理由", required=False, max_length=200)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth.models import User

        self.initial.setdefault("start_date", timezone.localdate())
        # 留守, 困境 and 事实无人抚养 children are pairable; the page offers them through a search, not one select.
        self.fields["child"].queryset = pairable_children(school=school, on=timezone.localdate())
        self.fields["child"].error_messages["required"] = "请选择学生。"
        self.fields["child"].label_from_instance = lambda c: f"{c.school_class} {c.name}"
        self.fields["mentor"].queryset = User.objects.filter(
            profile__school=school, profile__is_teacher=True, is_active=True
        ).order_by("first_name")
        self.fields["mentor"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["external_mentor"].queryset = ExternalMentor.objects.filter(school=school)

    def chosen_child(self) -> Child | None:
        """The child already chosen (sent, or given by ?child=), if pairable; one query."""
        value = self["child"].value()
        if not value or not str(value).isdigit():
            return None
        return self.fields["child"].queryset.filter(pk=value).first()

    def clean(self):
        data = super().clean()
        if bool(data.get("mentor")) == bool(data.get("external_mentor")):
            raise forms.ValidationError("请选择一名帮扶教师，或一名校外帮扶人（二选一）。")
        return data


class EndPairingForm(Form):
    """Ending a pairing: the day, the reason (其他 when a caller sends none) and an optional note."""

    end_date = forms.DateField(
        label="结束日期",
        widget=DateInput,
        error_messages={"required": "请填写结束日期。", "invalid": "请填写正确的结束日期。"},
    )
    reason = forms.ChoiceField(
        label="结束原因",
        choices=PairingEndReason.choices,
        required=False,
        initial=PairingEndReason.OTHER,
        error_messages={"invalid_choice": "请选择结束原因。"},
    )
    note = forms.CharField(
        label="说明（选填）",
        required=False,
        max_length=200,
        error_messages={"max_length": "说明不能超过200字。"},
    )

    def clean_reason(self):
        return self.cleaned_data.get("reason") or PairingEndReason.OTHER


class ExternalMentorForm(ModelForm):
    class Meta:
        model = ExternalMentor
        fields = ["name", "organisation", "phone"]
        error_messages = {"name": {"required": "请填写姓名。"}}

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "")
        return validate_phone(phone) if phone else ""
