"""Writing the audit trail. Services call record() inside their own transaction, so an export or a
deletion and its audit row are saved together or not at all."""

from django.db import transaction

from caretrack.figure_versions import figures_changed, renew_stored_version
from caretrack.models import AuditAction, AuditEvent

# What only reads (a full archive viewed, an export) leaves every figure as it was.
_READS = {AuditAction.VIEW_CHILD, AuditAction.EXPORT}


def record(*, user, action: AuditAction, target: str = "", school=None, **detail) -> AuditEvent:
    event = AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        target=target[:200],
        school=school,
        detail=detail,
    )
    if action not in _READS:
        # Every change is audited, so this is where cached figures learn of it: on every server, and only
        # once the change is committed (caretrack.figure_versions says why that order matters). robust: the
        # change is saved by then, so a cache that is down is logged, never answered with an error page
        # (the figures then lag by at most the cache's timeout).
        school_id = event.school_id
        renew_stored_version(school_id)  # the database's version: in this transaction, so never lost
        transaction.on_commit(lambda: figures_changed(school_id), robust=True)
    return event
