"""成长档案: each app contributes the entries it owns (talks, visits, activities, aid …) to a child's
chronology through a source it registers at start-up (AppConfig.ready), so the archive never imports the
apps above it. The archive's own entries (留守 periods, guardians) are always first.

A source gives querysets shaped to one fixed set of columns (`shaped`) and turns the rows it gets back into
entries; the chronology reads every source's rows in one UNION ALL query, however long the child's history
and however many apps contribute."""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import DateField, Expression, F, IntegerField, QuerySet, TextField, Value
from django.db.models.functions import Cast

from children.permissions import children_visible_to, reading_earlier_records


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str  # a short key used by the filter, e.g. "talk", "visit", "archive"
    kind_label: str
    title: str
    text: str = ""
    url: str = ""
    flagged: bool = False
    # For an entry of the child's record at an earlier school (转学): that school's name.
    school: str = ""
    # A child-protection record (a sensitive concern, or a log that raised one): shown to those who may read
    # it, but never put in a document that leaves the school (the 转学档案); it is handed over in person.
    safeguarding: bool = False
    # Thumbnails shown with the entry on the app's pages, as (thumbnail URL, photo URL) pairs of views that
    # check access (a home visit's photos). Never printed: no document that leaves the app carries them.
    photos: tuple[tuple[str, str], ...] = ()


def archive_entries(child, user) -> list[Entry]:
    """The archive's own entries, from the periods and guardians children.selectors.child_detail prefetches."""
    entries = []
    for period in child.left_behind_periods.all():
        entries.append(
            Entry(period.start_date, "archive", "档案", f"纳入留守儿童：{period.get_kind_display()}", period.reason)
        )
        if period.end_date:
            title = f"留守状态结束：{period.end_reason}" if period.end_reason else "留守状态结束"
            entries.append(Entry(period.end_date, "archive", "档案", title))
    for guardian in child.guardians.all():
        entries.append(Entry(guardian.since, "archive", "档案", f"委托监护人：{guardian}"))
        if guardian.until:
            entries.append(
                Entry(
                    guardian.until, "archive", "档案", f"监护人变更：{guardian.name} 不再监护", guardian.change_reason
                )
            )
    return entries


# --- The row shape every source reads to ---------------------------------------------------------------

TEXT_COLUMNS = 8
_TEXTS = tuple(f"row_text{i}" for i in range(TEXT_COLUMNS))
# Prefixed so that no name clashes with a model's field; the order is the UNION's column order.
_COLUMNS = ("row_part", "row_pk", "row_record", "row_day", "row_ref", *_TEXTS)


@dataclass(frozen=True)
class Row:
    """One row of a source: `part` says which of the source's querysets it came from (e.g. "talk", "photo"),
    `record` is the child record it belongs to, `ref` an optional second key (e.g. a photo's visit), and
    `texts` the source's own columns, as text (or None), in the order the source gave them to `shaped`."""

    part: str
    pk: int
    record: int
    day: date | None
    ref: int | None
    texts: tuple[str | None, ...]


def _column(value, output_field) -> Expression:
    # PostgreSQL types each UNION column strictly: every column is cast, NULLs included.
    if value is None:
        return Cast(Value(None), output_field)
    return Cast(F(value) if isinstance(value, str) else value, output_field)


def shaped(
    queryset: QuerySet,
    *,
    part: str,
    day: str | Expression | None,
    texts: Sequence[str | Expression] = (),
    pk: str | Expression = "pk",
    record: str | Expression = "child_id",
    ref: str | Expression | None = None,
) -> QuerySet:
    """The queryset's rows in the chronology's column shape: field names (or expressions) for the row's day,
    keys and up to TEXT_COLUMNS texts, each read as text (a number as its decimal text, JSON as its text)."""
    if len(texts) > TEXT_COLUMNS:
        raise ValueError(f"a chronology row carries at most {TEXT_COLUMNS} texts, {part} gives {len(texts)}")
    columns = {
        "row_part": Cast(Value(part), TextField()),
        "row_pk": _column(pk, IntegerField()),
        "row_record": _column(record, IntegerField()),
        "row_day": _column(day, DateField()),
        "row_ref": _column(ref, IntegerField()),
    }
    padded = [*texts, *([None] * (TEXT_COLUMNS - len(texts)))]
    columns.update({name: _column(text, TextField()) for name, text in zip(_TEXTS, padded, strict=True)})
    return queryset.order_by().annotate(**columns).values(*_COLUMNS)


