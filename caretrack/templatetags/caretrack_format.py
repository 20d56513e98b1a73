"""Formatting only: masking identifiers and percentages. No computing happens in templates."""

from django import template

from caretrack.validation import mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    return mask_id_number(value) or "—"


@register.filter(name="mask_phone")
def mask_phone_filter(value):
    return mask_phone(value) or "—"


@register.filter
def percent(value, digits=1):
    try:
        return f"{float(value):.{int(digits)}f}%"
    except (TypeError, ValueError):
        return "—"
