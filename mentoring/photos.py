"""Home-visit photos: up to MAX_PHOTOS_PER_VISIT a visit, checked, shrunk and re-encoded by the core
(caretrack.uploads), stored with a thumbnail in the private storage. Called by the log services inside
their transaction: every photo is checked before any is written, so a refused photo saves nothing. Photos
chosen on a 家访 form that comes back with an error wait as pending photos (PENDING_VISIT_PHOTOS)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from caretrack.uploads import PendingPhotos, shrink_photo_with_thumbnail
from mentoring.models import MAX_PHOTOS_PER_VISIT, HomeVisit, HomeVisitPhoto

TOO_MANY = f"每次家访最多保存{MAX_PHOTOS_PER_VISIT}张照片。"

# Photos picked on a 家访 form (new or edit) that came back with an error (mentoring/views.py), private to
# their uploader's session. They share activities' folder, which backups leave out (caretrack/backup.py).
PENDING_VISIT_PHOTOS = PendingPhotos(session_key="pending_visit_photos", folder="pending_photos", limit=12)


def check_visit_photo_count(*, visit: HomeVisit | None, adding: int, removing: int = 0) -> None:
    kept = (visit.photos.count() if visit is not None and visit.pk else 0) - removing
    if adding and kept + adding > MAX_PHOTOS_PER_VISIT:
        raise ValidationError({"photos": TOO_MANY}, code="too_many_photos")


def attach_visit_photos(*, visit: HomeVisit, uploads: Sequence, acting_user) -> list[HomeVisitPhoto]:
    """Check every upload, then save each as a photo of the visit with its thumbnail. Raises
    ValidationError on the `photos` field (in Chinese, naming the file) before writing anything."""
    if not uploads:
        return []
    check_visit_photo_count(visit=visit, adding=len(uploads))
    shrunk, refused = [], []
    for upload in uploads:
        try:
            shrunk.append(shrink_photo_with_thumbnail(upload))
        except ValidationError as error:
            refused.extend(error.messages)
    if refused:
        raise ValidationError({"photos": refused})
    saved = []
    first = visit.photos.count() + 1
    for index, (photo, thumbnail) in enumerate(shrunk, start=first):
        stem = f"{visit.date:%Y%m%d}_{visit.pk}_{index}"
        row = HomeVisitPhoto(visit=visit, uploaded_by=acting_user)
        row.image.save(f"{stem}.jpg", photo.content, save=False)
        row.thumbnail.save(f"{stem}_thumb.jpg", thumbnail.content, save=False)
        row.width, row.height = photo.width, photo.height
        row.save()
        saved.append(row)
    return saved


def remove_visit_photos(*, visit: HomeVisit, photos: Sequence[HomeVisitPhoto]) -> list[int]:
    """Delete the given photos of this visit (their files once the transaction commits); returns their ids."""
    rows = list(visit.photos.filter(pk__in=[p.pk for p in photos]))
    files = [(f.storage, f.name) for row in rows for f in (row.image, row.thumbnail) if f.name]
    ids = [row.pk for row in rows]
    HomeVisitPhoto.objects.filter(pk__in=ids).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return ids
