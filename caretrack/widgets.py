"""Widgets every app's forms use. Each is a class, never a shared instance: Django makes a new widget from a
class for each field, while one widget object put in several forms is the same object everywhere, so the
error classes the form renderer adds to it on one rejected form would show on every form opened after."""

from __future__ import annotations

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class DateInput(forms.DateInput):
    """The phone's date picker: <input type="date">, which sends and shows ISO dates (2026-03-02)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, format: str = "%Y-%m-%d"):
        super().__init__(attrs=attrs, format=format)


class TimeInput(forms.TimeInput):
    """The phone's time picker: <input type="time"> with hours and minutes (14:30)."""

    input_type = "time"

    def __init__(self, attrs: dict | None = None, format: str = "%H:%M"):
        super().__init__(attrs=attrs, format=format)


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files at once (the photos of an activity or a home visit)."""

    allow_multiple_selected = True


class LongSelect(forms.Select):
    """A <select> of hundreds of plain options (no groups), written in Python instead of through one template
    per option: Django's Select renders each option with its own template, which made the 工作总结's five case
    pickers of a school's left-behind children most of the page's time. The markup is Select's."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                raise ValueError("LongSelect takes plain options, not groups")
            key = "" if option_value is None else str(option_value)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>')
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe("".join(options)))
