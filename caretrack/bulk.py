"""Inserting many new rows, and their simple-history records, at the speed of the database.

An import of 5,000 children writes about 60,000 rows (the children, their parents, guardians, assessments,
留守 periods and a history record of each). Django's bulk_create spent about 80 % of that import preparing
values one field at a time through the SQL compiler (1.2 million calls of prepare_value/get_db_prep_save);
the database itself took a tenth of it. These two functions do the same inserts with each column's converter
chosen once: a plain value (text, number, boolean, a foreign key's id) goes to the driver as it is, and only
dates, datetimes and other types go through the backend's own adapter (connection.ops / the field). Primary
keys come back through INSERT … RETURNING (SQLite 3.35+, PostgreSQL), in the order of the rows, as
bulk_create sets them. Nothing here validates: callers check their rows first (clean_fields), as for
bulk_create. No signals are sent (bulk_create sends none either).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter

from django.db import connections, router
from django.db.models import Field, Model
from django.utils import timezone

# Field types whose Python value is what the database driver takes, on SQLite and PostgreSQL alike.
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "EmailField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _converter(field: Field, connection) -> Callable[[object], object]:
    internal = field.get_internal_type()
    if internal in _PLAIN:
        return _same
    if internal == "DateField":
        return connection.ops.adapt_datefield_value
    if internal == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def _same(value):
    return value


def _target(field: Field) -> Field:
    """A foreign key stores its target's value: convert as the target column."""
    return field.target_field if field.is_relation else field


def insert(model: type[Model], objs: Sequence[Model], *, batch_size: int = 500) -> None:
    """INSERT new instances of `model` (primary key unset) and set their primary keys. auto_now and
    auto_now_add fields are filled in as save() would."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key or getattr(objs[0], f.attname) is not None]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, add=True)
    _write(connection, opts.db_table, fields, objs, returning=opts.pk, batch_size=batch_size)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_history(
    model: type[Model],
    objs: Sequence[Model],
    *,
    user,
    reason: str,
    history_type: str = "+",
    when=None,
    batch_size: int = 500,
) -> None:
    """The simple-history record of each saved instance, as bulk_history_create writes it: the tracked
    fields, the date, the user, the change reason and the type (+ created, ~ changed)."""
    if not objs:
        return
    history = model.history.model
    connection = connections[router.db_for_write(history)]
    tracked = {f.attname for f in history.tracked_fields}
    fields = [f for f in history._meta.concrete_fields if f.attname in tracked]
    extra = {
        "history_date": when or timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
        "history_type": history_type,
    }
    extra_fields = [history._meta.get_field(name.removesuffix("_id")) for name in extra]
    rows = [_Row({**{f.attname: getattr(obj, f.attname) for f in fields}, **extra}) for obj in objs]
    _write(connection, history._meta.db_table, [*fields, *extra_fields], rows, returning=None, batch_size=batch_size)


class _Row:
    """A history row's values by attribute name, read like a model instance."""

    __slots__ = ("__dict__",)

    def __init__(self, values: dict):
        self.__dict__ = values


def _write(connection, table: str, fields: list[Field], objs: Sequence, *, returning: Field | None, batch_size: int):
    qn = connection.ops.quote_name
    converters = [_converter(_target(f), connection) for f in fields]
    values_of = (
        attrgetter(*[f.attname for f in fields]) if len(fields) > 1 else (lambda o: (getattr(o, fields[0].attname),))
    )
    adapted = [(i, convert) for i, convert in enumerate(converters) if convert is not _same]
    columns = ", ".join(qn(f.column) for f in fields)
    per_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = f" RETURNING {qn(returning.column)}" if returning is not None else ""
    size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objs)))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            chunk = objs[start : start + size]
            params = []
            for obj in chunk:
                row = list(values_of(obj))
                for i, convert in adapted:
                    row[i] = convert(row[i])
                params.extend(row)
            cursor.execute(
                f"INSERT INTO {qn(table)} ({columns}) VALUES " + ", ".join([per_row] * len(chunk)) + suffix, params
            )
            if returning is not None:
                for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(obj, returning.attname, pk)
