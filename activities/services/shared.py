"""What the activities services share: how an audit row names a record, what an edit changed, and
the class tables' rows."""

from __future__ import annotations

from dataclasses import dataclass

from caretrack import audit
from caretrack.models import AuditAction


def _target(record) -> str:
    """What an audit row names: the record's kind and id (never a child's ID number or a phone)."""
    return f"{record._meta.verbose_name} #{record.pk}"


def _changes(model, pk, data: dict) -> dict[str, str]:
    """The fields whose new value differs from the stored row, each with its stored value as text (for the
    audit row). The row is locked for the transaction; a bound ModelForm has already copied the new values
    onto the instance, so the instance itself cannot tell."""
    stored = model.objects.select_for_update().get(pk=pk)
    return {
        name: str(getattr(stored, name) if getattr(stored, name) is not None else "")[:100]
        for name, value in data.items()
        if getattr(stored, name) != value
    }


@dataclass(frozen=True)
class TableSaved:
    created: int
    updated: int
    skipped: int


def _is_blank(row: dict, fields: list[str]) -> bool:
    return all(row.get(name) in (None, "") for name in fields)


def _audit_table(acting_user, model, what: str, created: list, updated: list, **detail) -> None:
    """The audit rows of a class table: one for the records created, one for those changed."""
    for action, records in ((AuditAction.CREATE, created), (AuditAction.CHANGE, updated)):
        if records:
            audit.record(
                user=acting_user,
                action=action,
                target=f"{model._meta.verbose_name} {len(records)} 条（{what}）",
                school=records[0].child.school,
                records=[r.pk for r in records],
                children=[r.child_id for r in records],
                **detail,
            )


def _value(row: dict, name: str, instance):
    value = row.get(name)
    field = instance._meta.get_field(name)
    if value is None and not field.null:
        return ""
    return value
