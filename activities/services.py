"""Operations that record activities, care-room openings, aid, health checks and exam results.
Each runs in one transaction: a record and its participants, photos or rows are saved together or not at all,
and so is its audit row (caretrack.audit), which names the record's kind and id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from activities.models import (
    Activity,
    ActivityParticipant,
    ActivityPhoto,
    Aid,
    CareRoomOpening,
    Exam,
    ExamResult,
    HealthCheck,
)
from activities.photos import shrink_photo
from activities.selectors import HEALTH_ROW_FIELDS, RESULT_ROW_FIELDS, still_enrolled
from caretrack import audit
from caretrack.models import AuditAction, School, SchoolClass
from children.models import Child, LeftBehindType

MAX_PHOTOS_PER_ACTIVITY = 12


def _target(record) -> str:
    """What an audit row names: the record's kind and id (never a child's ID number or a phone)."""
    return f"{record._meta.verbose_name} #{record.pk}"


def _aid_target(aid: Aid) -> str:
    # Aid rows have always named the child as well, so a treasurer can find a mistyped amount.
    return f"{_target(aid)} {aid.child.name} {aid.date:%Y-%m-%d} {aid.amount}元"


def _changes(model, pk, data: dict) -> dict[str, str]:
    """The fields whose new value differs from the stored row, each with its stored value as text (for the
    audit row). The row is locked for the transaction; a bound ModelForm has already copied the new values
    onto the instance, so the instance itself cannot tell."""
    stored = model.objects.select_for_update().get(pk=pk)
    return {
        name: str(getattr(stored, name) if getattr(stored, name) is not None else "")[:100]
        for name, value in data.items()
        if getattr(stored, name) != value
    }


# --- Participants ---------------------------------------------------------------------------------


def pick_participants(
    *,
    candidates: QuerySet,
    grades: Iterable[int] = (),
    classes: Iterable[SchoolClass] = (),
    children: Iterable[Child] = (),
    left_behind_only: bool = True,
) -> list[Child]:
    """The children picked on the activity form: whole grades and whole classes (only their left-behind
    children when left_behind_only), plus children picked one by one. `candidates` bounds the choice
    (the school's children, or a class teacher's class), so a tampered POST cannot reach further."""
    grades, classes, children = list(grades), list(classes), list(children)
    group = Q(school_class__grade__in=[int(g) for g in grades]) | Q(school_class__in=classes)
    if left_behind_only:
        group &= ~Q(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
    chosen = Q(pk__in=[c.pk for c in children])
    if grades or classes:
        chosen |= group
    return list(
        still_enrolled(candidates.filter(chosen))
        .order_by("school_class__grade", "school_class__number", "pk")
        .distinct()
    )


# --- Activities -----------------------------------------------------------------------------------


def _refuse_duplicate_activity(activity: Activity) -> None:
    twin = Activity.objects.filter(
        school=activity.school,
        date=activity.date,
        title=activity.title,
        kind=activity.kind,
        school_class=activity.school_class,
    ).exclude(pk=activity.pk)
    if twin.exists():
        raise ValidationError(
            f"{activity.date:%Y-%m-%d} 已登记过同名活动“{activity.title}”，请勿重复提交。", code="duplicate"
        )


def _save_photos(activity: Activity, uploads: list, captions: list[str], acting_user) -> list[ActivityPhoto]:
    if activity.photos.count() + len(uploads) > MAX_PHOTOS_PER_ACTIVITY:
        raise ValidationError(f"每个活动最多保存{MAX_PHOTOS_PER_ACTIVITY}张照片。", code="too_many_photos")
    shrunk = [shrink_photo(upload) for upload in uploads]  # validate all before saving any
    photos = []
    for index, small in enumerate(shrunk):
        photo = ActivityPhoto(
            activity=activity,
            caption=(captions[index] if index < len(captions) else "")[:100],
            uploaded_by=acting_user,
        )
        stem = f"{activity.date:%Y%m%d}_{activity.pk}_{index + 1}.jpg"
        photo.image.save(stem, small.content, save=False)
        photo.width, photo.height = small.width, small.height
        photo.save()
        photos.append(photo)
    return photos


def _set_participants(activity: Activity, participants: list[Child]) -> None:
    wanted = {c.pk for c in participants}
    current = set(activity.participations.values_list("child_id", flat=True))
    activity.participations.filter(child_id__in=current - wanted).delete()
    ActivityParticipant.objects.bulk_create(
        [ActivityParticipant(activity=activity, child_id=pk) for pk in sorted(wanted - current)], batch_size=500
    )


@transaction.atomic
def record_activity(
    *,
    school: School,
    data: dict,
    participants: list[Child],
    acting_user,
    photos: list | None = None,
    captions: list[str] | None = None,
) -> Activity:
    """Create an activity with its participants and photos, audited. Raises ValidationError (nothing saved)
    for invalid data, a photo that is not a JPEG/PNG, or the same activity submitted twice."""
    activity = Activity(school=school, created_by=acting_user, **data)
    activity.full_clean(exclude=["school", "created_by"])
    _refuse_duplicate_activity(activity)
    activity.save()
    _set_participants(activity, participants)
    saved = _save_photos(activity, photos, captions or [], acting_user) if photos else []
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(activity),
        school=school,
        activity=activity.pk,
        participants=len({c.pk for c in participants}),
        photos=[p.pk for p in saved],
    )
    return activity


@transaction.atomic
def update_activity(
    *,
    activity: Activity,
    data: dict,
    participants: list[Child],
    acting_user,
    photos: list | None = None,
    captions: list[str] | None = None,
) -> Activity:
    """Change an activity; only the changed fields are written, participants are replaced by the list.
    The audit row lists the changed fields with their former values."""
    before = _changes(Activity, activity.pk, data)
    for name, value in data.items():
        setattr(activity, name, value)
    activity.full_clean(exclude=["school", "created_by"])
    _refuse_duplicate_activity(activity)
    if before:
        activity.save(update_fields=list(before))
    _set_participants(activity, participants)
    saved = _save_photos(activity, photos, captions or [], acting_user) if photos else []
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_target(activity),
        school=activity.school,
        activity=activity.pk,
        before=before,
        participants=len({c.pk for c in participants}),
        photos=[p.pk for p in saved],
    )
    return activity


@transaction.atomic
def add_activity_photos(*, activity: Activity, photos: list, captions: list[str] | None = None, acting_user):
    """Add photos to an activity: all of them or, if one is refused, none; audited."""
    saved = _save_photos(activity, photos, captions or [], acting_user)
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"{ActivityPhoto._meta.verbose_name} {len(saved)} 张（{_target(activity)}）",
        school=activity.school,
        activity=activity.pk,
        photos=[p.pk for p in saved],
    )
    return saved


@transaction.atomic
def delete_activity_photo(*, photo: ActivityPhoto, acting_user) -> None:
    """Delete a photo and its file; the deletion is written to the audit log in the same transaction."""
    activity = photo.activity
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=f"{_target(photo)}（{_target(activity)}）",
        school=activity.school,
        activity=activity.pk,
        photo=photo.pk,
    )
    name, storage = photo.image.name, photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def delete_activity(*, activity: Activity, acting_user) -> None:
    """Delete an activity with its participants and photos (files removed after the commit); audited."""
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=_target(activity),
        school=activity.school,
        activity=activity.pk,
        title=activity.title,
        date=f"{activity.date:%Y-%m-%d}",
        participants=activity.participations.count(),
    )
    files = [(p.image.storage, p.image.name) for p in activity.photos.all()]
    activity.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


# --- 留守儿童之家 ----------------------------------------------------------------------------------


@transaction.atomic
def record_care_room_opening(*, school: School, data: dict, acting_user) -> CareRoomOpening:
    """One opening per school and day, audited; a second submission for the same day is refused."""
    opening = CareRoomOpening(school=school, created_by=acting_user, **data)
    opening.full_clean(exclude=["school", "created_by"], validate_unique=False)
    if CareRoomOpening.objects.filter(school=school, date=opening.date).exists():
        raise ValidationError(f"{opening.date:%Y-%m-%d} 的开放记录已经登记过了。", code="duplicate")
    opening.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(opening),
        school=school,
        date=f"{opening.date:%Y-%m-%d}",
        visits=opening.visits,
    )
    return opening


@transaction.atomic
def update_care_room_opening(*, opening: CareRoomOpening, data: dict, acting_user) -> CareRoomOpening:
    """Correct an opening (not onto a day that already has one); the audit row keeps the former values."""
    before = _changes(CareRoomOpening, opening.pk, data)
    for name, value in data.items():
        setattr(opening, name, value)
    opening.full_clean(exclude=["school", "created_by"], validate_unique=False)
    twin = CareRoomOpening.objects.filter(school=opening.school, date=opening.date).exclude(pk=opening.pk)
    if twin.exists():
        raise ValidationError(f"{opening.date:%Y-%m-%d} 已有另一条开放记录。", code="duplicate")
    if before:
        opening.save(update_fields=list(before))
    audit.record(
        user=acting_user, action=AuditAction.CHANGE, target=_target(opening), school=opening.school, before=before
    )
    return opening


@transaction.atomic
def delete_care_room_opening(*, opening: CareRoomOpening, acting_user) -> None:
    """Delete an opening entered by mistake; the audit row keeps what it said."""
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=_target(opening),
        school=opening.school,
        date=f"{opening.date:%Y-%m-%d}",
        visits=opening.visits,
    )
    opening.delete()


# --- Aid ------------------------------------------------------------------------------------------


@transaction.atomic
def record_aid(*, children: list[Child], data: dict, acting_user) -> list[Aid]:
    """The same aid (e.g. 300元 each from 县妇联) for one or several children, one audit row per record. The
    same aid for the same child, day and donor submitted twice is refused."""
    records = []
    for child in children:
        aid = Aid(child=child, created_by=acting_user, **data)
        aid.full_clean(exclude=["created_by"])
        records.append(aid)
    twins = Aid.objects.filter(
        child__in=children, date=data["date"], kind=data["kind"], amount=data["amount"], donor=data["donor"]
    ).select_related("child")
    names = [aid.child.name for aid in twins]
    if names:
        raise ValidationError(f"以下学生的这笔资助已经登记过了：{'、'.join(names)}。", code="duplicate")
    records = Aid.objects.bulk_create(records)
    for aid in records:
        audit.record(
            user=acting_user,
            action=AuditAction.CREATE,
            target=_aid_target(aid),
            school=aid.child.school,
            child=aid.child_id,
            amount=str(aid.amount),
            donor=aid.donor,
        )
    return records


@transaction.atomic
def update_aid(*, aid: Aid, data: dict, acting_user) -> Aid:
    """Correct an aid record; the audit row keeps the former values (a mistyped amount stays traceable)."""
    before = _changes(Aid, aid.pk, data)
    for name, value in data.items():
        setattr(aid, name, value)
    aid.full_clean(exclude=["created_by"])
    if before:
        aid.save(update_fields=list(before))
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=_aid_target(aid),
        school=aid.child.school,
        child=aid.child_id,
        before=before,
    )
    return aid


@transaction.atomic
def delete_aid(*, aid: Aid, acting_user) -> None:
    """Delete an aid record entered by mistake; the audit row keeps the child, amount and donor."""
    audit.record(
        user=acting_user,
        action=AuditAction.DELETE,
        target=_aid_target(aid),
        school=aid.child.school,
        child=aid.child_id,
        amount=str(aid.amount),
        donor=aid.donor,
    )
    aid.delete()


# --- Health checks and exam results: class tables -------------------------------------------------


@dataclass(frozen=True)
class TableSaved:
    created: int
    updated: int
    skipped: int


@transaction.atomic
def record_health_check(*, child: Child, data: dict, acting_user) -> HealthCheck:
    """One child's check of one day, audited; a second check of the same child and day is refused."""
    check = HealthCheck(child=child, created_by=acting_user, **data)
    check.full_clean(exclude=["created_by"], validate_unique=False)
    if HealthCheck.objects.filter(child=child, date=check.date).exists():
        raise ValidationError(f"{child.name} 在 {check.date:%Y-%m-%d} 的体检记录已经登记过了。", code="duplicate")
    check.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(check),
        school=child.school,
        child=child.pk,
        date=f"{check.date:%Y-%m-%d}",
    )
    return check


