"""Every activities service that changes data leaves an audit row, by the acting user, in the same
transaction: CASES feed tests/test_audit_policy.py; the tests below pin what the rows name."""

import io
import tempfile
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from activities import services
from caretrack.models import AuditAction, AuditEvent
from tests.activities.factories import ActivityPhotoFactory
from tests.audit_cases import AuditCase
from tests.factories import (
    ActivityFactory,
    AidFactory,
    CareRoomOpeningFactory,
    ChildFactory,
    ExamFactory,
    valid_id_number,
)

DAY = date(2026, 10, 20)


def _png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@contextmanager
def _media():
    """Uploaded photos go to a throw-away MEDIA_ROOT (the policy test has no settings fixture)."""
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        yield


def _kid(world, **kwargs):
    return ChildFactory(school_class=world.school_class, **kwargs)


def _activity_data(title="法制讲座"):
    return {"title": title, "kind": "lecture", "topic": "law", "date": DAY}


def _record_activity(world):
    with _media():
        services.record_activity(
            school=world.school,
            data=_activity_data(),
            participants=[_kid(world)],
            photos=[_png()],
            acting_user=world.coordinator,
        )
    return world.coordinator


def _update_activity(world):
    activity = ActivityFactory(school=world.school, school_class=world.school_class)
    services.update_activity(
        activity=activity, data={"title": "法制教育讲座"}, participants=[_kid(world)], acting_user=world.class_teacher
    )
    return world.class_teacher


def _add_activity_photos(world):
    activity = ActivityFactory(school=world.school)
    with _media():
        services.add_activity_photos(activity=activity, photos=[_png(), _png("b.png")], acting_user=world.principal)
    return world.principal


def _delete_activity_photo(world):
    photo = ActivityPhotoFactory(activity=ActivityFactory(school=world.school))
    services.delete_activity_photo(photo=photo, acting_user=world.coordinator)
    return world.coordinator


def _delete_activity(world):
    services.delete_activity(activity=ActivityFactory(school=world.school), acting_user=world.principal)
    return world.principal


def _record_care_room_opening(world):
    services.record_care_room_opening(
        school=world.school, data={"date": DAY, "reading": 12, "family_calls": 4}, acting_user=world.coordinator
    )
    return world.coordinator


def _update_care_room_opening(world):
    opening = CareRoomOpeningFactory(school=world.school, date=date(2026, 10, 13))
    services.update_care_room_opening(opening=opening, data={"reading": 15}, acting_user=world.coordinator)
    return world.coordinator


def _delete_care_room_opening(world):
    opening = CareRoomOpeningFactory(school=world.school, date=date(2026, 10, 14))
    services.delete_care_room_opening(opening=opening, acting_user=world.principal)
    return world.principal


def _aid_data(amount="300"):
    return {"date": DAY, "kind": "cash", "amount": Decimal(amount), "donor": "县妇联"}


def _record_aid(world):
    services.record_aid(children=[_kid(world), _kid(world)], data=_aid_data(), acting_user=world.coordinator)
    return world.coordinator


def _update_aid(world):
    aid = AidFactory(child=_kid(world), amount=3000)
    services.update_aid(aid=aid, data=_aid_data("300"), acting_user=world.coordinator)
    return world.coordinator


def _delete_aid(world):
    services.delete_aid(aid=AidFactory(child=_kid(world)), acting_user=world.principal)
    return world.principal


def _record_health_check(world):
    services.record_health_check(
        child=_kid(world),
        data={"date": DAY, "height_cm": Decimal("132"), "vision_left": "5.0"},
        acting_user=world.coordinator,
    )
    return world.coordinator


def _record_class_health_checks(world):
    rows = [{"child": _kid(world), "height_cm": Decimal("131"), "weight_kg": Decimal("27")}, {"child": _kid(world)}]
    services.record_class_health_checks(on=DAY, rows=rows, acting_user=world.coordinator)
    return world.coordinator


def _create_exam(world):
    term = world.school.terms.get()
    data = {"term": term, "name": "期中考试", "kind": "midterm", "date": date(2026, 11, 10), "full_score": 300}
    services.create_exam(school=world.school, data=data, acting_user=world.principal)
    return world.principal


def _record_exam_results(world):
    exam = ExamFactory(school=world.school)
    rows = [{"child": _kid(world), "total_score": Decimal("240"), "class_rank": 3}, {"child": _kid(world)}]
    services.record_exam_results(exam=exam, rows=rows, acting_user=world.coordinator)
    return world.coordinator


