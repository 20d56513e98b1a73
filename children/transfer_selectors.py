"""Reads for 转学: the transfer lists of a school, what a stub says about where the child went, and the
change history of a child's whole chain of records."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.db.models import Case, QuerySet, Value, When

from caretrack.models import School
from children.chronology import earlier_records
from children.models import Child, EnrolmentStatus, TransferRequest, TransferStatus
from children.selectors import HistoryLine, archive_history_of_records

HISTORY_LIMIT = 50


def _requests() -> QuerySet:
    return TransferRequest.objects.select_related(
        "child__school_class", "from_school", "to_school", "requested_by", "decided_by"
    ).order_by("-requested_at", "-pk")


def outgoing_transfers(school: School) -> QuerySet:
    """The school's requests to other schools, newest first (all statuses)."""
    return _requests().filter(from_school=school)


def incoming_transfers(school: School) -> QuerySet:
    """Requests to the school, the pending ones first."""
    pending_first = Case(When(status=TransferStatus.PENDING, then=Value(0)), default=Value(1))
    return _requests().filter(to_school=school).order_by(pending_first, "-requested_at", "-pk")


def pending_transfer_of(child: Child) -> TransferRequest | None:
    return _requests().filter(child=child, status=TransferStatus.PENDING).first()


@dataclass(frozen=True)
class LeavingNote:
    """What a 转出 record's page says: when and where the child went."""

    day: date  # the first day away (the day after left_on)
    destination: str


def leaving_note(child: Child) -> LeavingNote | None:
    """For a record that ended by 转学: the receiving school (this installation) or the destination the
    sending school typed (the record's last history row gives it); None for any other record."""
    if child.status != EnrolmentStatus.TRANSFERRED or child.left_on is None:
        return None
    day = child.left_on + timedelta(days=1)
    accepted = (
        TransferRequest.objects.filter(child=child, status=TransferStatus.ACCEPTED).select_related("to_school").first()
    )
    if accepted is not None:
        return LeavingNote(day, accepted.to_school.name)
    reason = (
        Child.history.filter(id=child.pk, history_change_reason__startswith="转学：转往")
        .order_by("-history_date")
        .values_list("history_change_reason", flat=True)
        .first()
    )
    return LeavingNote(day, reason.removeprefix("转学：转往") if reason else "系统外学校")


def chain_history(child: Child, limit: int = HISTORY_LIMIT) -> list[HistoryLine]:
    """The change history of the child's record and of the records at earlier schools, newest first; a line
    of an earlier record names its school. One query for the history (a transferred child adds one per
    earlier record, to find it)."""
    schools = {record.pk: record.school for record in earlier_records(child)}
    lines = archive_history_of_records([child.pk, *schools], limit=limit)
    return [
        replace(line, what=f"{line.what}（{schools[record]}）") if record in schools else line for record, line in lines
    ]
