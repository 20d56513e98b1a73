"""Activity photos: checked, shrunk and re-encoded as JPEG by the core (caretrack.uploads.shrink_photo), and
the photos chosen on an activity form that comes back with an error, kept until the form is saved."""

from __future__ import annotations

from caretrack.uploads import PendingPhotos, ShrunkPhoto, shrink_photo

__all__ = ["PENDING_ACTIVITY_PHOTOS", "ShrunkPhoto", "shrink_photo"]

# Photos picked on an activity form that came back with an error (activities/views/activity.py); the
# folder is left out of backups (caretrack/backup.py).
PENDING_ACTIVITY_PHOTOS = PendingPhotos(session_key="pending_activity_photos", folder="pending_photos", limit=24)
