"""Widgets every app's forms use. Each is a class, never a shared instance: Django makes a new widget from a
class for each field, while one widget object put in several forms is the same object everywhere, so the
error classes the form renderer adds to it on one rejected form would show on every form opened after."""

from __future__ import annotations

from django import forms


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
