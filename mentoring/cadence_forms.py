"""The 频次设置 form: for each log kind, how many times per week, month or term; and the limit of children
per mentor. Validation only; mentoring.services.save_cadence saves."""

from __future__ import annotations

from django import forms

from caretrack.forms_base import Form
from mentoring.models import MAX_TIMES, CadenceKind, CadencePer, CadenceRule

PER_CHOICES = [(per.value, f"每{per.label}") for per in CadencePer]


class CadenceForm(Form):
    """One row per log kind (<kind>_times, <kind>_per), then 每名帮扶教师结对上限."""

    max_children_per_mentor = forms.IntegerField(
        label="每名帮扶教师结对上限",
        min_value=1,
        max_value=10,
        error_messages={
            "required": "请填写结对上限。",
            "invalid": "结对上限请填写数字。",
            "min_value": "结对上限应为1到10人。",
            "max_value": "结对上限应为1到10人。",
        },
    )

    def __init__(self, *args, rules: dict[str, CadenceRule], max_children_per_mentor: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        limit = self.fields.pop("max_children_per_mentor")
        for kind in CadenceKind:
            rule = rules[kind]
            self.fields[f"{kind}_times"] = forms.IntegerField(
                label=f"{kind.label}次数",
                initial=rule.times,
                min_value=1,
                error_messages={
                    "required": f"请填写{kind.label}的次数。",
                    "invalid": f"{kind.label}次数请填写数字。",
                    "min_value": f"{kind.label}至少1次。",
                },
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "class": "form-control", "aria-label": f"{kind.label}次数"}
                ),
            )
            self.fields[f"{kind}_per"] = forms.ChoiceField(
                label=f"{kind.label}周期",
                choices=PER_CHOICES,
                initial=rule.per,
                error_messages={"required": "请选择周期。", "invalid_choice": "请选择每周、每月或每学期。"},
                widget=forms.Select(attrs={"class": "form-select", "aria-label": f"{kind.label}周期"}),
            )
            self.rows.append((kind.value, kind.label, self[f"{kind}_times"], self[f"{kind}_per"]))
        self.fields["max_children_per_mentor"] = limit
        limit.initial = max_children_per_mentor
        limit.widget.attrs.update({"inputmode": "numeric", "class": "form-control"})

    def clean(self):
        cleaned = super().clean()
        for kind in CadenceKind:
            times, per = cleaned.get(f"{kind}_times"), cleaned.get(f"{kind}_per")
            if times is None or per is None:
                continue
            top = MAX_TIMES[per]
            if times > top:
                self.add_error(
                    f"{kind}_times",
                    f"{kind.label}每{CadencePer(per).label}最多{top}次，请您填写1到{top}之间的数字。",
                )
        return cleaned

    def rules(self) -> dict[str, dict]:
        return {
            kind.value: {"times": self.cleaned_data[f"{kind}_times"], "per": self.cleaned_data[f"{kind}_per"]}
            for kind in CadenceKind
        }
