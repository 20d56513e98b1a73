"""What happens elsewhere when a staff member leaves. The core deactivates the account (caretrack.staff
services); the apps above register what leaving means for the records they own (mentoring ends the
teacher's pairings with the reason 教师离职) in their AppConfig.ready()."""

from collections.abc import Callable
from datetime import date

# handler(*, user, on, acting_user) -> None, run inside the deactivation's transaction.
StaffLeavingHandler = Callable[..., None]
_STAFF_LEAVING: list[StaffLeavingHandler] = []


def register_staff_leaving(handler: StaffLeavingHandler) -> None:
    if handler not in _STAFF_LEAVING:
        _STAFF_LEAVING.append(handler)


def staff_left(*, user, on: date, acting_user) -> None:
    """Tell every registered app that `user` left the school on `on` (called by the core's service)."""
    for handler in _STAFF_LEAVING:
        handler(user=user, on=on, acting_user=acting_user)
