"""Validation of the archive form: Chinese messages, explicit fields, no side effects."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from caretrack.forms_base import Form, ModelForm
from caretrack.spreadsheets import FORMULA_NAME_MESSAGE, starts_like_formula
from caretrack.validation import check_id_consistency, parse_id_number, validate_phone
from caretrack.widgets import DateInput
from children.models import (
    EVIDENCE_EXAMPLES,
    EVIDENCED_STATUSES,
    RECORDED_HARDSHIP_TYPES,
    AssistanceKind,
    AwayStatus,
    Child,
    FamilyAssessment,
    Grandparent,
    Guardian,
    HardshipType,
    IncomeSource,
    Parent,
)
from children.services import age_on
from guardians.models import Region

MAX_CHILD_AGE = 18


def clean_id_number_field(value: str) -> str:
    if not value:
        return ""
    return parse_id_number(value).number


def clean_phone_field(value: str) -> str:
    return validate_phone(value) if value else ""


def clean_name_field(value: str) -> str:
    """A name that a spreadsheet could run as a formula (=B2&C2) would travel into every export."""
    if value and starts_like_formula(value):
        raise ValidationError(FORMULA_NAME_MESSAGE + "。")
    return value


class ChildForm(ModelForm):
    class Meta:
        model = Child
        fields = [
            "name", "gender", "birth_date", "ethnicity", "id_number", "has_hukou", "student_number",
            "school_class", "enrollment_date", "schooling_status", "status", "hukou_address", "current_address",
            "is_boarder", "health_status", "disability", "academic_performance", "interests", "personality",
            "rewards",
        ]  # fmt: skip
        widgets = {
            "birth_date": DateInput,
            "enrollment_date": DateInput,
            "personality": forms.Textarea(attrs={"rows": 2}),
            "rewards": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        self.fields["id_number"].help_text = "18位，选填；填写后将核对出生日期和性别"

    def clean_name(self):
        return clean_name_field(self.cleaned_data.get("name", ""))

    def clean_id_number(self):
        return clean_id_number_field(self.cleaned_data.get("id_number") or "") or None

    def clean_birth_date(self):
        birth = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if birth > today:
            raise ValidationError("出生日期不能晚于今天。")
        if age_on(birth, today) > MAX_CHILD_AGE:
            raise ValidationError(f"出生日期 {birth:%Y-%m-%d} 表示该学生已超过{MAX_CHILD_AGE}周岁，请核对。")
        return birth

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number:
            for message in check_id_consistency(
                parse_id_number(number), birth_date=cleaned.get("birth_date"), gender=cleaned.get("gender")
            ):
                self.add_error("id_number", message)
        return cleaned

    def archive_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def check_status_evidence(form, *, status: str, evidence_field: str, date_field: str) -> None:
    """A parent's death, prison, disappearance and the like count only with the document and the day it
    was confirmed (民发〔2019〕62号 asks for both): one rule for the archive form and the status change."""
    if status not in EVIDENCED_STATUSES:
        return
    label = AwayStatus(status).label
    if not form.cleaned_data.get(evidence_field):
        form.add_error(evidence_field, f"“{label}”须填写证明材料，如：{EVIDENCE_EXAMPLES[status]}。")
    day = form.cleaned_data.get(date_field)
    if not day and date_field not in form.errors:
        form.add_error(date_field, f"“{label}”须填写认定日期。")
    elif day and day > timezone.localdate():
        form.add_error(date_field, "认定日期不能晚于今天。")


HARDSHIP_EVIDENCE_HINTS = {
    HardshipType.LOW_INCOME: "如：低保证",
    HardshipType.ORPHAN: "如：孤儿证或民政认定文书",
    HardshipType.DISABILITY: "如：残疾证",
    HardshipType.SERIOUS_ILLNESS: "如：医院诊断证明",
    HardshipType.POVERTY: "如：防返贫监测认定",
    HardshipType.GUARDIANSHIP_LACKING: "如：村（居）儿童主任报告",
}


class HardshipsForm(Form):
    """The 困境 categories of a child, each ticked with its evidence and the day it was confirmed. Three
    fields per kind (kind, kind_evidence, kind_on) so the page, the snapshot and the errors treat them as
    ordinary fields."""

    def __init__(self, *args, child=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {h.kind: h for h in child.hardships.all()} if child is not None else {}
        self.kept = [kind for kind in current if kind not in RECORDED_HARDSHIP_TYPES]  # e.g. an imported 事实无人抚养
        for kind in RECORDED_HARDSHIP_TYPES:
            self.fields[kind] = forms.BooleanField(label=kind.label, required=False)
            self.fields[f"{kind}_evidence"] = forms.CharField(
                label="证明材料",
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"placeholder": HARDSHIP_EVIDENCE_HINTS.get(kind, "如：民政认定文书")}),
            )
            self.fields[f"{kind}_on"] = forms.DateField(label="认定日期", required=False, widget=DateInput)
            record = current.get(kind)
            # Explicit initial values, so the remembered page (ArchiveForms.snapshot) equals an untouched post.
            self.initial.update({kind: False, f"{kind}_evidence": "", f"{kind}_on": None})
            if record is not None:
                self.initial.update(
                    {kind: True, f"{kind}_evidence": record.evidence, f"{kind}_on": record.evidenced_on}
                )

    def clean(self):
        cleaned = super().clean()
        for kind in RECORDED_HARDSHIP_TYPES:
            if not cleaned.get(kind):
                continue
            if not cleaned.get(f"{kind}_evidence"):
                self.add_error(f"{kind}_evidence", f"“{kind.label}”须填写证明材料。")
            day = cleaned.get(f"{kind}_on")
            if not day and f"{kind}_on" not in self.errors:
                self.add_error(f"{kind}_on", f"“{kind.label}”须填写认定日期。")
            elif day and day > timezone.localdate():
                self.add_error(f"{kind}_on", "认定日期不能晚于今天。")
        return cleaned

    def rows(self):
        """(kind checkbox, evidence, date) bound fields, one row per kind, for the template."""
        return [(self[kind], self[f"{kind}_evidence"], self[f"{kind}_on"]) for kind in RECORDED_HARDSHIP_TYPES]

    def kinds(self) -> list[str]:
        return [*self.kept, *(kind.value for kind in RECORDED_HARDSHIP_TYPES if self.cleaned_data.get(kind))]

    def evidence(self) -> dict[str, dict]:
        return {
            kind.value: {
                "evidence": self.cleaned_data[f"{kind}_evidence"],
                "evidenced_on": self.cleaned_data[f"{kind}_on"],
            }
            for kind in RECORDED_HARDSHIP_TYPES
            if self.cleaned_data.get(kind)
        }


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ParentForm(ModelForm):
    work_province = RegionChoiceField(label="务工省份", queryset=Region.objects.filter(level=1), required=False)
    work_city = RegionChoiceField(
        label="务工城市",
        queryset=Region.objects.none(),
        required=False,
        error_messages={"invalid_choice": "务工城市不属于所选省份，请重新选择。"},
    )
    work_county = RegionChoiceField(
        label="务工区县",
        queryset=Region.objects.none(),
        required=False,
        error_messages={"invalid_choice": "务工区县不属于所选城市，请重新选择。"},
    )

    class Meta:
        model = Parent
        fields = [
            "name", "phone", "away_status", "status_evidence", "status_confirmed_by", "status_evidenced_on",
            "work_province", "work_city", "work_county", "employer", "away_since", "home_visits_per_year",
            "has_guardianship_capacity", "birth_year", "education", "occupation", "income_band", "health",
            "political_status", "id_number",
        ]  # fmt: skip
        widgets = {"away_since": DateInput, "status_evidenced_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        province = self._chosen("work_province")
        city = self._chosen("work_city")
        # Cities of the chosen province; for municipalities the districts hang directly under the province.
        self.fields["work_city"].queryset = (
            Region.objects.filter(level=2, parent_id=province) if province else Region.objects.none()
        )
        parents = [code for code in (city, province) if code]
        self.fields["work_county"].queryset = (
            Region.objects.filter(level=3, parent_id__in=parents) if parents else Region.objects.none()
        )
        for name in ("work_province", "work_city"):
            self.fields[name].widget.attrs.update(
                {"data-region-target": self.add_prefix("work_city" if name == "work_province" else "work_county")}
            )

    def _chosen(self, name: str) -> str | None:
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        value = getattr(self.instance, f"{name}_id", None)
        return value

    def clean_name(self):
        return clean_name_field(self.cleaned_data.get("name", ""))

    def clean_phone(self):
        return clean_phone_field(self.cleaned_data.get("phone", ""))

    def clean_id_number(self):
        return clean_id_number_field(self.cleaned_data.get("id_number", ""))

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and not 1940 <= year <= timezone.localdate().year - 14:
            raise ValidationError("出生年份不合理，请填写四位年份，如 1988。")
        return year

    def clean_away_since(self):
        value = self.cleaned_data.get("away_since")
        if value and value > timezone.localdate():
            raise ValidationError("外出时间不能晚于今天。")
        return value

    def clean(self):
        cleaned = super().clean()
        province, city, county = (cleaned.get(k) for k in ("work_province", "work_city", "work_county"))
        if city and city.parent_id != getattr(province, "pk", None):
            self.add_error("work_city", "务工城市不属于所选省份。")
        if county and county.parent_id not in {getattr(province, "pk", None), getattr(city, "pk", None)}:
            self.add_error("work_county", "务工区县不属于所选城市。")
        check_status_evidence(
            self,
            status=cleaned.get("away_status"),
            evidence_field="status_evidence",
            date_field="status_evidenced_on",
        )
        return cleaned

    def has_content(self) -> bool:
        return bool(
            self.cleaned_data.get("name")
            or self.cleaned_data.get("phone")
            or self.cleaned_data.get("away_status") != "home"
            or self.instance.pk
        )

    def archive_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class GrandparentForm(ModelForm):
    class Meta:
        model = Grandparent
        fields = ["name", "birth_year", "is_alive", "lives_with_child"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False

    def clean_name(self):
        return clean_name_field(self.cleaned_data.get("name", ""))

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and not 1920 <= year <= timezone.localdate().year - 30:
            raise ValidationError("出生年份不合理，请填写四位年份，如 1958。")
        return year

    def has_content(self) -> bool:
        return bool(self.cleaned_data.get("name") or self.cleaned_data.get("birth_year") or self.instance.pk)

    def archive_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class GuardianForm(ModelForm):
    change_reason = forms.CharField(
        label="变更原因",
        required=False,
        max_length=200,
        help_text="更换为另一位监护人时必填，如：祖母年迈，改由姑姑监护",
    )

    class Meta:
        model = Guardian
        fields = [
            "name", "relation", "phone", "age", "address", "agreement_signed", "since", "education", "health",
            "occupation", "id_number",
        ]  # fmt: skip
        widgets = {"since": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.fields:
            self.fields[name].required = False
        self.fields["since"].help_text = "留空则为今天"

    def clean_name(self):
        return clean_name_field(self.cleaned_data.get("name", ""))

    def clean_phone(self):
        return clean_phone_field(self.cleaned_data.get("phone", ""))

    def clean_id_number(self):
        return clean_id_number_field(self.cleaned_data.get("id_number", ""))

    def clean_age(self):
        age = self.cleaned_data.get("age")
        if age is not None and not 16 <= age <= 100:
            raise ValidationError("监护人年龄应在16至100岁之间。")
        return age

    def clean(self):
        cleaned = super().clean()
        if any(cleaned.get(k) for k in ("phone", "address", "id_number")) and not cleaned.get("name"):
            self.add_error("name", "请填写委托监护人姓名。")
        if cleaned.get("name") and not cleaned.get("relation"):
            self.add_error("relation", "请选择监护人与儿童的关系。")
        since = cleaned.get("since")
        if since and since > timezone.localdate():
            self.add_error("since", "监护开始日期不能晚于今天。")
        return cleaned

    def has_content(self) -> bool:
        return bool(self.cleaned_data.get("name"))

    def archive_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "since"}
        data["age"] = self.cleaned_data.get("age")
        if self.cleaned_data.get("since"):
            data["since"] = self.cleaned_data["since"]
        return data


class AssessmentForm(ModelForm):
    income_sources = forms.MultipleChoiceField(
        label="家庭经济来源", choices=IncomeSource.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    assistance = forms.MultipleChoiceField(
        label="救助帮扶情况", choices=AssistanceKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FamilyAssessment
        fields = ["guardianship_level", "income_sources", "assistance", "assessed_on"]
        widgets = {"assessed_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardianship_level"].required = False

    def clean_assessed_on(self):
        value = self.cleaned_data.get("assessed_on")
        if value and value > timezone.localdate():
            raise ValidationError("评估日期不能晚于今天。")
        return value

    def has_content(self) -> bool:
        return bool(self.cleaned_data.get("guardianship_level"))

    def archive_fields(self) -> dict:
        return {
            "guardianship_level": self.cleaned_data["guardianship_level"],
            "income_sources": list(self.cleaned_data["income_sources"]),
            "assistance": list(self.cleaned_data["assistance"]),
            "assessed_on": self.cleaned_data.get("assessed_on") or timezone.localdate(),
        }


class ParentCameHomeForm(Form):
    """Record that a parent's situation changed on a given date (e.g. came home), so that the child's
    留守类型 changes from that date and past terms keep their figures."""

    role = forms.ChoiceField(label="哪一方", choices=Parent._meta.get_field("role").choices)
    away_status = forms.ChoiceField(label="现在的状态", choices=Parent._meta.get_field("away_status").choices)
    on = forms.DateField(label="变化日期", widget=DateInput)
    reason = forms.CharField(label="说明", max_length=200, required=False)
    status_evidence = forms.CharField(label="证明材料", max_length=100, required=False)
    status_confirmed_by = forms.CharField(label="认定单位或证明人", max_length=100, required=False)
    status_evidenced_on = forms.DateField(label="认定日期", widget=DateInput, required=False)

    def clean(self):
        cleaned = super().clean()
        check_status_evidence(
            self,
            status=cleaned.get("away_status"),
            evidence_field="status_evidence",
            date_field="status_evidenced_on",
        )
        return cleaned

    def parent_values(self) -> dict:
        """What the change writes on the parent's record: the status with its evidence."""
        names = ("away_status", "status_evidence", "status_confirmed_by", "status_evidenced_on")
        return {name: self.cleaned_data[name] for name in names}

    def clean_on(self):
        value = self.cleaned_data["on"]
        if value > timezone.localdate():
            raise ValidationError("变化日期不能晚于今天。")
        if value < date(2000, 1, 1):
            raise ValidationError("变化日期不合理。")
        return value


class ArchiveVersionForm(Form):
    """Hidden on the edit page: `version`, the archive's version the save is checked against, and `shown`,
    the version whose values the user started editing from (they differ after a refused save, when the
    page carries the colleague's version but the user's edits still start from what they first saw)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    shown = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="archive", **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = field.error_messages["invalid"] = "页面已过期，请重新打开编辑页面。"


class ContactCardsForm(Form):
    """Which cards to print: one class, one child, or every child the user may see."""

    school_class = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "班级参数不正确。", "min_value": "班级参数不正确。"},
    )
    child = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": "学生参数不正确。", "min_value": "学生参数不正确。"},
    )