CASES = [
    AuditCase(services.record_activity, _record_activity, AuditAction.CREATE),
    AuditCase(services.update_activity, _update_activity, AuditAction.CHANGE),
    AuditCase(services.add_activity_photos, _add_activity_photos, AuditAction.CREATE),
    AuditCase(services.delete_activity_photo, _delete_activity_photo, AuditAction.DELETE),
    AuditCase(services.delete_activity, _delete_activity, AuditAction.DELETE),
    AuditCase(services.record_care_room_opening, _record_care_room_opening, AuditAction.CREATE),
    AuditCase(services.update_care_room_opening, _update_care_room_opening, AuditAction.CHANGE),
    AuditCase(services.delete_care_room_opening, _delete_care_room_opening, AuditAction.DELETE),
    AuditCase(services.record_aid, _record_aid, AuditAction.CREATE),
    AuditCase(services.update_aid, _update_aid, AuditAction.CHANGE),
    AuditCase(services.delete_aid, _delete_aid, AuditAction.DELETE),
    AuditCase(services.record_health_check, _record_health_check, AuditAction.CREATE),
    AuditCase(services.record_class_health_checks, _record_class_health_checks, AuditAction.CREATE),
    AuditCase(services.create_exam, _create_exam, AuditAction.CREATE),
    AuditCase(services.record_exam_results, _record_exam_results, AuditAction.CREATE),
]


def _rows():
    return list(AuditEvent.objects.order_by("pk"))


def test_every_audit_row_names_its_school_and_never_a_childs_id_number_or_phone(world):
    for case in CASES:
        case.call(world)
    kid = _kid(world, id_number=valid_id_number(seq=9))
    services.update_aid(aid=AidFactory(child=kid), data=_aid_data("200"), acting_user=world.coordinator)
    rows = _rows()
    assert rows and all(row.school_id == world.school.pk for row in rows)
    kinds = ("活动", "活动照片", "留守儿童之家开放记录", "资助与慰问", "体检记录", "考试", "考试成绩")
    assert all(row.target.split(" ")[0] in kinds for row in rows)  # the kind, then the id (or ids in detail)
    assert all(kid.id_number not in row.target and "13800000000" not in row.target for row in rows)


def test_a_corrected_aid_amount_stays_traceable(world):
    aid = AidFactory(child=_kid(world, name="张小兰"), amount=3000)
    services.update_aid(aid=aid, data=_aid_data("300"), acting_user=world.coordinator)
    (row,) = _rows()
    assert row.action == AuditAction.CHANGE and row.user == world.coordinator
    assert row.target == f"资助与慰问 #{aid.pk} 张小兰 2026-10-20 300元"
    assert row.detail["before"] == {"date": "2026-09-28", "amount": "3000.00"}


def test_aid_for_several_children_leaves_one_row_per_record(world):
    records = services.record_aid(children=[_kid(world), _kid(world)], data=_aid_data(), acting_user=world.principal)
    assert [row.detail["child"] for row in _rows()] == [aid.child_id for aid in records]


def test_a_class_table_saved_twice_leaves_a_creation_then_a_change(world):
    kid = _kid(world)
    services.record_class_health_checks(on=DAY, rows=[{"child": kid, "height_cm": Decimal("131")}], acting_user=None)
    services.record_class_health_checks(on=DAY, rows=[{"child": kid, "height_cm": Decimal("132")}], acting_user=None)
    services.record_class_health_checks(on=DAY, rows=[{"child": kid, "height_cm": Decimal("132")}], acting_user=None)
    created, changed = _rows()  # the third submission changed nothing and says nothing
    assert (created.action, changed.action) == (AuditAction.CREATE, AuditAction.CHANGE)
    assert created.target == "体检记录 1 条（2026-10-20）" and changed.detail["children"] == [kid.pk]


def test_a_refused_submission_leaves_no_audit_row(world):
    _record_care_room_opening(world)
    with pytest.raises(ValidationError):
        _record_care_room_opening(world)  # the same day twice
    with pytest.raises(ValidationError), _media():
        services.add_activity_photos(
            activity=ActivityFactory(school=world.school),
            photos=[_png(), SimpleUploadedFile("x.jpg", b"junk")],
            acting_user=world.coordinator,
        )
    assert [row.action for row in _rows()] == [AuditAction.CREATE]
