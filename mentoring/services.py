"""Operations that change mentoring data. Each runs in one transaction and validates before saving:
a log and its concern are saved together or not at all, a bulk pairing saves every row or none."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from caretrack import audit
from caretrack.models import AuditAction, Gender, School
from children.models import ACTIVE_STATUSES, Child
from mentoring.case_services import ConcernData, raise_case
from mentoring.case_services import close_case as close_concern  # noqa: F401 (the name the log pages use)
from mentoring.models import (
    CadenceRule,
    Concern,
    ExternalMentor,
    LogBase,
    LogSubmission,
    Pairing,
    PairingEndReason,
    PairingRole,
)
from mentoring.photos import attach_visit_photos, check_visit_photo_count, remove_visit_photos

OLDEST_LOG_DAYS = 366  # a date more than a year back is almost always a typo (2025 for 2026)


def check_log_date(day: date, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError({"date": "日期不能晚于今天。"})
    if day < today - timedelta(days=OLDEST_LOG_DAYS):
        raise ValidationError({"date": "日期早于一年前，请检查是否填错了年份。"})


def _refuse_duplicate(model: type[LogBase], *, author, child: Child, day: date, text: str, exclude_pk=None) -> None:
    """A double tap submits the same form twice: same author, child, kind, day and text."""
    twins = model.objects.filter(author=author, child=child, date=day, text=text)
    if exclude_pk:
        twins = twins.exclude(pk=exclude_pk)
    if twins.exists():
        raise ValidationError("这条记录已经保存过了，请勿重复提交。", code="duplicate")


def _target(record) -> str:
    """What an audit row names: the record's kind and id (never a child's ID number or a phone)."""
    return f"{record._meta.verbose_name} #{record.pk}"


def _raise_concern(*, child: Child, data: ConcernData, user, day: date) -> Concern:
    return raise_case(child=child, data=data, day=day, acting_user=user)


@transaction.atomic
def create_log(
    *,
    model: type[LogBase],
    child: Child,
    data: dict,
    author,
    external_mentor: ExternalMentor | None = None,
    concern: ConcernData | None = None,
    today: date | None = None,
    client_key: uuid.UUID | None = None,
    photos: Sequence = (),
) -> LogBase:
    """Save a talk, visit or contact for a child, with its concern if one is raised. Refuses a date in
    the future and a duplicate of a log just saved (ValidationError, nothing saved). The author is the
    acting user (the coordinator, for a volunteer's log): the log and its concern are audited as theirs.
    A visit's `photos` are saved with it; one that is not a photo refuses the whole log (nothing saved).
    `client_key` is the key the phone made for this 保存: sent again by the same author (the offline
    outbox retrying), it returns the log saved the first time and saves nothing."""
    # Two taps arriving together on PostgreSQL: the second waits for the first here, then sees its row
    # in the duplicate check (SQLite's IMMEDIATE transactions already serialize writers).
    list(Child.objects.select_for_update().filter(pk=child.pk).values_list("pk", flat=True))
    if client_key is not None:
        earlier = LogSubmission.objects.filter(author=author, key=client_key).first()
        if earlier is not None:
            return earlier.log
    check_log_date(data["date"], today=today)
    if external_mentor is not None and external_mentor.school_id != child.school_id:
        raise ValidationError({"external_mentor": "该校外帮扶人不属于本校。"})
    _refuse_duplicate(model, author=author, child=child, day=data["date"], text=data.get("text", ""))
    log = model(child=child, author=author, external_mentor=external_mentor, **data)
    log.full_clean(exclude=["concern"])
    if concern is not None:
        log.concern = _raise_concern(child=child, data=concern, user=author, day=data["date"])
    log.save()
    saved_photos = attach_visit_photos(visit=log, uploads=photos, acting_user=author) if photos else []
    audit.record(
        user=author,
        action=AuditAction.CREATE,
        target=_target(log),
        school=child.school,
        model=log._meta.model_name,
        pk=log.pk,
        child=child.pk,
        external_mentor=log.external_mentor_id,
        **({"photos": [p.pk for p in saved_photos]} if saved_photos else {}),
    )
    if client_key is not None:
        LogSubmission.objects.create(author=author, key=client_key, log_kind=model.KIND, log_id=log.pk)
    return log


@transaction.atomic
def update_log(
    *,
    log: LogBase,
    data: dict,
    acting_user,
    concern: ConcernData | None = None,
    today: date | None = None,
    photos: Sequence = (),
    remove_photos: Sequence = (),
) -> LogBase:
    """Change a log's fields (only those that changed are written) and optionally raise a concern on it;
    on a visit, add and remove photos (at most MAX_PHOTOS_PER_VISIT kept). Audited when anything changed."""
    if "date" in data:
        check_log_date(data["date"], today=today)
    changed = [key for key, value in data.items() if getattr(log, key) != value]
    for key in changed:
        setattr(log, key, data[key])
    if changed:
        _refuse_duplicate(type(log), author=log.author, child=log.child, day=log.date, text=log.text, exclude_pk=log.pk)
    log.full_clean(exclude=["concern"])
    if concern is not None and log.concern_id is None:
        log.concern = _raise_concern(child=log.child, data=concern, user=acting_user, day=log.date)
        changed.append("concern")
    if photos or remove_photos:
        check_visit_photo_count(visit=log, adding=len(photos), removing=len(remove_photos))
    removed = remove_visit_photos(visit=log, photos=remove_photos) if remove_photos else []
    added = attach_visit_photos(visit=log, uploads=photos, acting_user=acting_user) if photos else []
    if changed:
        log.save(update_fields=[*changed, "updated_at"])
    if changed or added or removed:
        audit.record(
            user=acting_user,
            action=AuditAction.CHANGE,
            target=_target(log),
            school=log.child.school,
            model=log._meta.model_name,
            pk=log.pk,
            fields=[*changed, *(["photos"] if added or removed else [])],
            **({"photos_added": [p.pk for p in added]} if added else {}),
            **({"photos_removed": removed} if removed else {}),
        )
    return log


@transaction.atomic
def delete_log(*, log: LogBase, acting_user, reason: str = "") -> None:
    """Soft delete: the log leaves every list and figure but stays in the table, and the audit log
    records who deleted it and why."""
    log.is_deleted = True
    log.deleted_at = timezone.now()
    log.deleted_by = acting_user
    log.save(update_fields=["is_deleted", "deleted_at", "deleted_by", "updated_at"])
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=_target(log),
        school=log.child.school,
        model=log._meta.model_name,
        pk=log.pk,
        reason=reason[:200],
    )


# --- Pairings ---------------------------------------------------------------------------------------


def default_role(mentor) -> str:
    """爱心妈妈 / 爱心爸爸 from the mentor's gender; 代理家长 when unknown or external."""
    gender = getattr(getattr(mentor, "profile", None), "gender", "") if mentor else ""
    return {Gender.FEMALE: PairingRole.CARING_MOTHER, Gender.MALE: PairingRole.CARING_FATHER}.get(
        gender, PairingRole.PROXY_PARENT
    )


def _load(*, mentor=None, external_mentor=None, on: date) -> int:
    """The mentor's children for the school's cap: pairings carried on `on` of children still on the roll
    (a graduated or transferred child no longer takes a place)."""
    who = Q(mentor=mentor) if mentor is not None else Q(external_mentor=external_mentor)
    return Pairing.objects.carried_on(on).filter(who).count()


def _pair(
    *,
    child: Child,
    mentor,
    external_mentor: ExternalMentor | None,
    role: str,
    start_date: date,
    is_secondary: bool,
    over_limit_reason: str,
    acting_user,
    extra_load: int = 0,
) -> Pairing:
    if (mentor is None) == (external_mentor is None):
        raise ValidationError({"mentor": "请选择一名帮扶教师或一名校外帮扶人。"})
    school = child.school
    if child.status not in ACTIVE_STATUSES:
        raise ValidationError({"child": f"{child.name} 已{child.get_status_display()}，不在本校就读，不能结对。"})
    if mentor is not None and getattr(getattr(mentor, "profile", None), "school_id", None) != school.pk:
        raise ValidationError({"mentor": "帮扶教师必须是本校教师。"})
    if external_mentor is not None and external_mentor.school_id != school.pk:
        raise ValidationError({"external_mentor": "该校外帮扶人不属于本校。"})
    if Pairing.objects.filter(child=child, is_secondary=is_secondary, end_date__isnull=True).exists():
        slot = "第二帮扶人" if is_secondary else "帮扶教师"
        raise ValidationError(f"{child.name} 已有{slot}，请先结束原结对。")
    load = _load(mentor=mentor, external_mentor=external_mentor, on=start_date) + extra_load
    limit = school.max_children_per_mentor
    if load >= limit and not over_limit_reason.strip():
        name = mentor.get_full_name() if mentor else external_mentor.name
        raise ValidationError(
            {"over_limit_reason": f"{name} 已结对 {load} 名学生，达到本校上限（{limit} 名）。如确需超出，请填写理由。"}
        )
    pairing = Pairing(
        child=child,
        mentor=mentor,
        external_mentor=external_mentor,
        role=role or default_role(mentor),
        start_date=start_date,
        is_secondary=is_secondary,
        over_limit_reason=over_limit_reason.strip() if load >= limit else "",
    )
    pairing.full_clean(validate_unique=False)
    pairing.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(pairing),
        school=school,
        model="pairing",
        pk=pairing.pk,
        child=child.pk,
        mentor=pairing.mentor_id,
        external_mentor=pairing.external_mentor_id,
        role=pairing.role,
        start_date=start_date.isoformat(),
        is_secondary=is_secondary,
    )
    return pairing


