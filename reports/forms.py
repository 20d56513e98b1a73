"""The term report form: the four narrative sections (drafts from the figures prefilled), the cases and
the photos. Validation only; saving goes through reports.services.save_term_report."""

from __future__ import annotations

from django import forms
from django.urls import reverse

from caretrack.forms_base import Form
from caretrack.widgets import LongSelect
from reports import selectors
from reports.drafts import SECTIONS, draft_sections
from reports.models import TermReport
from reports.services import MAX_CASES, MAX_PHOTOS, ReportData, report_version


class SectionsForm(Form):
    situation = forms.CharField(label="一、基本情况", required=False, max_length=5000)
    practices = forms.CharField(label="二、主要做法", required=False, max_length=10000)
    results = forms.CharField(label="三、工作成效", required=False, max_length=5000)
    plans = forms.CharField(label="四、存在问题与下步打算", required=False, max_length=5000)
    show_full_names = forms.BooleanField(
        label="典型案例显示学生全名（默认只显示姓氏；教育局版始终只显示姓氏）", required=False
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show_full_names"].widget.attrs["class"] = "form-check-input"
        for key, _ in SECTIONS:
            self.fields[key].widget = forms.Textarea(attrs={"rows": 8, "class": "form-control"})
            self.fields[key].error_messages["max_length"] = "内容太长了（最多 %(limit_value)d 字）。"
            self.fields[key].help_text = "留空则使用系统根据数据生成的草稿。"


class CaseForm(Form):
    child = forms.TypedChoiceField(label="学生", coerce=int, required=False, empty_value=None, widget=LongSelect)
    story = forms.CharField(
        label="案例说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"max_length": "案例说明最多 %(limit_value)d 字。"},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [("", "——不选——")] + choices
        self.fields["child"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        if data.get("child") and not (data.get("story") or "").strip():
            self.add_error("story", "请写几句这名学生的变化。")
        if (data.get("story") or "").strip() and not data.get("child"):
            self.add_error("child", "请选择案例中的学生。")
        return data


class PhotoForm(Form):
    use = forms.BooleanField(
        label="选用", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    caption = forms.CharField(
        label="说明", required=False, max_length=100, widget=forms.TextInput(attrs={"class": "form-control"})
    )


def _photo_url(photo) -> str:
    """The photo served through the activities app's permission-checked view (media is not public)."""
    return reverse("activities:photo", args=[photo.pk])


class TermReportForms:
    """The sections form, MAX_CASES case forms and one form per candidate photo, validated together."""

    def __init__(self, data, *, report: TermReport, figures: selectors.SchoolFigures):
        self.report = report
        school, term = report.school, report.term
        drafts = draft_sections(figures, term, selectors.leading_group(school))
        initial = {key: getattr(report, key) or drafts[key] for key, _ in SECTIONS}
        initial.update(show_full_names=report.show_full_names, version=report_version(report))
        self.drafts = drafts
        self.sections = SectionsForm(data, initial=initial, prefix="r")
        children = (
            selectors.term_left_behind(schools=[school], start=term.start_date, end=term.end_date)
            .select_related("school_class")
            .order_by("school_class__grade", "school_class__number", "name")
        )
        self.children = {c.pk: c for c in children}
        choices = [(pk, f"{c.name}（{c.school_class}）") for pk, c in self.children.items()]
        saved = list(report.cases.all()) if report.pk else []
        self.cases = [
            CaseForm(
                data,
                choices=choices,
                prefix=f"case{i}",
                initial={"child": saved[i].child_id, "story": saved[i].story} if i < len(saved) else {},
            )
            for i in range(MAX_CASES)
        ]
        chosen = {str(p.get("id")): p.get("caption", "") for p in (report.photos or [])}
        self.photos = [
            (
                photo,
                _photo_url(photo),
                PhotoForm(
                    data,
                    prefix=f"photo{photo.pk}",
                    initial={"use": str(photo.pk) in chosen, "caption": chosen.get(str(photo.pk), "")},
                ),
            )
            for photo in selectors.candidate_photos(school=school, term=term)
        ]
        self.extra_errors: list[str] = []

    def is_valid(self) -> bool:
        valid = self.sections.is_valid()
        valid = all([f.is_valid() for f in self.cases]) and valid
        valid = all([f.is_valid() for _, _, f in self.photos]) and valid
        if valid:
            picked = [f.cleaned_data["child"] for f in self.cases if f.cleaned_data.get("child")]
            if len(picked) != len(set(picked)):
                self.extra_errors.append("同一名学生只能作为一个案例。")
            if sum(1 for _, _, f in self.photos if f.cleaned_data["use"]) > MAX_PHOTOS:
                self.extra_errors.append(f"照片最多选 {MAX_PHOTOS} 张。")
        return valid and not self.extra_errors

    def add_service_error(self, error) -> None:
        self.extra_errors.extend(error.messages)

    def report_data(self) -> ReportData:
        data = self.sections.cleaned_data
        return ReportData(
            # A section equal to its draft is stored blank, so it keeps following the figures.
            sections={k: "" if data[k].strip() == self.drafts[k].strip() else data[k] for k, _ in SECTIONS},
            show_full_names=data["show_full_names"],
            cases=[
                (self.children[f.cleaned_data["child"]], f.cleaned_data["story"].strip())
                for f in self.cases
                if f.cleaned_data.get("child")
            ],
            photos=[
                {"id": photo.pk, "caption": f.cleaned_data["caption"]}
                for photo, _, f in self.photos
                if f.cleaned_data["use"]
            ],
            version=data["version"] or "",
        )
