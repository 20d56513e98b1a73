"""Writing the audit trail. Services call record() inside their own transaction, so an export or a
deletion and its audit row are saved together or not at all."""

from caretrack.models import AuditAction, AuditEvent


def record(*, user, action: AuditAction, target: str = "", school=None, **detail) -> AuditEvent:
    return AuditEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        target=target[:200],
        school=school,
        detail=detail,
    )