def _is_blank(row: dict, fields: list[str]) -> bool:
    return all(row.get(name) in (None, "") for name in fields)


@transaction.atomic
def record_class_health_checks(*, on: date, rows: list[dict], acting_user) -> TableSaved:
    """Save a class's health checks of one day from the one-page table. Blank rows are skipped; a child
    already checked that day is updated, so submitting the page twice does not duplicate anything. One audit
    row for the records created and one for those changed (none when nothing was saved)."""
    existing = {h.child_id: h for h in HealthCheck.objects.filter(child__in=[r["child"] for r in rows], date=on)}
    created, updated, skipped = [], [], 0
    for row in rows:
        if _is_blank(row, HEALTH_ROW_FIELDS):
            skipped += 1
            continue
        check = existing.get(row["child"].pk)
        if check is None:
            check = HealthCheck(child=row["child"], date=on, created_by=acting_user)
            for name in HEALTH_ROW_FIELDS:
                setattr(check, name, _value(row, name, check))
            check.full_clean(exclude=["created_by"], validate_unique=False)
            created.append(check)
        else:
            changed = [n for n in HEALTH_ROW_FIELDS if getattr(check, n) != _value(row, n, check)]
            for name in changed:
                setattr(check, name, _value(row, name, check))
            check.full_clean(exclude=["created_by"], validate_unique=False)
            if changed:
                check.save(update_fields=changed)
                updated.append(check)
    HealthCheck.objects.bulk_create(created)
    _audit_table(acting_user, HealthCheck, f"{on:%Y-%m-%d}", created, updated, date=f"{on:%Y-%m-%d}")
    return TableSaved(len(created), len(updated), skipped)


