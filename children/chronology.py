"""成长档案: each app contributes the entries it owns (talks, visits, activities, aid …) to a child's
chronology through a provider it registers at start-up (AppConfig.ready), so the archive never imports
the apps above it. The archive's own entries (留守 periods, guardians) are always first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str  # a short key used by the filter, e.g. "talk", "visit", "archive"
    kind_label: str
    title: str
    text: str = ""
    url: str = ""
    flagged: bool = False


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


def chronology(child, user, kind: str | None = None) -> list[Entry]:
    entries: list[Entry] = []
    for provider in _PROVIDERS:
        entries.extend(provider(child, user))
    if kind:
        entries = [e for e in entries if e.kind == kind]
    return sorted(entries, key=lambda e: e.day, reverse=True)
