"""Input of the county administration pages: a new school and its first principal. The service checks what
needs the database (a name or phone number already used)."""

from __future__ import annotations

from django import forms

from caretrack.forms_base import Form
from caretrack.models import Gender, GradeSpan


class SchoolCreateForm(Form):
    name = forms.CharField(label="学校名称", max_length=100, error_messages={"required": "请填写学校名称。"})
    county = forms.CharField(label="所属县（区）", max_length=50, error_messages={"required": "请填写所属县（区）。"})
    address = forms.CharField(label="地址", max_length=200, required=False)
    grade_span = forms.ChoiceField(
        label="学段", choices=GradeSpan.choices, initial=GradeSpan.PRIMARY, error_messages={"required": "请选择学段。"}
    )
    principal_name = forms.CharField(label="校长姓名", max_length=30, error_messages={"required": "请填写校长姓名。"})
    principal_gender = forms.ChoiceField(label="性别", choices=[("", "不填")] + Gender.choices, required=False)
    principal_phone = forms.CharField(
        label="手机号",
        max_length=20,
        help_text="校长的手机号，用于找回账号。",
        error_messages={"required": "请填写校长的手机号。"},
    )

    def __init__(self, *args, county: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if county:
            self.initial.setdefault("county", county)