def _audit_table(acting_user, model, what: str, created: list, updated: list, **detail) -> None:
    """The audit rows of a class table: one for the records created, one for those changed."""
    for action, records in ((AuditAction.CREATE, created), (AuditAction.CHANGE, updated)):
        if records:
            audit.record(
                user=acting_user,
                action=action,
                target=f"{model._meta.verbose_name} {len(records)} 条（{what}）",
                school=records[0].child.school,
                records=[r.pk for r in records],
                children=[r.child_id for r in records],
                **detail,
            )


def _value(row: dict, name: str, instance):
    value = row.get(name)
    field = instance._meta.get_field(name)
    if value is None and not field.null:
        return ""
    return value


@transaction.atomic
def create_exam(*, school: School, data: dict, acting_user) -> Exam:
    """An exam of one of the school's terms, dated within it; audited. The same exam twice is refused."""
    exam = Exam(school=school, created_by=acting_user, **data)
    exam.full_clean(exclude=["school", "created_by"], validate_unique=False)
    if exam.term.school_id != school.pk:
        raise ValidationError({"term": "请选择本校的学期。"})
    if not exam.term.contains(exam.date):
        raise ValidationError({"date": f"考试日期不在{exam.term}（{exam.term.start_date}—{exam.term.end_date}）内。"})
    if Exam.objects.filter(school=school, name=exam.name, date=exam.date).exists():
        raise ValidationError(f"{exam.date:%Y-%m-%d} 的“{exam.name}”已经登记过了。", code="duplicate")
    exam.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(exam),
        school=school,
        name=exam.name,
        date=f"{exam.date:%Y-%m-%d}",
    )
    return exam


