"""The figures engine: each school's figures kept as one row (reports.models.FiguresSnapshot) and brought up
to date from the change log, so the county overview, the dashboard and the 工作总结 read a handful of rows
instead of scanning millions of logs.

The change log is the school's stored version (caretrack.figure_versions.renew_stored_version), renewed in
the transaction of every audited change. A row is read only when
  - its version is the school's current version (nothing audited changed since it was computed),
  - its day is the day asked for (due/overdue, this week, a child turning 16 move with the day), and
  - its schema is the code's (a figure added to the dataclasses never reads an older row without it);
otherwise that school alone is computed by the scanning code (reports.selectors.term_figures, which stays
the reference) and its row replaced. The rows live in the database, so an emptied cache still reads rows.

Why a row is never read stale: the version is read before computing, and a change renews it in its own
transaction. A computation that missed the change stored the version the change then replaced; one that
read the new version started after the change had committed.

Rows hold JSON, decoded by the dataclasses' type hints (dates, Decimals, tuples and int keys come back as
they went in), so a decoded SchoolFigures equals the computed one field by field.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import types
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.cache import cache

from caretrack.figure_versions import renew_stored_version, stored_versions
from caretrack.models import School
from reports.models import FiguresKind, FiguresSnapshot

# SchoolFigures.school is the School itself, and .version the version the figures were read under (a later
# read with the same version, such as the school's cached trend, may key on it): attached on reading, never
# stored.
_NOT_STORED = {"school", "version"}


def _encode(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in _NOT_STORED}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return [[_encode(k), _encode(v)] for k, v in value.items()]  # pairs: keys keep their type
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"figures cannot store a {type(value).__name__}")  # loud: a model object, a set …


def _identity(raw):
    return raw


@functools.cache
def _decoder(hint) -> Callable:
    """A function turning JSON back into a value of type `hint`, built once per type: the county overview
    decodes thousands of values, so the type hints are not walked again for each."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in args if a is not type(None)))
        return lambda raw: None if raw is None else inner(raw)
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(hint) if f.name not in _NOT_STORED}
        return lambda raw, **extra: hint(**{name: fields[name](value) for name, value in raw.items()}, **extra)
    if origin is list:
        item = _decoder(args[0]) if args else _identity
        return lambda raw: [item(value) for value in raw]
    if origin is tuple:
        items = [_decoder(a) for a in args]
        return lambda raw: tuple(decode(value) for decode, value in zip(items, raw, strict=True))
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda raw: {key(k): value(v) for k, v in raw}
    if hint is Decimal:
        return Decimal
    if hint is date:
        return date.fromisoformat
    if hint is float:
        return float
    return _identity  # int, str, bool, object (as JSON gave them)


def _shape(hint, seen: set) -> str:
    """A text naming every field and type under `hint`: the schema a stored row was written with."""
    if dataclasses.is_dataclass(hint):
        if hint in seen:
            return hint.__qualname__
        seen.add(hint)
        hints = typing.get_type_hints(hint)
        inner = ",".join(f"{f.name}:{_shape(hints[f.name], seen)}" for f in dataclasses.fields(hint))
        return f"{hint.__qualname__}({inner})"
    args = typing.get_args(hint)
    if args:
        return f"{typing.get_origin(hint)}[{','.join(_shape(a, seen) for a in args)}]"
    return getattr(hint, "__qualname__", repr(hint))


@functools.cache
def schema_of(figures_type: type) -> str:
    return hashlib.sha256(_shape(figures_type, set()).encode()).hexdigest()[:16]


def encode_figures(figures) -> dict:
    return _encode(figures)


def decode_figures(figures_type: type, raw: dict, school: School):
    return _decoder(figures_type)(raw, school=school)


Compute = Callable[[list[School]], dict]

# Decoding a hundred schools' JSON takes tens of milliseconds: the decoded figures of the schools asked for
# together are also kept in the shared cache as one entry, under their versions, day and schema, so a warm
# read is one query and one cache read (one entry: the database cache writes each key in a transaction of
# its own). Lost from the cache, they are read from the rows again. The timeout keeps the cache from filling.
CACHE_SECONDS = 24 * 3600


def _cache_key(kind: str, versions: dict[int, str], start: date, end: date, day: date, schema: str) -> str:
    schools = hashlib.sha256(repr(sorted(versions.items())).encode()).hexdigest()[:32]
    return f"{kind}-figures:{start}:{end}:{day}:{schema}:{schools}"


def stored_figures(
    schools: list[School], *, kind: FiguresKind, start: date, end: date, day: date, figures_type: type, compute: Compute
) -> dict:
    """Each school's figures for the window [start, end] judged on `day`, keyed by school id: read from the
    cache or the school's row when those are up to date, else computed by `compute(schools)` (the scanning
    code, for the schools whose rows are not) and stored. One query and a cache read when cached; one more
    for the rows; one more to store those computed."""
    by_pk = {school.pk: school for school in schools}
    versions = stored_versions(by_pk)  # before computing: see the module's docstring
    schema = schema_of(figures_type)
    key = _cache_key(kind, versions, start, end, day, schema)
    cached = cache.get(key)
    if cached is not None:
        return _with_versions(cached, versions)
    rows = FiguresSnapshot.objects.filter(school_id__in=list(by_pk), kind=kind, start=start, end=end).values_list(
        "school_id", "day", "version", "schema", "figures"
    )
    result = {
        pk: decode_figures(figures_type, raw, by_pk[pk])
        for pk, row_day, version, row_schema, raw in rows
        if row_day == day and version == versions[pk] and row_schema == schema
    }
    stale = [school for school in schools if school.pk not in result]
    if stale:
        computed = compute(stale)
        FiguresSnapshot.objects.bulk_create(
            [
                FiguresSnapshot(
                    school_id=pk,
                    kind=kind,
                    start=start,
                    end=end,
                    day=day,
                    version=versions[pk],
                    schema=schema,
                    figures=encode_figures(figures),
                )
                for pk, figures in computed.items()
            ],
            update_conflicts=True,
            unique_fields=["school", "kind", "start", "end"],
            update_fields=["day", "version", "schema", "figures", "computed_at"],
        )
        result.update(computed)
    cache.set(key, result, timeout=CACHE_SECONDS)
    return _with_versions(result, versions)


def _with_versions(result: dict, versions: dict[int, str]) -> dict:
    for pk, figures in result.items():
        figures.version = versions[pk]
    return result


def drifted_schools(
    schools: list[School], *, kind: FiguresKind, start: date, end: date, day: date, figures_type: type, compute: Compute
) -> list[int]:
    """The schools whose stored figures, though current by their version, differ from a scan now: what a
    write outside the audited services (a shell, a raw UPDATE) left behind. Their versions are renewed, so
    the next read scans them; the others are left as they are."""
    schools = list(schools)
    stored = stored_figures(
        schools, kind=kind, start=start, end=end, day=day, figures_type=figures_type, compute=compute
    )
    scanned = compute(schools)
    drifted = [pk for pk, figures in scanned.items() if stored.get(pk) != figures]
    forget_figures(schools=drifted)
    return drifted


def forget_figures(*, schools=None) -> None:
    """Renew the versions of these schools' figures (None: every school's), so that neither their rows nor
    the cache is read again: the next read scans them. In the caller's transaction, as a change would."""
    for school_id in [None] if schools is None else [getattr(s, "pk", s) for s in schools]:
        renew_stored_version(school_id)
