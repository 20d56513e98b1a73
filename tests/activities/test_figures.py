"""activity_figures() and photos_for_report() on hand-made fixtures: the numbers a report prints."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activities import selectors, services
from activities.models import CareRoomOpening
from caretrack.models import School
from children.models import LeftBehindType
from tests.factories import (
    ActivityFactory,
    ActivityParticipantFactory,
    AidFactory,
    ChildFactory,
    ExamFactory,
    ExamResultFactory,
    HealthCheckFactory,
    SchoolClassFactory,
    SchoolFactory,
    TermFactory,
)

START, END = date(2026, 9, 1), date(2027, 1, 20)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _school_with_a_term(**kwargs):
    school = SchoolFactory(**kwargs)
    TermFactory(school=school)
    return school


def _hand_made_school():
    school = _school_with_a_term()
    cls = SchoolClassFactory(school=school, grade=4, number=1)
    kids = ChildFactory.create_batch(5, school_class=cls, left_behind_type=LeftBehindType.BOTH_AWAY)
    meeting = ActivityFactory(school=school, kind="class_meeting", title="感恩班会", date=date(2026, 10, 9))
    festival = ActivityFactory(school=school, kind="festival", title="中秋慰问", date=date(2026, 9, 25))
    ActivityFactory(school=school, kind="festival", title="元旦慰问", date=date(2026, 12, 31))
    ActivityFactory(school=school, kind="lecture", title="上学期的讲座", date=date(2026, 6, 1))  # outside the term
    for kid in kids:
        ActivityParticipantFactory(activity=festival, child=kid)
    ActivityParticipantFactory(activity=meeting, child=kids[0])
    CareRoomOpening.objects.create(school=school, date=date(2026, 9, 2), reading=10, family_calls=3)
    CareRoomOpening.objects.create(school=school, date=date(2026, 9, 3), reading=8, tutoring=4, counselling=1)
    AidFactory(child=kids[0], kind="cash", amount=Decimal("300"))
    AidFactory(child=kids[1], kind="cash", amount=Decimal("300"))
    AidFactory(child=kids[1], kind="goods", amount=Decimal("120.50"), items="冬衣1套", date=date(2026, 12, 1))
    AidFactory(child=kids[2], kind="cash", amount=Decimal("999"), date=date(2026, 7, 1))  # outside
    HealthCheckFactory(child=kids[0])
    HealthCheckFactory(child=kids[1])
    HealthCheckFactory(child=kids[1], date=date(2026, 11, 20))
    first = ExamFactory(school=school, name="十月月考", date=date(2026, 10, 15), full_score=300)
    middle = ExamFactory(school=school, name="十一月月考", date=date(2026, 11, 5), full_score=300)
    last = ExamFactory(school=school, name="期中考试", date=date(2026, 11, 12), full_score=100)
    # As shares of the full score: kid0 60%→70% up, kid1 80%→75% down, kid2 50%→50% same,
    # kid3 by rank 10→4 up, kid4 only in the first exam (not compared). The middle exam is ignored.
    ExamResultFactory(exam=first, child=kids[0], total_score=180)
    ExamResultFactory(exam=last, child=kids[0], total_score=70)
    ExamResultFactory(exam=first, child=kids[1], total_score=240)
    ExamResultFactory(exam=last, child=kids[1], total_score=75)
    ExamResultFactory(exam=first, child=kids[2], total_score=150)
    ExamResultFactory(exam=last, child=kids[2], total_score=50)
    ExamResultFactory(exam=first, child=kids[3], total_score=None, class_rank=10)
    ExamResultFactory(exam=last, child=kids[3], total_score=None, class_rank=4)
    ExamResultFactory(exam=first, child=kids[4], total_score=100)
    ExamResultFactory(exam=middle, child=kids[4], total_score=290)
    return school


def test_figures_of_a_hand_counted_school(db):
    school = _hand_made_school()
    figures = selectors.activity_figures(schools=School.objects.filter(pk=school.pk), start=START, end=END)[school.pk]
    assert figures.activities == 3
    assert figures.activities_by_type == [("主题班会/队会", 1), ("节日慰问", 2)]
    assert figures.activity_list == [
        (date(2026, 9, 25), "中秋慰问", "节日慰问"),
        (date(2026, 10, 9), "感恩班会", "主题班会/队会"),
        (date(2026, 12, 31), "元旦慰问", "节日慰问"),
    ]
    assert figures.participants == 6
    assert figures.care_room_openings == 2
    assert figures.care_room_visits == 26
    assert figures.care_room_by_use == [("阅读", 18), ("亲情电话", 3), ("文体", 0), ("学习辅导", 4), ("心理辅导", 1)]
    assert figures.aid_total_yuan == Decimal("720.50")
    assert figures.aid_children == 2
    assert figures.aid_by_kind == [("现金", Decimal("600")), ("物品", Decimal("120.50"))]
    assert figures.health_checked == 2
    assert (figures.children_compared, figures.children_improved, figures.improved_share) == (4, 2, 50.0)


def test_a_school_without_records_gets_zeros(db):
    school = _school_with_a_term()
    figures = selectors.activity_figures(schools=[school], start=START, end=END)[school.pk]
    assert figures.activities == 0 and figures.aid_total_yuan == Decimal("0") and figures.improved_share == 0.0


def test_figures_take_the_same_number_of_queries_for_one_school_or_many(db, django_assert_num_queries):
    schools = [_hand_made_school() for _ in range(4)]
    with django_assert_num_queries(9):
        one = selectors.activity_figures(schools=School.objects.filter(pk=schools[0].pk), start=START, end=END)
    with django_assert_num_queries(9):
        many = selectors.activity_figures(schools=School.objects.all(), start=START, end=END)
    assert len(many) == 4 and many[schools[0].pk] == one[schools[0].pk]


def test_photos_for_the_report_come_with_captions_oldest_first(db):
    school = _school_with_a_term()
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "green").save(buffer, "PNG")
    later = ActivityFactory(school=school, title="元旦联欢", date=date(2026, 12, 31))
    earlier = ActivityFactory(school=school, title="中秋慰问", date=date(2026, 9, 25))
    for activity, caption in ((later, ""), (earlier, "志愿者为孩子们送月饼")):
        services.add_activity_photos(
            activity=activity,
            photos=[SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")],
            captions=[caption],
            acting_user=None,
        )
    ActivityFactory(school=SchoolFactory())  # another school's activity has no photos here anyway
    photos = selectors.photos_for_report(school=school, start=START, end=END)
    assert [p.label for p in photos] == ["志愿者为孩子们送月饼", "元旦联欢"]
    for photo in photos:
        with photo.image.open("rb") as stored:
            assert stored.read(2) == b"\xff\xd8"  # stored as JPEG
