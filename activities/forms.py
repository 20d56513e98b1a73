"""Validation of the activity, care-room, aid, health-check and exam forms: explicit fields, Chinese
messages, no side effects (the services save). The five sub-domains' forms stay together (a little over
400 lines) because they share the staff picker, the date checks and the class-table row formset."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from activities.models import (
    CARE_ROOM_USE_FIELDS,
    Activity,
    ActivityKind,
    Aid,
    CareRoomOpening,
    Exam,
    ExamResult,
    HealthCheck,
    LectureTopic,
)
from caretrack.forms_base import Form, ModelForm, MultiplePhotoField
from caretrack.models import Grade
from caretrack.widgets import DateInput, TimeInput

NUMBER = {"inputmode": "decimal"}
MAX_CARE_ROOM_COUNT = 500  # per use and day: more is a typing error in a village school
MAX_AID_YUAN = Decimal("100000")
HEAD_COUNTS = ("guardians_count", "volunteers_count", "teachers_count")


def _staff_label(user) -> str:
    return user.get_full_name() or user.get_username()


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _staff_label(obj)


def school_staff(school):
    return get_user_model().objects.filter(profile__school=school).order_by("first_name", "username")


def not_in_future(day, what="日期"):
    if day and day > timezone.localdate():
        raise ValidationError(f"{what}不能晚于今天。")
    return day


class ActivityForm(ModelForm):
    """The activity with its participants picked in bulk: whole grades, whole classes, or one by one."""

    pick_grades = forms.TypedMultipleChoiceField(
        label="按年级选择",
        choices=Grade.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="勾选年级后，该年级的学生全部加入",
    )
    pick_classes = forms.ModelMultipleChoiceField(
        label="按班级选择", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    in_care_only = forms.BooleanField(
        label="按年级/班级选择时只选关爱对象（留守、困境、事实无人抚养儿童）", required=False, initial=True
    )
    # Never rendered as a list of every child: the page shows the chosen ones as chips and finds the others
    # through activities:participant_options (static/js/long-lists.js).
    pick_children = forms.ModelMultipleChoiceField(
        label="逐个选择学生", queryset=None, required=False, widget=forms.MultipleHiddenInput
    )
    photos = MultiplePhotoField(label="活动照片", required=False, help_text="JPEG或PNG，每张10 MB以内，可多选")

    class Meta:
        model = Activity
        fields = [
            "title", "kind", "topic", "date", "start_time", "place", "school_class", "organiser", "partners",
            "description", "outcome", "guardians_count", "volunteers_count", "teachers_count",
        ]  # fmt: skip
        widgets = {
            "date": DateInput,
            "start_time": TimeInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "title": {"required": "请填写活动名称。"},
            "kind": {"required": "请选择活动类型。"},
            "date": {"required": "请填写活动日期。", "invalid": "日期格式不正确，请写成 2026-10-01。"},
        }

    def __init__(self, *args, school, classes, children, is_manager: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["organiser"] = StaffChoiceField(
            label="组织者", queryset=school_staff(school), required=False, empty_label="（选择组织教师）"
        )
        self.fields["pick_classes"].queryset = classes
        self.fields["pick_children"].queryset = children.select_related("school_class").order_by(
            "school_class__grade", "school_class__number", "name_initials"
        )
        self.fields["pick_children"].label_from_instance = lambda c: f"{c.school_class} {c.name}"
        for name in HEAD_COUNTS:
            self.fields[name].required = False
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "min": 0, "placeholder": "0"})
            self.fields[name].error_messages["min_value"] = "人数不能为负数。"
        grades = sorted(set(classes.values_list("grade", flat=True)))
        self.fields["pick_grades"].choices = [(g, label) for g, label in Grade.choices if g in grades]
        self.fields["kind"].choices = [("", "请选择活动类型"), *ActivityKind.choices]
        self.fields["topic"].choices = [("", "（讲座时选择）"), *LectureTopic.choices]
        if not is_manager:
            # A class teacher records activities of their own class only.
            self.fields["school_class"].required = True
            self.fields["school_class"].empty_label = None
            self.fields["school_class"].help_text = ""
            del self.fields["pick_grades"]
        else:
            self.fields["school_class"].empty_label = "全校活动"
        if self.instance.pk:
            self.initial.setdefault(
                "pick_children", list(self.instance.participations.values_list("child_id", flat=True))
            )
            self.initial.setdefault("in_care_only", True)

    def chosen_children(self) -> list:
        """The children picked one by one so far (sent, or the activity's participants), as chips (one query)."""
        values = self["pick_children"].value() or []
        ids = [int(v) for v in (getattr(v, "pk", v) for v in values) if str(v).isdigit()]
        return list(self.fields["pick_children"].queryset.filter(pk__in=ids)) if ids else []

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], "活动日期")

    def clean(self):
        cleaned = super().clean()
        for name in HEAD_COUNTS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = 0
        if cleaned.get("kind") != ActivityKind.LECTURE:
            cleaned["topic"] = ""
        return cleaned

    def activity_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def picks(self) -> dict:
        return {
            "grades": self.cleaned_data.get("pick_grades") or [],
            "classes": self.cleaned_data.get("pick_classes") or [],
            "children": self.cleaned_data.get("pick_children") or [],
            "in_care_only": self.cleaned_data.get("in_care_only", False),
            "on": self.cleaned_data.get("date"),
        }


