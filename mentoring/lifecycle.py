"""What leaving means for pairings, registered in MentoringConfig.ready() with the core's staff-leaving
registry (caretrack.lifecycle) and the archive's children leaving/returning registry (children.lifecycle).
Each handler runs inside the caller's transaction and calls the one service that does the work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from mentoring import services


def mentor_left(*, user, on: date, acting_user) -> None:
    """A teacher left on `on`: their open pairings end that day with the reason 教师离职."""
    services.end_pairings_of_leaving_mentor(mentor=user, on=on, acting_user=acting_user)


def children_left(*, children: Sequence, on: date, reason, acting_user) -> None:
    """Children graduated or transferred on `on`: their open pairings end that day with that reason."""
    services.end_pairings_of_leaving_children(children=children, on=on, reason=reason, acting_user=acting_user)


def children_returned(*, children: Sequence, on: date, reason, acting_user) -> None:
    """The leaving on `on` is undone: the pairings it ended run again."""
    services.reopen_pairings_of_returning_children(children=children, on=on, reason=reason, acting_user=acting_user)
