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

from caretrack.models import FiguresVersion, School

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


# --- The same versions kept in the database --------------------------------------------------------------
# The cache's versions are lost with the cache; figures stored in the database (reports.figures_store) are
# checked against these instead, renewed inside the change's own transaction: a reader that reads the version
# before it computes either sees the change's version and its data, or stores its figures under the version
# the change then replaces.


def renew_stored_version(school_id: int | None) -> None:
    """Inside the change's transaction: the school's (None: every school's) stored figures are out of date."""
    token = uuid.uuid4().hex
    if school_id is None:
        rows = [FiguresVersion(school_id=pk, token=token) for pk in School.objects.values_list("pk", flat=True)]
    else:
        rows = [FiguresVersion(school_id=school_id, token=token)]
    FiguresVersion.objects.bulk_create(rows, update_conflicts=True, unique_fields=["school"], update_fields=["token"])


def stored_versions(school_ids: Iterable[int]) -> dict[int, str]:
    """The stored version of each school's figures ("" for a school never changed since this was added)."""
    school_ids = list(school_ids)
    found = dict(FiguresVersion.objects.filter(school_id__in=school_ids).values_list("school_id", "token"))
    return {pk: found.get(pk, "") for pk in school_ids}
