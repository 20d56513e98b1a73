"""The audit policy's test cases, one per service that takes acting_user (README, "Audit").

Each app's tests/<app>/test_audit.py defines CASES: a list of AuditCase. tests/test_audit_policy.py
collects every function with an `acting_user` parameter in the apps' service modules and fails when one
has no case, then runs each case and checks that the call wrote its AuditEvent, by the acting user, in
the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from caretrack.models import AuditAction


@dataclass(frozen=True)
class AuditCase:
    service: Callable  # the service function itself (not a name)
    # call(world) sets up what it needs with factories, calls the service with acting_user=<someone of
    # the world> and returns that user.
    call: Callable
    action: AuditAction

    @property
    def id(self) -> str:
        return f"{self.service.__module__}.{self.service.__name__}"
