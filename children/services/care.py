"""事实无人抚养 computed from the parents, and the 困境 categories recorded with their evidence: the two ways,
besides 留守, that a child comes into our care. Both keep dated rows (UnsupportedPeriod, ChildHardship with
start and end), so an ended term's figures do not change when something is recorded today.

Not services of their own: they run inside the archive services' transaction, whose audit row covers them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from children.models import (
    CHILD_AGE_LIMIT,
    AwayStatus,
    Child,
    ChildHardship,
    Parent,
    ParentRole,
    UnsupportedPeriod,
    years_before,
)
from children.models import NOT_RAISING_STATUSES as _NOT_RAISING


def classify_unsupported(*, parents: Iterable[Parent], birth_date: date, on: date) -> bool:
    """Whether the child is 事实无人抚养 on `on` (民发〔2019〕62号): under 18, and both parents are imprisoned,
    missing, in compulsory isolation or otherwise detained, severely disabled, seriously ill, deprived of
    guardianship or deported, or one parent is dead and the other is in one of those states. Both parents
    dead is 孤儿, recorded as a 困境 category. A parent without a record counts as at home."""
    if birth_date <= years_before(on, CHILD_AGE_LIMIT):
        return False
    by_role = {p.role: p.away_status for p in parents}
    father = by_role.get(ParentRole.FATHER, AwayStatus.AT_HOME)
    mother = by_role.get(ParentRole.MOTHER, AwayStatus.AT_HOME)
    if father in _NOT_RAISING and mother in _NOT_RAISING:
        return True
    return AwayStatus.DECEASED in (father, mother) and (father in _NOT_RAISING or mother in _NOT_RAISING)


def unsupported_period_change(
    *, child: Child, unsupported: bool, on: date, reason: str = "", end_reason: str = ""
) -> None:
    """Keep the child's 事实无人抚养 periods in step with `unsupported` from `on`: the open period ends the day
    before (with `end_reason`), or a new one starts on `on`. A period begun and ended on one day is removed."""
    open_period = UnsupportedPeriod.objects.filter(child=child, end_date__isnull=True).first()
    if unsupported and open_period is None:
        UnsupportedPeriod.objects.create(child=child, start_date=on, reason=reason[:200])
    elif not unsupported and open_period is not None:
        end = on - timedelta(days=1)
        if open_period.start_date > end:
            open_period.delete()
        else:
            open_period.end_date, open_period.end_reason = end, end_reason[:200]
            open_period.save(update_fields=["end_date", "end_reason"])


def new_unsupported_periods(children: Iterable[tuple[Child, list[Parent]]], *, on: date, reason: str) -> None:
    """The first periods of new archives in bulk (the Excel import), by the same rule."""
    UnsupportedPeriod.objects.bulk_create(
        [
            UnsupportedPeriod(child=child, start_date=on, reason=reason[:200])
            for child, parents in children
            if classify_unsupported(parents=parents, birth_date=child.birth_date, on=on)
        ]
    )


def set_hardships(
    *, child: Child, kinds: Iterable[str], evidence: Mapping[str, Mapping], on: date, end_reason: str = ""
) -> None:
    """Make `kinds` the child's current 困境 categories from `on`: a new one starts on `on` with its evidence
    (evidence[kind]: evidence, evidenced_on), a dropped one ends the day before (one added and dropped on the
    same day never happened), a kept one takes the evidence given for it."""
    wanted = set(kinds)
    current = {h.kind: h for h in ChildHardship.objects.filter(child=child)}
    for kind, record in current.items():
        if kind not in wanted:
            end = on - timedelta(days=1)
            if record.start_date > end:
                record.delete()
            else:
                record.end_date, record.end_reason = end, end_reason[:200]
                record.save(update_fields=["end_date", "end_reason"])
        elif kind in evidence:
            values = {k: v for k, v in evidence[kind].items() if getattr(record, k) != v}
            if values:
                for name, value in values.items():
                    setattr(record, name, value)
                record.save(update_fields=list(values))
    ChildHardship.objects.bulk_create(
        [
            new_hardship(child=child, kind=kind, evidence=evidence.get(kind, {}), on=on)
            for kind in sorted(wanted)
            if kind not in current
        ]  # fmt: skip
    )


def new_hardship(*, child: Child, kind: str, evidence: Mapping, on: date) -> ChildHardship:
    return ChildHardship(
        child=child,
        kind=kind,
        evidence=evidence.get("evidence", ""),
        evidenced_on=evidence.get("evidenced_on"),
        start_date=on,
    )
