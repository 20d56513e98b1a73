"""Operations that record activities, care-room openings, aid, health checks and exam results, one module
per part of the programme. Each runs in one transaction: a record and its participants, photos or rows are
saved together or not at all, and so is its audit row (caretrack.audit), which names the record's kind and id."""

from activities.services.activity import (
    MAX_PHOTOS_PER_ACTIVITY,
    add_activity_photos,
    delete_activity,
    delete_activity_photo,
    pick_participants,
    record_activity,
    update_activity,
)
from activities.services.aid import delete_aid, record_aid, update_aid
from activities.services.care_room import (
    delete_care_room_opening,
    record_care_room_opening,
    update_care_room_opening,
)
from activities.services.exam import create_exam, record_exam_results
from activities.services.health import record_class_health_checks, record_health_check
from activities.services.shared import TableSaved

__all__ = [
    "MAX_PHOTOS_PER_ACTIVITY",
    "TableSaved",
    "add_activity_photos",
    "create_exam",
    "delete_activity",
    "delete_activity_photo",
    "delete_aid",
    "delete_care_room_opening",
    "pick_participants",
    "record_activity",
    "record_aid",
    "record_care_room_opening",
    "record_class_health_checks",
    "record_exam_results",
    "record_health_check",
    "update_activity",
    "update_aid",
    "update_care_room_opening",
]