class PhotoUploadForm(Form):
    photos = MultiplePhotoField(label="活动照片", help_text="JPEG或PNG，每张10 MB以内，可多选")
    caption = forms.CharField(label="照片说明", max_length=100, required=False)

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if not photos:
            raise ValidationError("请选择要上传的照片。")
        return photos


class CareRoomOpeningForm(ModelForm):
    class Meta:
        model = CareRoomOpening
        fields = ["date", "duty_teacher", *CARE_ROOM_USE_FIELDS, "note"]
        widgets = {"date": DateInput}
        error_messages = {"date": {"required": "请填写开放日期。", "invalid": "日期格式不正确。"}}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duty_teacher"] = StaffChoiceField(
            label="值班教师", queryset=school_staff(school), required=False, empty_label="（选择值班教师）"
        )
        for name in CARE_ROOM_USE_FIELDS:
            field = self.fields[name]
            field.required = False  # a blank box means nobody came for that use
            field.widget.attrs.update({"inputmode": "numeric", "min": 0, "placeholder": "0"})
            field.error_messages["min_value"] = "人次不能为负数。"
            field.error_messages["invalid"] = "请填写整数。"
        self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], "开放日期")

    def clean(self):
        cleaned = super().clean()
        for name in CARE_ROOM_USE_FIELDS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = 0
        counts = [cleaned.get(name) or 0 for name in CARE_ROOM_USE_FIELDS]
        for name in CARE_ROOM_USE_FIELDS:
            if (cleaned.get(name) or 0) > MAX_CARE_ROOM_COUNT:
                self.add_error(name, f"一天超过{MAX_CARE_ROOM_COUNT}人次，请核对。")
        if not self.errors and sum(counts) == 0:
            raise ValidationError("请至少填写一项接待人次。")
        return cleaned

    def opening_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AidFields(ModelForm):
    class Meta:
        model = Aid
        fields = ["date", "kind", "amount", "items", "donor", "note"]
        widgets = {"date": DateInput, "amount": forms.NumberInput(attrs={**NUMBER, "min": 0, "step": "0.01"})}
        error_messages = {
            "amount": {"required": "请填写金额或物品折合价值（元）。", "invalid": "金额请填写数字，如 300 或 300.50。"},
            "donor": {"required": "请填写资助方（单位或个人）。"},
            "date": {"required": "请填写日期。"},
        }

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"])

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise ValidationError("金额不能为负数。")
        if amount is not None and amount > MAX_AID_YUAN:
            raise ValidationError("单笔金额超过10万元，请核对。")
        return amount

    def aid_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class AidForm(AidFields):
    """New aid for one or several children (the same amount each)."""

    children = forms.ModelMultipleChoiceField(
        label="受助学生",
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"required": "请选择受助学生。"},
        help_text="可多选：同一笔资助发给多名学生时，每人各记一条",
    )

    field_order = ["children", *AidFields.Meta.fields]

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children.select_related("school_class").order_by(
            "school_class__grade", "school_class__number", "name_initials"
        )
        self.fields["children"].label_from_instance = lambda c: f"{c.school_class} {c.name}"
        self.initial.setdefault("date", timezone.localdate())


_MEASURE_MESSAGES = {"invalid": "请填写数字。", "max_digits": "数字位数过多，请核对。"}


