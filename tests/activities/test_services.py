"""Services and validation: picking participants, photos, measurements, money."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities import services
from activities.forms import AidForm, CareRoomOpeningForm, HealthCheckForm
from activities.models import Activity, ActivityPhoto, HealthCheck
from activities.photos import shrink_photo
from children.models import Child, EnrolmentStatus, LeftBehindType
from tests.factories import ActivityFactory, ChildFactory, SchoolClassFactory

LEFT = LeftBehindType.BOTH_AWAY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(name="p.jpg", size=(3000, 4000), mode="RGB", fmt="JPEG", exif=None):
    buffer = io.BytesIO()
    image = Image.new(mode, size, (200, 100, 50, 128) if mode == "RGBA" else (200, 100, 50))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_phone_photo_is_turned_upright_shrunk_and_stripped_of_its_gps_position():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to display
    exif[0x8825] = {2: (28.0, 0.0, 0.0)}  # GPS info
    shrunk = shrink_photo(_upload(size=(4000, 3000), exif=exif))
    image = Image.open(io.BytesIO(shrunk.content.read()))
    assert image.format == "JPEG" and (image.width, image.height) == (1200, 1600) == (shrunk.width, shrunk.height)
    assert not image.getexif()


def test_a_transparent_png_becomes_a_jpeg_on_white():
    shrunk = shrink_photo(_upload("logo.png", size=(300, 200), mode="RGBA", fmt="PNG"))
    assert (shrunk.width, shrunk.height) == (300, 200)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("a.pdf", b"%PDF-1.4"), "无法识别为图片"),
        (_upload("a.gif", size=(10, 10), fmt="GIF"), "不是JPEG或PNG格式"),
    ],
)
def test_other_files_are_refused_in_chinese(upload, message):
    with pytest.raises(ValidationError, match=message):
        shrink_photo(upload)


def test_a_photo_over_10_mb_is_refused(monkeypatch):
    upload = _upload(size=(10, 10))
    monkeypatch.setattr(upload, "size", 11 * 1024 * 1024)
    with pytest.raises(ValidationError, match="太大"):
        shrink_photo(upload)


def test_one_bad_photo_among_good_ones_saves_none(world):
    activity = ActivityFactory(school=world.school)
    with pytest.raises(ValidationError):
        services.add_activity_photos(
            activity=activity, photos=[_upload(), SimpleUploadedFile("x.jpg", b"junk")], acting_user=None
        )
    assert not ActivityPhoto.objects.exists()


def test_pick_participants_by_grade_class_and_name(world):
    grade4_left = ChildFactory.create_batch(2, school_class=world.other_class, left_behind_type=LEFT)
    ChildFactory(school_class=world.other_class)  # not left-behind
    ChildFactory(school_class=world.other_class, left_behind_type=LEFT, status=EnrolmentStatus.TRANSFERRED)
    grade3 = ChildFactory(school_class=world.school_class)
    foreign = ChildFactory(school_class=world.foreign_class, left_behind_type=LEFT)
    candidates = Child.objects.filter(school=world.school)
    picked = services.pick_participants(candidates=candidates, grades=[4], children=[grade3, foreign])
    assert set(picked) == {*grade4_left, grade3}  # another school's child is never picked
    everyone = services.pick_participants(candidates=candidates, classes=[world.other_class], in_care_only=False)
    assert len(everyone) == 3


def test_picking_a_class_takes_every_child_in_our_care_on_the_activity_day(world):
    """留守, 困境 and 事实无人抚养 children are all 关爱对象: a class picked for an activity brings each of them."""
    from children.models import ChildHardship

    left_behind = ChildFactory(school_class=world.other_class, left_behind_type=LEFT)
    hardship = ChildFactory(school_class=world.other_class)
    ChildHardship.objects.create(child=hardship, kind="low_income", evidence="低保证", start_date=date(2026, 9, 1))
    ChildFactory(school_class=world.other_class)  # neither
    candidates = Child.objects.filter(school=world.school)
    picked = services.pick_participants(candidates=candidates, classes=[world.other_class], on=date(2026, 10, 1))
    assert set(picked) == {left_behind, hardship}
    before = services.pick_participants(candidates=candidates, classes=[world.other_class], on=date(2026, 8, 1))
    assert set(before) == {left_behind}  # the hardship was recorded from September


def test_record_activity_with_participants_in_one_transaction(world):
    kids = ChildFactory.create_batch(3, school_class=world.school_class)
    activity = services.record_activity(
        school=world.school,
        data={"title": "法制讲座", "kind": "lecture", "topic": "law", "date": date(2026, 11, 3), "partners": "检察院"},
        participants=kids,
        acting_user=world.coordinator,
    )
    assert activity.participations.count() == 3
    with pytest.raises(ValidationError, match="请勿重复提交"):
        services.record_activity(
            school=world.school,
            data={"title": "法制讲座", "kind": "lecture", "topic": "law", "date": date(2026, 11, 3)},
            participants=kids,
            acting_user=world.coordinator,
        )
    assert Activity.objects.count() == 1
    services.update_activity(
        activity=activity, data={"title": "法制教育讲座"}, participants=kids[:1], acting_user=world.coordinator
    )
    assert activity.participations.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("height_cm", "79", "身高应在80到200厘米之间"),
        ("height_cm", "201", "身高应在80到200厘米之间"),
        ("weight_kg", "9.5", "体重应在10到150千克之间"),
        ("weight_kg", "151", "体重应在10到150千克之间"),
        ("vision_left", "3.9", "视力应按五分记录"),
        ("vision_right", "2.5", "视力应按五分记录"),
        ("height_cm", "一米三", "请填写数字"),
    ],
)
def test_health_measurements_out_of_range_get_a_clear_message(world, field, value, message):
    child = ChildFactory(school_class=world.school_class)
    form = HealthCheckForm(
        {"child": child.pk, "date": "2026-09-20", field: value}, children=Child.objects.filter(school=world.school)
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


@pytest.mark.parametrize("vision", ["4.0", "5.3", "0.1", "2.0", "1.2"])
def test_both_ways_of_writing_vision_are_accepted(world, vision):
    child = ChildFactory(school_class=world.school_class)
    form = HealthCheckForm(
        {"child": child.pk, "date": "2026-09-20", "vision_left": vision},
        children=Child.objects.filter(school=world.school),
    )
    assert form.is_valid(), form.errors


def test_a_health_check_needs_at_least_one_result(world):
    child = ChildFactory(school_class=world.school_class)
    form = HealthCheckForm({"child": child.pk, "date": "2026-09-20"}, children=Child.objects.all())
    assert not form.is_valid() and "请至少填写一项体检结果" in str(form.errors)


def test_aid_refuses_negative_money_and_future_dates(world):
    child = ChildFactory(school_class=world.school_class)
    form = AidForm(
        {"children": [child.pk], "date": "2099-01-01", "kind": "cash", "amount": "-1", "donor": "县妇联"},
        children=Child.objects.all(),
    )
    assert not form.is_valid()
    assert "金额不能为负数" in str(form.errors["amount"]) and "不能晚于今天" in str(form.errors["date"])


def test_goods_need_the_items_written_down(world):
    child = ChildFactory(school_class=world.school_class)
    with pytest.raises(ValidationError, match="物品资助请填写物品名称"):
        services.record_aid(
            children=[child],
            data={"date": date(2026, 10, 1), "kind": "goods", "amount": Decimal("80"), "donor": "县团委"},
            acting_user=None,
        )


def test_a_care_room_opening_needs_someone_and_no_typing_errors(world):
    form = CareRoomOpeningForm({"date": "2026-10-12", "reading": "0"}, school=world.school)
    assert not form.is_valid() and "请至少填写一项接待人次" in str(form.errors)
    form = CareRoomOpeningForm({"date": "2026-10-12", "reading": "5000"}, school=world.school)
    assert not form.is_valid() and "请核对" in str(form.errors["reading"])


def test_class_health_table_skips_blank_rows_and_updates_on_resubmit(world):
    cls = SchoolClassFactory(school=world.school, grade=5, number=1)
    kids = ChildFactory.create_batch(3, school_class=cls)
    rows = [
        {"child": kids[0], "height_cm": Decimal("140"), "weight_kg": None, "vision_left": None, "vision_right": None,
         "findings": "", "follow_up": ""},
        {"child": kids[1], "height_cm": None, "weight_kg": None, "vision_left": None, "vision_right": None,
         "findings": "", "follow_up": ""},
    ]  # fmt: skip
    saved = services.record_class_health_checks(on=date(2026, 9, 20), rows=rows, acting_user=None)
    assert (saved.created, saved.updated, saved.skipped) == (1, 0, 1)
    rows[0]["height_cm"] = Decimal("141")
    saved = services.record_class_health_checks(on=date(2026, 9, 20), rows=rows, acting_user=None)
    assert (saved.created, saved.updated) == (0, 1)
    assert HealthCheck.objects.get().height_cm == Decimal("141")
