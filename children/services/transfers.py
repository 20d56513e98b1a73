"""转学: a child moves to another school of this installation (the sending school asks, the receiving
school accepts or declines), or to a school elsewhere (转往系统外学校).

Accepting ends the child's record at the sending school (转出, left_on the day before the transfer date, so
that the child is on exactly one roll on any day; from then on a read-only stub) and starts a new record at
the receiving school with copies of the whole archive: hardships, parents, grandparents, every guardian and
every 留守 period with their dates and reasons, and the family assessment. The new record points back to the
old one (transferred_from), which is how the chronology and the change history follow the child. Each
school's figures read Child.objects.on_roll_between, so the sending school keeps the child for the days the
child was there and the receiving school counts the child from joined_on."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from caretrack import audit
from caretrack.models import AuditAction, School, SchoolClass
from children.lifecycle import LeavingReason, children_left
from children.models import (
    ACTIVE_STATUSES,
    Child,
    ChildHardship,
    EnrolmentStatus,
    FamilyAssessment,
    Grandparent,
    Guardian,
    LeftBehindPeriod,
    Parent,
    TransferRequest,
    TransferStatus,
)
from children.permissions import can_decide_transfer, can_transfer_child, can_withdraw_transfer
from children.services import name_initials, reclassify_child

TRANSFER_IN_REASON = "转学转入"
# How far from today a transfer date may lie: a request is made around the day the child moves.
TRANSFER_DATE_WINDOW = timedelta(days=90)

# The child's own fields that the receiving school's record starts with; the record's place on a roll
# (school, class, status, dates, link) and its bookkeeping (version, creator, timestamps) are its own.
_OWN_FIELDS = {
    "id",
    "school",
    "school_class",
    "status",
    "joined_on",
    "left_on",
    "transferred_from",
    "version",
    "created_at",
    "updated_at",
    "created_by",
    "name_initials",
}


def _user(acting_user):
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _check_transfer_date(child: Child, day: date) -> None:
    today = timezone.localdate()
    if abs(day - today) > TRANSFER_DATE_WINDOW:
        raise ValidationError({"transfer_on": "转学日期应在今天前后 90 天以内。"})
    if child.joined_on and day <= child.joined_on:
        raise ValidationError({"transfer_on": f"转学日期应晚于该生到本校的日期（{child.joined_on:%Y-%m-%d}）。"})


def _lock_active(child: Child) -> Child:
    """The child's row as stored now, locked; ValidationError unless the child is still on the roll."""
    locked = Child.objects.select_for_update().select_related("school", "school_class").get(pk=child.pk)
    if locked.status not in ACTIVE_STATUSES:
        raise ValidationError(f"{locked.name} 已不在本校在读（{locked.get_status_display()}），不能办理转学。")
    return locked


def _pending_request_of(child: Child) -> TransferRequest | None:
    return (
        TransferRequest.objects.filter(child=child, status=TransferStatus.PENDING).select_related("to_school").first()
    )


@transaction.atomic
def request_transfer(
    *, child: Child, to_school: School, transfer_on: date, note: str = "", acting_user
) -> TransferRequest:
    """Ask another school of this installation to take the child from `transfer_on` (the first day at the
    new school). The principal or coordinator of the child's school; one pending request per child.
    Nothing changes on the child's record until the receiving school accepts."""
    if not can_transfer_child(acting_user, child):
        raise PermissionDenied("只有本校校长或关爱工作负责人可以办理转学。")
    child = _lock_active(child)
    if to_school.pk == child.school_id:
        raise ValidationError({"to_school": "请选择另一所学校：该生已在本校。"})
    pending = _pending_request_of(child)
    if pending is not None:
        raise ValidationError(
            f"{child.name} 已有一份转往 {pending.to_school} 的转学申请在等待接收，请等待处理或先撤回该申请。"
        )
    _check_transfer_date(child, transfer_on)
    transfer = TransferRequest(
        child=child,
        from_school=child.school,
        to_school=to_school,
        transfer_on=transfer_on,
        note=note.strip(),
        requested_by=acting_user,
    )
    transfer.full_clean(validate_constraints=False)
    transfer.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"转学申请 {child.name} → {to_school}",
        school=child.school,
        child=child.pk,
        transfer=transfer.pk,
        to_school=to_school.pk,
        transfer_on=transfer_on.isoformat(),
    )
    return transfer