class HealthCheckFields(ModelForm):
    class Meta:
        model = HealthCheck
        fields = ["height_cm", "weight_kg", "vision_left", "vision_right", "findings", "follow_up"]
        widgets = {
            "height_cm": forms.NumberInput(attrs={**NUMBER, "step": "0.1", "placeholder": "cm"}),
            "weight_kg": forms.NumberInput(attrs={**NUMBER, "step": "0.1", "placeholder": "kg"}),
            "vision_left": forms.NumberInput(attrs={**NUMBER, "step": "0.1", "placeholder": "5.0"}),
            "vision_right": forms.NumberInput(attrs={**NUMBER, "step": "0.1", "placeholder": "5.0"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("height_cm", "weight_kg", "vision_left", "vision_right"):
            self.fields[name].error_messages.update(_MEASURE_MESSAGES)
            self.fields[name].error_messages["max_decimal_places"] = "最多保留1位小数。"
            self.fields[name].error_messages["max_whole_digits"] = {
                "height_cm": "身高应在80到200厘米之间。",
                "weight_kg": "体重应在10到150千克之间。",
            }.get(name, "视力应按五分记录（4.0–5.3）或小数记录（0.1–2.0）填写。")

    def row_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class HealthCheckForm(HealthCheckFields):
    """One child's health check (the single-entry page)."""

    class Meta(HealthCheckFields.Meta):
        fields = ["child", "date", *HealthCheckFields.Meta.fields]
        widgets = {**HealthCheckFields.Meta.widgets, "date": DateInput}
        error_messages = {
            "child": {"required": "请选择学生。"},
            "date": {"required": "请填写体检日期。", "invalid": "日期格式不正确。"},
        }

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children.select_related("school_class")
        self.fields["child"].label_from_instance = lambda c: f"{c.school_class} {c.name}"
        self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], "体检日期")

    def clean(self):
        cleaned = super().clean()
        if not self.errors and all(cleaned.get(n) in (None, "") for n in HealthCheckFields.Meta.fields):
            raise ValidationError("请至少填写一项体检结果。")
        return cleaned

    def validate_unique(self):
        pass  # the service refuses a second check of the same child and day with a clearer message

    def row_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields if name != "child"}


def _compact(form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control form-control-sm")
        field.widget.attrs.setdefault("aria-label", field.label)


class HealthRowForm(HealthCheckFields):
    """One child's row on the class table; the child comes from the page, never from the POST."""

    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _compact(self)


class TableDateForm(Form):
    date = forms.DateField(
        label="体检日期",
        widget=DateInput,
        error_messages={"required": "请填写体检日期。", "invalid": "日期格式不正确。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _compact(self)
        self.initial.setdefault("date", timezone.localdate())

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], "体检日期")


class ExamForm(ModelForm):
    class Meta:
        model = Exam
        fields = ["term", "name", "kind", "date", "full_score"]
        widgets = {"date": DateInput, "full_score": forms.NumberInput(attrs={**NUMBER, "step": "0.5"})}
        error_messages = {
            "name": {"required": "请填写考试名称。"},
            "date": {"required": "请填写考试日期。", "invalid": "日期格式不正确。"},
        }

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms
        current = terms.filter(is_current=True).first()
        if current:
            self.initial.setdefault("term", current.pk)

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], "考试日期")

    def exam_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ExamResultRowForm(ModelForm):
    use_required_attribute = False

    class Meta:
        model = ExamResult
        fields = ["total_score", "class_rank", "note"]
        widgets = {
            "total_score": forms.NumberInput(attrs={**NUMBER, "step": "0.5", "min": 0}),
            "class_rank": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
        }

    def __init__(self, *args, full_score, **kwargs):
        super().__init__(*args, **kwargs)
        self.full_score = full_score
        _compact(self)
        self.fields["total_score"].error_messages.update({"invalid": "请填写数字。", "min_value": "总分不能为负数。"})
        self.fields["class_rank"].error_messages.update({"invalid": "请填写整数。", "min_value": "班级排名从1开始。"})

    def clean_total_score(self):
        score = self.cleaned_data.get("total_score")
        if score is not None and score > self.full_score:
            raise ValidationError(f"总分不能超过满分{self.full_score}。")
        return score

    def _post_clean(self):
        # Model validation (score or rank) runs in the service, which skips blank rows.
        pass

    def row_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


def row_formset(form_class, children, data=None, initial_by_child=None, **form_kwargs):
    """One form per child, prefixed by the child's id, so rows cannot be shifted onto another child."""
    forms_by_child = []
    for child in children:
        initial = (initial_by_child or {}).get(child.pk)
        form = form_class(data, prefix=f"c{child.pk}", initial=initial, **form_kwargs)
        forms_by_child.append((child, form))
    return forms_by_child
