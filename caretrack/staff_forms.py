"""Input for the staff pages: explicit fields, Chinese messages. Nothing here saves; the views hand the
cleaned data to caretrack.services.staff, which checks again and writes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from caretrack.forms_base import INACTIVE_MESSAGE, LOGIN_MESSAGE, Form, PlainChineseMixin
from caretrack.models import Gender, SchoolClass
from caretrack.services.staff import LEAVING_REASONS, MAX_REASON_LENGTH
from caretrack.spreadsheets import SheetFileError, check_upload
from caretrack.staff_import import LIMITS, MAX_NAME_LENGTH, ROLE_LABELS, check_mobile, check_name
from caretrack.widgets import DateInput


class HeadOfField(forms.ModelChoiceField):
    """A class of the school, shown with its current 班主任 so that a replacement is never a surprise."""

    def label_from_instance(self, obj: SchoolClass) -> str:
        head = obj.head_teacher
        if head is not None and head.is_active:
            return f"{obj}（现班主任：{head.get_full_name() or head.username}）"
        return f"{obj}（暂无班主任）"


class StaffForm(Form):
    """Adding a staff member, and (with `instance`) editing one. Without `can_give_roles` (the
    coordinator) the roles are not asked: the person is added as a teacher."""

    name = forms.CharField(label="姓名", max_length=MAX_NAME_LENGTH, error_messages={"required": "请填写姓名。"})
    gender = forms.ChoiceField(label="性别", choices=[("", "未填写")] + Gender.choices, required=False)
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        required=False,
        help_text="11位手机号，用于找回账号；不能与其他在职账号重复",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    roles = forms.MultipleChoiceField(
        label="角色",
        choices=list(ROLE_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["teacher"],
        error_messages={"required": "请至少选择一个角色。"},
    )
    head_of = HeadOfField(
        label="担任班主任",
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label="不担任班主任",
        error_messages={"invalid_choice": "请选择本校在读的班级。"},
    )
    replace_head = forms.BooleanField(label="替换现任班主任（所选班级已有班主任时）", required=False)

    def __init__(self, *args, school, can_give_roles: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head_of"].queryset = (
            SchoolClass.objects.active()
            .filter(school=school)
            .select_related("head_teacher")
            .order_by("grade", "number")
        )
        if not can_give_roles:
            del self.fields["roles"]

    def clean_name(self):
        try:
            return check_name(self.cleaned_data["name"])
        except ValueError as e:
            raise ValidationError(str(e)) from None

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and phone == self.initial.get("phone"):
            return phone  # the number already on file stays, even one written before this rule
        try:
            return check_mobile(phone)
        except ValueError as e:
            raise ValidationError(str(e)) from None

    def service_data(self) -> dict:
        """The service's keywords. An untouched 班主任 choice is left out, so that editing a phone never
        moves a head teacher (nor one who heads two classes, which the single choice cannot show)."""
        data = dict(self.cleaned_data)
        data["roles"] = set(data.get("roles") or ["teacher"])
        if "head_of" not in self.changed_data:
            data.pop("head_of", None)
            data.pop("replace_head", None)
        return data

    @staticmethod
    def initial_for(user) -> dict:
        profile = user.profile
        heads = list(user.head_of_classes.all())
        roles = [r for r, flag in (("principal", profile.is_principal), ("coordinator", profile.is_coordinator),
                                   ("teacher", profile.is_teacher)) if flag]  # fmt: skip
        return {
            "name": user.first_name,
            "gender": profile.gender,
            "phone": profile.phone,
            "roles": roles,
            "head_of": heads[0].pk if len(heads) == 1 else None,
        }


class DeactivateForm(Form):
    on = forms.DateField(label="离职日期", widget=DateInput, error_messages={"required": "请填写离职日期。"})
    reason = forms.ChoiceField(
        label="离职原因",
        choices=[("", "请选择")] + [(r, r) for r in LEAVING_REASONS],
        error_messages={"required": "请选择离职原因。"},
    )
    note = forms.CharField(
        label="说明",
        required=False,
        max_length=MAX_REASON_LENGTH - 4,
        help_text="如调往的学校；原因为“其他”时必填",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise ValidationError("离职日期不能晚于今天。")
        return day

    def clean(self):
        data = super().clean()
        if data.get("reason") == "其他" and not (data.get("note") or "").strip():
            self.add_error("note", "原因为“其他”时，请填写说明。")
        return data

    def reason_text(self) -> str:
        """调离, or 调离：调往桥江镇第一小学 — what StaffProfile.left_reason keeps."""
        reason, note = self.cleaned_data["reason"], (self.cleaned_data.get("note") or "").strip()
        return f"{reason}：{note}" if note else reason


class StaffImportForm(Form):
    file = forms.FileField(
        label="教职工名单（.xlsx、.xls、.ods、.csv）",
        error_messages={"required": "请选择要导入的 Excel 文件（.xlsx、.xls、.ods、.csv）。", "empty": "文件是空的。"},
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            check_upload(uploaded.name, uploaded.size, limits=LIMITS)
        except SheetFileError as e:
            raise ValidationError(str(e)) from None
        return uploaded


class LoginForm(PlainChineseMixin, AuthenticationForm):
    """Django's login with the app's own wording (Django's says 你 and lectures about letter case)."""

    error_messages = {"invalid_login": LOGIN_MESSAGE, "inactive": INACTIVE_MESSAGE}


class FirstPasswordChangeForm(PlainChineseMixin, PasswordChangeForm):
    """Django's password change, refusing to keep the password one was given."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "当前密码不正确，请重新输入。",
        "password_mismatch": "两次输入的新密码不一致，请重新输入。",
    }

    def clean(self):
        data = super().clean()
        password = data.get("new_password2")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error("new_password2", ValidationError("新密码不能与当前密码相同。", code="password_unchanged"))
        return data
