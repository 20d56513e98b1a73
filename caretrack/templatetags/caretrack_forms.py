"""The error summary a long form shows at its top (templates/includes/error_summary.html): every error of
the page's forms, each a link to its field, so that a wrong phone eight screens down is found at once."""

from dataclasses import dataclass

from django import template

register = template.Library()


@dataclass(frozen=True)
class ErrorEntry:
    message: str
    label: str = ""
    anchor: str = ""  # the id of the field's input, for href="#id_…"


def _forms(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _forms(item)
        elif item is not None:
            yield item


def _anchor(bound_field) -> str:
    # A group of radios or check boxes labels no single input: link its first one (id_…_0).
    return bound_field.id_for_label or (f"{bound_field.auto_id}_0" if bound_field.auto_id else "")


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms, messages=()):
    """{% error_summary form other_form messages=page_level_messages %}: forms (or lists of forms) whose
    errors to list, and messages that belong to no field (a stale page, a duplicate child)."""
    entries = [ErrorEntry(message) for message in messages]
    for form in _forms(forms):
        if not form.is_bound:
            continue
        entries.extend(ErrorEntry(message) for message in form.non_field_errors())
        for bound_field in form:
            entries.extend(
                ErrorEntry(message, str(bound_field.label or ""), _anchor(bound_field))
                for message in bound_field.errors
            )
    return {"entries": entries}
