"""Activities with their participants and photos."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from activities.models import Activity, ActivityParticipant, ActivityPhoto
from activities.photos import shrink_photo
from activities.services.shared import _changes, _target
from caretrack import audit
from caretrack.models import AuditAction, School, SchoolClass
from children.models import Child, in_care_on_q

MAX_PHOTOS_PER_ACTIVITY = 12


# --- Participants ---------------------------------------------------------------------------------


def pick_participants(
    *,
    candidates: QuerySet,
    grades: Iterable[int] = (),
    classes: Iterable[SchoolClass] = (),
    children: Iterable[Child] = (),
    in_care_only: bool = True,
    on: date | None = None,
) -> list[Child]:
    """The children picked on the activity form: whole grades and whole classes (only the children in our
    care on the activity's day `on` when in_care_only: 留守, 困境, 事实无人抚养), plus children picked one by
    one. `candidates` bounds the choice
    (the school's children, or a class teacher's class), so a tampered POST cannot reach further."""
    grades, classes, children = list(grades), list(classes), list(children)
    group = Q(school_class__grade__in=[int(g) for g in grades]) | Q(school_class__in=classes)
    if in_care_only:
        group &= in_care_on_q(on or timezone.localdate())
    chosen = Q(pk__in=[c.pk for c in children])
    if grades or classes:
        chosen |= group
    return list(
        candidates.filter(chosen).enrolled().order_by("school_class__grade", "school_class__number", "pk").distinct()
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
