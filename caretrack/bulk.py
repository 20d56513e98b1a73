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
        return _memo(connection.ops.adapt_datefield_value)
    if internal == "DateTimeField":
        return _memo(connection.ops.adapt_datetimefield_value)
    return lambda value: field.get_db_prep_save(value, connection)


def _same(value):
    return value


def _memo(adapt: Callable[[object], object]) -> Callable[[object], object]:
    """`adapt` remembered per value: an import's rows share a handful of dates and timestamps."""
    seen: dict = {}

    def convert(value):
        try:
            return seen[value]
        except KeyError:
            if len(seen) > 4096:
                seen.clear()
            seen[value] = adapted = adapt(value)
            return adapted

    return convert


def _target(field: Field) -> Field:
    """A foreign key stores its target's value: convert as the target column."""
    return field.target_field if field.is_relation else field


def _rows(fields: list[Field], objs: Sequence, connection, extra: tuple = ()) -> list[tuple]:
    """Each object's values for `fields`, converted for the database, followed by `extra`."""
    converters = [_converter(_target(f), connection) for f in fields]
    names = [f.attname for f in fields]
    values_of = attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    adapted = [(i, convert) for i, convert in enumerate(converters) if convert is not _same]
    if not adapted:
        return [(*values_of(obj), *extra) for obj in objs]
    rows = []
    for obj in objs:
        row = list(values_of(obj))
        for i, convert in adapted:
            row[i] = convert(row[i])
        rows.append((*row, *extra))
    return rows


def insert(model: type[Model], objs: Sequence[Model], *, batch_size: int = 500) -> None:
    """INSERT new instances of `model` (primary key unset) and set their primary keys. auto_now and
    auto_now_add fields are filled in as save() would, with one timestamp for the whole batch."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key or getattr(objs[0], f.attname) is not None]
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    now = timezone.now()
    for obj in objs:
        for name in stamped:
            setattr(obj, name, now)
    keys = _write(connection, opts.db_table, fields, _rows(fields, objs, connection), returning=opts.pk,
                  batch_size=batch_size)  # fmt: skip
    for obj, pk in zip(objs, keys, strict=True):
        setattr(obj, opts.pk.attname, pk)
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
    meta = history._meta
    tracked = {f.attname for f in history.tracked_fields}
    fields = [f for f in meta.concrete_fields if f.attname in tracked]
    names = ("history_date", "history_user", "history_change_reason", "history_type")
    extra_fields = [meta.get_field(name) for name in names]
    extra = (
        connection.ops.adapt_datetimefield_value(when or timezone.now()),
        getattr(user, "pk", None),
        reason,
        history_type,
    )
    rows = _rows(fields, objs, connection, extra)
    _write(connection, meta.db_table, [*fields, *extra_fields], rows, returning=None, batch_size=batch_size)


def _write(connection, table: str, fields: list[Field], rows: list[tuple], *, returning: Field | None, batch_size: int):
    """INSERT the rows (already converted) in batches; with `returning`, the new keys in the rows' order."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    per_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    suffix = f" RETURNING {qn(returning.column)}" if returning is not None else ""
    size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, rows)))
    keys: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = [value for row in chunk for value in row]
            values = ", ".join([per_row] * len(chunk))
            cursor.execute(f"INSERT INTO {qn(table)} ({columns}) VALUES {values}{suffix}", params)
            if returning is not None:
                keys.extend(pk for (pk,) in cursor.fetchall())
    return keys