def _lock_pending(request: TransferRequest) -> TransferRequest:
    locked = (
        TransferRequest.objects.select_for_update()
        .select_related("child", "from_school", "to_school")
        .get(pk=request.pk)
    )
    if locked.status != TransferStatus.PENDING:
        raise ValidationError(f"该转学申请已{locked.get_status_display()}，不能再处理。")
    return locked


def _decide(request: TransferRequest, *, status: TransferStatus, acting_user, fields: list[str]) -> None:
    request.status = status
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.full_clean(validate_constraints=False)
    request.save(update_fields=["status", "decided_by", "decided_at", *fields])


@transaction.atomic
def cancel_transfer(*, request: TransferRequest, acting_user) -> None:
    """The sending school withdraws its request while it is pending (撤回)."""
    if not can_withdraw_transfer(acting_user, request):
        raise PermissionDenied("只有转出学校的校长或关爱工作负责人可以撤回转学申请。")
    request = _lock_pending(request)
    _decide(request, status=TransferStatus.CANCELLED, acting_user=acting_user, fields=[])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"撤回转学申请 {request.child.name} → {request.to_school}",
        school=request.from_school,
        child=request.child_id,
        transfer=request.pk,
        status=request.status,
    )


@transaction.atomic
def decline_transfer(*, request: TransferRequest, reason: str, acting_user) -> None:
    """The receiving school declines, with the reason the sending school will read; the child stays."""
    if not can_decide_transfer(acting_user, request):
        raise PermissionDenied("只有转入学校的校长或关爱工作负责人可以处理转学申请。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写拒绝原因，转出学校会看到它。"})
    request = _lock_pending(request)
    request.decline_reason = reason[:200]
    _decide(request, status=TransferStatus.DECLINED, acting_user=acting_user, fields=["decline_reason"])
    for school in (request.to_school, request.from_school):
        audit.record(
            user=acting_user,
            action=AuditAction.CHANGE,
            target=f"拒绝转学申请 {request.child.name}（{request.from_school} → {request.to_school}）",
            school=school,
            child=request.child_id,
            transfer=request.pk,
            status=request.status,
            reason=request.decline_reason,
        )


def _duplicate_at(school: School, child: Child) -> None:
    """Refuse when the receiving school (or, for the ID number, any school) already has the child on its roll."""
    others = Child.objects.enrolled().exclude(pk=child.pk).select_related("school_class")
    if child.id_number:
        same_id = others.filter(id_number=child.id_number).first()
        if same_id is not None and same_id.school_id == school.pk:
            raise ValidationError(
                f"本校已有身份证号相同的在读学生：{same_id.name}（{same_id.school_class}），不能重复接收。"
            )
        if same_id is not None:
            raise ValidationError("该身份证号已在系统内另一所学校在读，不能接收。请联系转出学校核实。")
    same_name = others.filter(school=school, name=child.name, birth_date=child.birth_date).first()
    if same_name is not None:
        raise ValidationError(
            f"本校已有同名且出生日期相同的在读学生：{same_name.name}（{same_name.school_class}），不能重复接收。"
        )


def _leave(child: Child, *, left_on: date, reason: str, acting_user) -> None:
    """End the record on `left_on`: 转出, from then on a read-only stub (its history row says why)."""
    child.status = EnrolmentStatus.TRANSFERRED
    child.left_on = left_on
    child.version += 1  # the row is locked (_lock_active): an edit page opened before is refused
    child._change_reason = reason[:100]
    child._history_user = _user(acting_user)  # the history row names who did it, whatever the request
    child.full_clean(exclude=["school", "created_by"], validate_unique=False, validate_constraints=False)
    child.save(update_fields=["status", "left_on", "version", "updated_at"])


def _copy(row, model, **values):
    """An unsaved copy of an archive row for the new record (every field but the key and the child)."""
    fields = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    fields.pop("child_id", None)
    return model(**fields, **values)