@transaction.atomic
def record_exam_results(*, exam: Exam, rows: list[dict], acting_user) -> TableSaved:
    """Save one class's results of an exam from the one-page table: blank rows skipped, existing results
    updated (a second submission changes nothing). Audited like the health-check table."""
    existing = {r.child_id: r for r in ExamResult.objects.filter(exam=exam, child__in=[r["child"] for r in rows])}
    created, updated, skipped = [], [], 0
    for row in rows:
        if _is_blank(row, ["total_score", "class_rank"]):
            skipped += 1
            continue
        result = existing.get(row["child"].pk)
        if result is None:
            result = ExamResult(exam=exam, child=row["child"])
            for name in RESULT_ROW_FIELDS:
                setattr(result, name, _value(row, name, result))
            result.full_clean(validate_unique=False)
            created.append(result)
        else:
            changed = [n for n in RESULT_ROW_FIELDS if getattr(result, n) != _value(row, n, result)]
            for name in changed:
                setattr(result, name, _value(row, name, result))
            result.full_clean(validate_unique=False)
            if changed:
                result.save(update_fields=changed)
                updated.append(result)
    try:
        ExamResult.objects.bulk_create(created)
    except IntegrityError:
        raise ValidationError("成绩已被其他人同时录入，请刷新页面后再试。", code="conflict") from None
    _audit_table(acting_user, ExamResult, _target(exam), created, updated, exam=exam.pk)
    return TableSaved(len(created), len(updated), skipped)