@transaction.atomic
def pair_child(
    *,
    child: Child,
    mentor=None,
    external_mentor: ExternalMentor | None = None,
    role: str = "",
    start_date: date,
    is_secondary: bool = False,
    over_limit_reason: str = "",
    acting_user,
) -> Pairing:
    """结对: pair a child with a staff mentor or an external volunteer. The school's limit of children
    per mentor is enforced unless a reason is given (it is kept on the pairing). Audited as a creation."""
    return _pair(
        child=child,
        mentor=mentor,
        external_mentor=external_mentor,
        role=role,
        start_date=start_date,
        is_secondary=is_secondary,
        over_limit_reason=over_limit_reason,
        acting_user=acting_user,
    )


@transaction.atomic
def bulk_pair(*, school: School, assignments: list[tuple[Child, object]], start_date: date, acting_user) -> int:
    """Pair many children at once (the 待结对 page). Every row is checked; if any fails, nothing is
    saved and the error lists every failing child. Each pairing saved is audited as a creation."""
    errors = []
    added: dict[int, int] = {}
    for child, mentor in assignments:
        if child.school_id != school.pk:
            errors.append(f"{child.name}：不是本校学生")
            continue
        try:
            _pair(
                child=child,
                mentor=mentor,
                external_mentor=None,
                role="",
                start_date=start_date,
                is_secondary=False,
                over_limit_reason="",
                acting_user=acting_user,
                extra_load=0,
            )
        except ValidationError as error:
            errors.append(f"{child.name}：{'；'.join(error.messages)}")
        else:
            added[mentor.pk] = added.get(mentor.pk, 0) + 1
    if errors:
        raise ValidationError(errors)
    return sum(added.values())


