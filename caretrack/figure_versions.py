"""Versions of each school's cached figures, kept in the shared cache so that every app server agrees.

Cached figures (the county overview's, reports.selectors) are stored under keys that carry the school's
version. Every audited change (caretrack.audit.record, written in the same transaction as the change it
records) gives the school a new version once that transaction has committed, so the next read on any server
misses and computes again: a talk saved through one server shows in the figures read through another at once.

Why this is right across processes: a reader takes the version before it computes, and a writer changes
the version only after its commit. A reader that computed before a commit stored its figures under the old
version, which nobody reads any more; a reader that took the new version computes after the commit. A
version is a random token, not a counter, so a lost or evicted version key can never bring back old figures.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache

# Changes not tied to one school (a county deadline) renew every school's figures.
_ALL = "figures-version:all"


def _key(school_id: int) -> str:
    return f"figures-version:{school_id}"


def school_versions(school_ids: Iterable[int]) -> dict[int, str]:
    """The current version of each school's figures (one cache round trip when all are known)."""
    keys = {pk: _key(pk) for pk in school_ids}
    found = cache.get_many([*keys.values(), _ALL])
    missing = [key for key in [*keys.values(), _ALL] if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)  # add: a version another server just set wins
        found.update(cache.get_many(missing))
    return {pk: f"{found.get(_ALL, '')}.{found.get(key, '')}" for pk, key in keys.items()}


def figures_changed(school_id: int | None) -> None:
    """The school's data changed (None: data of no one school): its cached figures are not read again."""
    cache.set(_ALL if school_id is None else _key(school_id), uuid.uuid4().hex, timeout=None)