def _new_record(old: Child, *, school_class: SchoolClass, joined_on: date, acting_user) -> Child:
    values = {f.attname: getattr(old, f.attname) for f in Child._meta.concrete_fields if f.name not in _OWN_FIELDS}
    new = Child(
        **values,
        school=school_class.school,
        school_class=school_class,
        status=EnrolmentStatus.ENROLLED,
        joined_on=joined_on,
        transferred_from=old,
        created_by=_user(acting_user),
        name_initials=name_initials(old.name),
    )
    new.full_clean(
        exclude=["school", "created_by", "transferred_from"], validate_unique=False, validate_constraints=False
    )
    history = {"default_user": _user(acting_user), "default_change_reason": TRANSFER_IN_REASON}
    (new,) = bulk_create_with_history([new], Child, **history)
    bulk_create_with_history([_copy(p, Parent, child=new) for p in old.parents.all()], Parent, **history)
    bulk_create_with_history([_copy(g, Grandparent, child=new) for g in old.grandparents.all()], Grandparent, **history)
    bulk_create_with_history([_copy(g, Guardian, child=new) for g in old.guardians.all()], Guardian, **history)
    assessment = FamilyAssessment.objects.filter(child=old).first()
    if assessment is not None:
        bulk_create_with_history([_copy(assessment, FamilyAssessment, child=new)], FamilyAssessment, **history)
    ChildHardship.objects.bulk_create([_copy(h, ChildHardship, child=new) for h in old.hardships.all()])
    LeftBehindPeriod.objects.bulk_create([_copy(p, LeftBehindPeriod, child=new) for p in old.left_behind_periods.all()])
    return new


@transaction.atomic
def accept_transfer(*, request: TransferRequest, school_class: SchoolClass, acting_user) -> Child:
    """The receiving school takes the child into `school_class` (one of its classes still taught), in one
    transaction: the old record becomes 转出 on the day before the transfer date (its pairings end through
    children.lifecycle), and a new record with the whole archive starts on the transfer date. Refused
    (nothing changed) when the receiving school already has the child on its roll. Returns the new record."""
    if not can_decide_transfer(acting_user, request):
        raise PermissionDenied("只有转入学校的校长或关爱工作负责人可以接收转学学生。")
    request = _lock_pending(request)
    school = request.to_school
    if not SchoolClass.objects.active().filter(pk=school_class.pk, school=school).exists():
        raise ValidationError({"school_class": "请选择本校正在开设的班级。"})
    if request.transfer_on > timezone.localdate():
        raise ValidationError(f"转学日期 {request.transfer_on:%Y-%m-%d} 还没到，请在当天或之后接收。")
    old = _lock_active(request.child)
    _duplicate_at(school, old)
    left_on = request.transfer_on - timedelta(days=1)
    _leave(old, left_on=left_on, reason=f"转学：转入{school.name}", acting_user=acting_user)
    children_left(children=[old], on=left_on, reason=LeavingReason.TRANSFERRED, acting_user=acting_user)
    new = _new_record(old, school_class=school_class, joined_on=request.transfer_on, acting_user=acting_user)
    # The receiving school's own rule (一方外出 counted or not) applies from the first day there.
    reclassify_child(child=new, on=request.transfer_on, reason=TRANSFER_IN_REASON)
    request.new_record = new
    _decide(request, status=TransferStatus.ACCEPTED, acting_user=acting_user, fields=["new_record"])
    target = f"{old.name}（{request.from_school} → {school}）"
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"转出 {target}",
        school=request.from_school,
        child=old.pk,
        transfer=request.pk,
        status=old.status,
        left_on=left_on.isoformat(),
    )
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"转入 {target}",
        school=school,
        child=new.pk,
        transfer=request.pk,
        transferred_from=old.pk,
        joined_on=request.transfer_on.isoformat(),
    )
    return new


@transaction.atomic
def transfer_out_elsewhere(*, child: Child, on: date, destination: str, acting_user) -> None:
    """The child leaves for a school outside this installation: the record becomes 转出 with `on` as its
    last day on the roll, the pairings end, and the audit row names the destination."""
    if not can_transfer_child(acting_user, child):
        raise PermissionDenied("只有本校校长或关爱工作负责人可以办理转学。")
    destination = (destination or "").strip()
    if not destination:
        raise ValidationError({"destination": "请填写转入学校的名称。"})
    child = _lock_active(child)
    pending = _pending_request_of(child)
    if pending is not None:
        raise ValidationError(f"{child.name} 有一份转往 {pending.to_school} 的转学申请在等待接收，请先撤回该申请。")
    if abs(on - timezone.localdate()) > TRANSFER_DATE_WINDOW:
        raise ValidationError({"on": "离校日期应在今天前后 90 天以内。"})
    if child.joined_on and on < child.joined_on:
        raise ValidationError({"on": f"离校日期不能早于该生到本校的日期（{child.joined_on:%Y-%m-%d}）。"})
    _leave(child, left_on=on, reason=f"转学：转往{destination}"[:100], acting_user=acting_user)
    children_left(children=[child], on=on, reason=LeavingReason.TRANSFERRED, acting_user=acting_user)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"转出 {child.name} → {destination}（系统外）",
        school=child.school,
        child=child.pk,
        status=child.status,
        left_on=on.isoformat(),
        destination=destination[:200],
    )
