"""What happens elsewhere when children leave a school's roll (毕业 at 升年级, 转出) or come back (an 升年级
undone on the same day). The archive changes the child's status and dates; the apps above register what
leaving means for the records they own (mentoring ends the pairings, with the reason) in their
AppConfig.ready(). Handlers run inside the archive's transaction: if one fails, nothing is saved."""

from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum


class LeavingReason(StrEnum):
    GRADUATED = "graduated"
    TRANSFERRED = "transferred"


# handler(*, children, on, reason, acting_user) -> None
LeavingHandler = Callable[..., None]
# handler(*, children, on, reason, acting_user) -> None: undo what the leaving handler did on `on`.
ReturningHandler = Callable[..., None]
_LEAVING: list[LeavingHandler] = []
_RETURNING: list[ReturningHandler] = []


def register_leaving(handler: LeavingHandler) -> None:
    if handler not in _LEAVING:
        _LEAVING.append(handler)


def register_returning(handler: ReturningHandler) -> None:
    if handler not in _RETURNING:
        _RETURNING.append(handler)


def children_left(*, children: Sequence, on: date, reason: LeavingReason, acting_user) -> None:
    for handler in _LEAVING:
        handler(children=children, on=on, reason=reason, acting_user=acting_user)


def children_returned(*, children: Sequence, on: date, reason: LeavingReason, acting_user) -> None:
    """The leaving of `children` on `on` for `reason` is undone (升年级 undone the same day)."""
    for handler in _RETURNING:
        handler(children=children, on=on, reason=reason, acting_user=acting_user)