def _end(*, pairing: Pairing, end_date: date, reason: str, note: str, acting_user, cause: str = "") -> Pairing:
    """End one open pairing and write its audit row (the caller holds the transaction and the lock)."""
    if pairing.end_date is not None:
        raise ValidationError("该结对已结束，请勿重复提交。", code="ended")
    if end_date < pairing.start_date:
        raise ValidationError({"end_date": "结束日期不能早于结对开始日期。"})
    pairing.end_date = end_date
    pairing.end_reason = reason
    pairing.end_note = note.strip()
    pairing.full_clean(validate_unique=False)
    fields = ["end_date", "end_reason", "end_note"]
    pairing.save(update_fields=fields)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_target(pairing),
        school=pairing.child.school,
        model="pairing",
        pk=pairing.pk,
        fields=fields,
        end_date=end_date.isoformat(),
        end_reason=reason,
        **({"cause": cause} if cause else {}),
    )
    return pairing


@transaction.atomic
def end_pairing(
    *, pairing: Pairing, end_date: date, reason: str = PairingEndReason.OTHER, note: str = "", acting_user
) -> Pairing:
    """End a running pairing on a day, for a reason (PairingEndReason) with an optional note; the child's
    slot is free again. Audited as a change naming the reason. A second submission of the same end is
    refused (ValidationError) and changes nothing."""
    if reason not in PairingEndReason.values:
        raise ValidationError({"reason": "请选择结束原因。"})
    locked = Pairing.objects.select_for_update(of=("self",)).select_related("child__school").get(pk=pairing.pk)
    _end(pairing=locked, end_date=end_date, reason=reason, note=note, acting_user=acting_user)
    for name in ("end_date", "end_reason", "end_note"):
        setattr(pairing, name, getattr(locked, name))
    return pairing


def _lock_open(pairings) -> list[Pairing]:
    return list(pairings.select_for_update(of=("self",)).select_related("child__school").order_by("pk"))


@transaction.atomic
def end_pairings_of_leaving_mentor(*, mentor, on: date, acting_user) -> int:
    """A teacher leaves the school on `on`: each of their open pairings ends on that day (on its first day,
    for one that had not started yet) with the reason 教师离职, one audit row per pairing. Their children
    then wait for a new mentor on 待结对. Returns how many pairings ended."""
    ended = _lock_open(Pairing.objects.filter(mentor=mentor, end_date__isnull=True))
    for pairing in ended:
        _end(
            pairing=pairing,
            end_date=max(on, pairing.start_date),
            reason=PairingEndReason.MENTOR_LEFT,
            note="",
            acting_user=acting_user,
            cause="staff_left",
        )
    return len(ended)


