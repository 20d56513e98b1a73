"""成长档案: each app contributes the entries it owns (talks, visits, activities, aid …) to a child's
chronology through a provider it registers at start-up (AppConfig.ready), so the archive never imports
the apps above it. The archive's own entries (留守 periods, guardians) are always first."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

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


# A provider takes (child, user) and returns the entries of that child the user may read.
Provider = Callable[[object, object], list[Entry]]
_PROVIDERS: list[Provider] = [archive_entries]


def register(provider: Provider) -> None:
    """Called by an upper app in its AppConfig.ready(); registering the same provider twice is a no-op."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


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
    provider applies its own rules unchanged (a sensitive concern stays hidden from whom it is hidden today).
    Earlier records give no archive entries (their periods and guardians were copied into the next record)
    and no links or photos (their pages belong to the earlier school); each says which school it comes from."""
    entries: list[Entry] = []
    for provider in _PROVIDERS:
        entries.extend(provider(child, user))
    earlier = earlier_records(child) if child.transferred_from_id else []
    if earlier and children_visible_to(user).filter(pk=child.pk).exists():
        with reading_earlier_records(record.pk for record in earlier):
            for later, record in zip([child, *earlier], earlier, strict=False):
                if later.joined_on:
                    entries.append(_transfer_entry(later, record))
                for provider in _PROVIDERS:
                    if provider is archive_entries:
                        continue
                    school = str(record.school)
                    entries.extend(replace(e, url="", photos=(), school=school) for e in provider(record, user))
    if kind:
        entries = [e for e in entries if e.kind == kind]
    return sorted(entries, key=lambda e: e.day, reverse=True)