@dataclass(frozen=True)
class Source:
    """What an app contributes to the chronology: `rows(record_ids, user)` gives shaped querysets of the rows
    of those child records the user may read (the app's own visibility rules applied inside them), and
    `entries(rows)` turns the rows of one child record into entries (it is called once per record)."""

    key: str
    rows: Callable[[Sequence[int], object], Iterable[QuerySet]]
    entries: Callable[[list[Row]], list[Entry]]

    def entries_of(self, child, user) -> list[Entry]:
        """This source's entries of one child record alone, in one query (for a page or test of the app)."""
        return self.entries(_read([self], [child.pk], user)[self.key, child.pk])


_SOURCES: list[Source] = []


def register(source: Source) -> None:
    """Called by an upper app in its AppConfig.ready(); registering the same source twice is a no-op."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def _read(sources: Sequence[Source], record_ids: Sequence[int], user) -> dict[tuple[str, int], list[Row]]:
    """Every source's rows of the records in one query, grouped by (source key, record)."""
    parts = [
        queryset.annotate(row_source=Cast(Value(source.key), TextField()))
        for source in sources
        for queryset in source.rows(record_ids, user)
    ]
    grouped: dict[tuple[str, int], list[Row]] = defaultdict(list)
    if not parts:
        return grouped
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for values in union:
        row = Row(
            part=values["row_part"],
            pk=values["row_pk"],
            record=values["row_record"],
            day=values["row_day"],
            ref=values["row_ref"],
            texts=tuple(values[name] for name in _TEXTS),
        )
        grouped[values["row_source"], row.record].append(row)
    return grouped


def earlier_records(child) -> list:
    """The child's records at the schools before this one, latest first (transferred_from, and so on back)."""
    records, seen = [], {child.pk}
    record = child
    while record.transferred_from_id and record.transferred_from_id not in seen:
        record = type(child).objects.select_related("school", "school_class").get(pk=record.transferred_from_id)
        seen.add(record.pk)
        records.append(record)
    return records


def _transfer_entry(record, earlier) -> Entry:
    return Entry(record.joined_on, "archive", "档案", f"转入{record.school}", f"自{earlier.school}转入")


def chronology(child, user, kind: str | None = None) -> list[Entry]:
    """The entries of the child's whole chain of records: this one, then each earlier school's record,
    read with the rights the user has on this one (children.permissions.reading_earlier_records), so each
    source applies its own rules unchanged (a sensitive concern stays hidden from whom it is hidden today).
    Earlier records give no archive entries (their periods and guardians were copied into the next record)
    and no links or photos (their pages belong to the earlier school); each says which school it comes from.
    One query for every source's rows (a transferred child adds one per earlier record and a scope check)."""
    entries = archive_entries(child, user)
    earlier = earlier_records(child) if child.transferred_from_id else []
    if earlier and not children_visible_to(user).filter(pk=child.pk).exists():
        earlier = []
    with reading_earlier_records(record.pk for record in earlier):
        rows = _read(_SOURCES, [child.pk, *(record.pk for record in earlier)], user)
    for source in _SOURCES:
        entries.extend(source.entries(rows[source.key, child.pk]))
    for later, record in zip([child, *earlier], earlier, strict=False):
        if later.joined_on:
            entries.append(_transfer_entry(later, record))
        school = str(record.school)
        for source in _SOURCES:
            entries.extend(
                replace(e, url="", photos=(), school=school) for e in source.entries(rows[source.key, record.pk])
            )
    if kind:
        entries = [e for e in entries if e.kind == kind]
    return sorted(entries, key=lambda e: e.day, reverse=True)