LEAVING_END_REASONS = {"graduated": PairingEndReason.GRADUATED, "transferred": PairingEndReason.TRANSFERRED}


def _leaving_end_reason(reason: str) -> str:
    try:
        return LEAVING_END_REASONS[str(reason)]
    except KeyError:
        raise ValidationError(f"未知的离校原因：{reason}") from None


@transaction.atomic
def end_pairings_of_leaving_children(*, children, on: date, reason: str, acting_user) -> int:
    """Children leave the roll on `on` (毕业 or 转出, children.lifecycle.LeavingReason): each of their open
    pairings ends on that day with the reason 学生毕业 / 学生转学, one audit row per pairing. Returns how
    many pairings ended."""
    end_reason = _leaving_end_reason(reason)
    ended = _lock_open(Pairing.objects.filter(child__in=[c.pk for c in children], end_date__isnull=True))
    for pairing in ended:
        _end(
            pairing=pairing,
            end_date=max(on, pairing.start_date),
            reason=end_reason,
            note="",
            acting_user=acting_user,
            cause=f"children_left:{end_reason}",
        )
    return len(ended)


@transaction.atomic
def reopen_pairings_of_returning_children(*, children, on: date, reason: str, acting_user) -> int:
    """The leaving of `children` on `on` is undone (升年级 undone the same day): exactly the pairings that
    leaving ended, on that day with its reason, run again (end date, reason and note cleared), one audit
    row per pairing. Refused (ValidationError, nothing changed) when a child has been given another mentor
    since. Returns how many pairings were reopened."""
    end_reason = _leaving_end_reason(reason)
    ids = [c.pk for c in children]
    reopened = _lock_open(Pairing.objects.filter(child__in=ids, end_date=on, end_reason=end_reason))
    taken = set(Pairing.objects.filter(child__in=ids, end_date__isnull=True).values_list("child_id", "is_secondary"))
    clashes = sorted({p.child.name for p in reopened if (p.child_id, p.is_secondary) in taken})
    if clashes:
        raise ValidationError(f"{'、'.join(clashes)} 已有新的帮扶教师，原结对不能恢复，请先结束新的结对。")
    fields = ["end_date", "end_reason", "end_note"]
    for pairing in reopened:
        pairing.end_date, pairing.end_reason, pairing.end_note = None, "", ""
        pairing.full_clean(validate_unique=False)
        pairing.save(update_fields=fields)
        audit.record(
            user=acting_user,
            action=AuditAction.CHANGE,
            target=_target(pairing),
            school=pairing.child.school,
            model="pairing",
            pk=pairing.pk,
            fields=fields,
            reopened=True,
            cause=f"children_returned:{end_reason}",
        )
    return len(reopened)


@transaction.atomic
def create_external_mentor(*, school: School, data: dict, acting_user) -> ExternalMentor:
    """Add a volunteer without an account (a 校外帮扶人) to the school; audited as a creation."""
    mentor = ExternalMentor(school=school, **data)
    mentor.full_clean()
    mentor.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(mentor),
        school=school,
        model="externalmentor",
        pk=mentor.pk,
    )
    return mentor


@transaction.atomic
def save_cadence(
    *, school: School, rules: dict[str, dict], max_children_per_mentor: int, acting_user
) -> dict[str, CadenceRule]:
    """The school's cadence rules ({"talk": {"times": 1, "per": "week"}, …}, one per log kind) and its
    limit of children per mentor, validated (1–7 a week, 1–10 a month, 1–6 a term) and saved together
    with one audit row (a change). Saving the same values again changes nothing but the audit trail."""
    existing = {r.kind: r for r in CadenceRule.objects.select_for_update().filter(school=school)}
    saved = {}
    for kind, values in rules.items():
        rule = existing.get(kind) or CadenceRule(school=school, kind=kind)
        rule.times, rule.per = values["times"], values["per"]
        rule.full_clean()
        rule.save()
        saved[kind] = rule
    if school.max_children_per_mentor != max_children_per_mentor:
        school.max_children_per_mentor = max_children_per_mentor
        school.full_clean()
        school.save(update_fields=["max_children_per_mentor"])
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"{CadenceRule._meta.verbose_name} {school}",
        school=school,
        model="cadencerule",
        max_children_per_mentor=max_children_per_mentor,
        rules={kind: f"{rule.times}/{rule.per}" for kind, rule in saved.items()},
    )
    return saved
