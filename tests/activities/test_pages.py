"""The activity pages as people use them: a coordinator records a 节日慰问 for a whole grade in one POST,
class teachers stay within their class, other schools get 404, lists keep a fixed number of queries."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image

from activities.models import Activity, ActivityPhoto, Aid, CareRoomOpening, ExamResult, HealthCheck
from caretrack.models import SchoolClass
from children.models import LeftBehindType
from tests.factories import (
    ActivityFactory,
    ActivityParticipantFactory,
    AidFactory,
    ChildFactory,
    ExamFactory,
    ExamResultFactory,
    HealthCheckFactory,
)

LEFT = LeftBehindType.BOTH_AWAY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _jpeg(size=(2400, 1800), color="orange") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def _grade_four_with_40_left_behind(world):
    classes = [world.other_class, SchoolClass.objects.create(school=world.school, grade=4, number=2)]
    for i in range(44):
        ChildFactory(school_class=classes[i % 2], left_behind_type=LEFT if i < 40 else LeftBehindType.NOT_LEFT_BEHIND)
    ChildFactory.create_batch(3, school_class=world.school_class, left_behind_type=LEFT)  # grade 3: not picked


def test_coordinator_records_a_festival_visit_for_40_children_of_a_grade_in_one_post(client, world):
    _grade_four_with_40_left_behind(world)
    client.force_login(world.coordinator)
    upload = io.BytesIO(_jpeg())
    upload.name = "IMG_0001.jpg"
    response = client.post(
        reverse("activities:create"),
        {
            "title": "中秋节慰问留守儿童",
            "kind": "festival",
            "date": "2026-09-25",
            "place": "学校食堂",
            "partners": "县妇联、镇关工委",
            "description": "为四年级留守儿童送月饼、书包",
            "pick_grades": ["4"],
            "in_care_only": "on",
            "guardians_count": "12",
            "volunteers_count": "6",
            "teachers_count": "8",
            "photos": [upload],
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("activities:detail", args=[activity.pk])
    assert activity.participations.count() == 40
    assert set(activity.participants.values_list("school_class__grade", flat=True)) == {4}
    assert not activity.participants.filter(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND).exists()
    assert (activity.volunteers_count, activity.guardians_count, activity.teachers_count) == (6, 12, 8)
    photo = ActivityPhoto.objects.get()
    assert max(photo.width, photo.height) == 1600
    page = client.get(response["Location"])
    assert "学生 40 人" in page.content.decode()
    assert client.get(reverse("activities:photo", args=[photo.pk]))["Content-Type"] == "image/jpeg"


def test_submitting_the_same_activity_twice_is_refused(client, world):
    client.force_login(world.coordinator)
    data = {"title": "安全教育讲座", "kind": "lecture", "topic": "safety", "date": "2026-10-10"}
    data.update(guardians_count=0, volunteers_count=0, teachers_count=0)
    client.post(reverse("activities:create"), data)
    response = client.post(reverse("activities:create"), data)
    assert response.status_code == 200
    assert "请勿重复提交" in response.content.decode()
    assert Activity.objects.count() == 1


def test_a_bad_photo_saves_nothing_and_says_why(client, world):
    client.force_login(world.coordinator)
    bad = io.BytesIO(b"%PDF-1.4 not a photo")
    bad.name = "通知.pdf"
    response = client.post(
        reverse("activities:create"),
        {"title": "亲情书信", "kind": "family", "date": "2026-10-10", "guardians_count": 0, "volunteers_count": 0,
         "teachers_count": 0, "photos": [bad]},
    )  # fmt: skip
    assert response.status_code == 200
    assert "JPEG" in response.content.decode()
    assert not Activity.objects.exists()


def test_class_teacher_records_for_their_class_only(client, world):
    mine = ChildFactory(school_class=world.school_class, left_behind_type=LEFT)
    theirs = ChildFactory(school_class=world.other_class, left_behind_type=LEFT)
    client.force_login(world.class_teacher)
    form = client.get(reverse("activities:create")).content.decode()
    assert "按年级选择" not in form  # whole grades are for the school managers
    response = client.post(
        reverse("activities:create"),
        {"title": "感恩主题班会", "kind": "class_meeting", "date": "2026-10-09", "school_class": world.school_class.pk,
         "pick_classes": [world.school_class.pk], "pick_children": [theirs.pk], "in_care_only": "on",
         "guardians_count": 0, "volunteers_count": 0, "teachers_count": 1},
    )  # fmt: skip
    # A child of another class in a tampered POST is not a valid choice: nothing is saved.
    assert response.status_code == 200 and not Activity.objects.exists()
    response = client.post(
        reverse("activities:create"),
        {"title": "感恩主题班会", "kind": "class_meeting", "date": "2026-10-09", "school_class": world.school_class.pk,
         "pick_classes": [world.school_class.pk], "in_care_only": "on",
         "guardians_count": 0, "volunteers_count": 0, "teachers_count": 1},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(Activity.objects.get().participants.all()) == [mine]


def test_mentor_without_class_reads_lists_but_cannot_record(client, world):
    client.force_login(world.mentor)
    assert client.get(reverse("activities:list")).status_code == 200
    assert client.get(reverse("activities:create")).status_code == 403
    assert client.get(reverse("activities:care_room_create")).status_code == 403


def test_another_school_gets_404_and_the_bureau_sees_nothing(client, world):
    activity = ActivityFactory(school=world.school)
    client.force_login(world.other_principal)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404
    assert client.get(reverse("activities:edit", args=[activity.pk])).status_code == 404
    client.force_login(world.bureau)
    assert client.get(reverse("activities:list")).status_code == 403
    assert client.get(reverse("activities:aid")).status_code == 403


def test_class_teacher_sees_names_of_own_pupils_and_a_count_of_the_others(client, world):
    activity = ActivityFactory(school=world.school, title="六一文艺汇演", kind="sports")
    mine = ChildFactory(school_class=world.school_class, name="王小明")
    ActivityParticipantFactory(activity=activity, child=mine)
    for child in ChildFactory.create_batch(3, school_class=world.other_class):
        ActivityParticipantFactory(activity=activity, child=child)
    client.force_login(world.class_teacher)
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "王小明" in page and "另有其他班级学生 3 人" in page


def _populate(world, n):
    offset = CareRoomOpening.objects.count()
    for i in range(n):
        day = date(2026, 10, 1 + i % 28)
        activity = ActivityFactory(school=world.school, date=day, school_class=world.school_class)
        child = ChildFactory(school_class=world.school_class, left_behind_type=LEFT)
        ActivityParticipantFactory(activity=activity, child=child)
        AidFactory(child=child)
        HealthCheckFactory(child=child)
        CareRoomOpening.objects.create(school=world.school, date=date(2026, 9, 1) + timedelta(days=offset + i))
        ExamResultFactory(child=child, exam=ExamFactory(school=world.school, date=date(2026, 10, 1 + i % 28)))


@pytest.mark.parametrize(
    "url_name", ["activities:list", "activities:care_room", "activities:aid", "activities:health", "activities:exams"]
)
def test_lists_keep_a_fixed_number_of_queries(client, world, django_assert_max_num_queries, url_name):
    client.force_login(world.class_teacher)
    _populate(world, 3)
    with django_assert_max_num_queries(16) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _populate(world, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_care_room_opening_counts_and_refuses_a_second_entry_for_the_day(client, world):
    client.force_login(world.coordinator)
    data = {"date": "2026-10-12", "reading": "15", "family_calls": "6", "sports": "0", "tutoring": "4",
            "counselling": "1", "duty_teacher": world.mentor.pk}  # fmt: skip
    assert client.post(reverse("activities:care_room_create"), data).status_code == 302
    response = client.post(reverse("activities:care_room_create"), data)
    assert "已经登记过了" in response.content.decode()
    assert CareRoomOpening.objects.get().visits == 26
    bad = client.post(reverse("activities:care_room_create"), {**data, "date": "2026-10-13", "reading": "-3"})
    assert "人次不能为负数" in bad.content.decode()


def test_aid_for_four_children_at_300_yuan_each_and_no_negative_money(client, world):
    kids = ChildFactory.create_batch(4, school_class=world.school_class, left_behind_type=LEFT)
    client.force_login(world.coordinator)
    data = {"children": [k.pk for k in kids], "date": "2026-10-20", "kind": "cash", "amount": "300",
            "donor": "爱心人士王先生"}  # fmt: skip
    assert client.post(reverse("activities:aid_create"), data).status_code == 302
    assert Aid.objects.count() == 4 and sum(a.amount for a in Aid.objects.all()) == Decimal("1200")
    again = client.post(reverse("activities:aid_create"), data)
    assert "已经登记过了" in again.content.decode() and Aid.objects.count() == 4
    negative = client.post(reverse("activities:aid_create"), {**data, "amount": "-50", "date": "2026-10-21"})
    assert "金额不能为负数" in negative.content.decode() and Aid.objects.count() == 4


def test_health_check_of_a_whole_class_on_one_page(client, world):
    kids = ChildFactory.create_batch(3, school_class=world.school_class)
    client.force_login(world.coordinator)
    url = reverse("activities:health_class") + f"?school_class={world.school_class.pk}"
    page = client.get(url).content.decode()
    assert all(k.name in page for k in kids)
    data = {"date": "2026-09-20"}
    first = f"c{kids[0].pk}"
    data.update({f"{first}-height_cm": "131.5", f"{first}-weight_kg": "27", f"{first}-vision_left": "5.0"})
    data.update({f"c{kids[1].pk}-height_cm": "250", f"c{kids[1].pk}-vision_right": "3.2"})
    response = client.post(url, data)
    body = response.content.decode()
    assert "身高应在80到200厘米之间" in body and "视力应按五分记录" in body
    assert not HealthCheck.objects.exists()  # one bad row: nothing saved
    data.update({f"c{kids[1].pk}-height_cm": "128", f"c{kids[1].pk}-vision_right": "0.8"})
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit updates, it does not duplicate
    assert HealthCheck.objects.count() == 2


def test_exam_results_by_class_and_the_improvement_between_two_exams(client, world):
    kids = ChildFactory.create_batch(3, school_class=world.school_class, left_behind_type=LEFT)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("activities:exam_create"),
        {"term": world.school.terms.get().pk, "name": "十月月考", "kind": "monthly", "date": "2026-10-15",
         "full_score": "300"},
    )  # fmt: skip
    first = world.school.exams.get()
    url = reverse("activities:exam_results", args=[first.pk]) + f"?school_class={world.school_class.pk}"
    assert response.status_code == 302
    scores = {kids[0]: "200", kids[1]: "250", kids[2]: "180"}
    assert client.post(url, {f"c{k.pk}-total_score": s for k, s in scores.items()}).status_code == 302
    over = client.post(url, {f"c{kids[0].pk}-total_score": "301"})
    assert "总分不能超过满分300" in over.content.decode()
    second = ExamFactory(school=world.school, name="期中考试", kind="midterm", date=date(2026, 11, 12))
    for kid, score in zip(kids, [230, 240, 180], strict=True):
        ExamResult.objects.create(exam=second, child=kid, total_score=score)
    page = client.get(reverse("activities:exams")).content.decode()
    assert "两次都有成绩的学生 <strong>3</strong> 人，其中进步 <strong>1</strong> 人（33.3%）" in page


def test_the_child_page_shows_activities_aid_health_and_the_exam_trend(client, world):
    child = ChildFactory(school_class=world.school_class, left_behind_type=LEFT)
    ActivityParticipantFactory(child=child, activity=ActivityFactory(school=world.school, title="中秋慰问"))
    AidFactory(child=child, amount=300, donor="县妇联")
    HealthCheckFactory(child=child, findings="龋齿1颗", follow_up="已告知奶奶")
    ExamResultFactory(child=child, exam=ExamFactory(school=world.school, name="十月月考"), total_score=180)
    later = ExamFactory(school=world.school, name="期中考试", date=date(2026, 11, 12))
    ExamResultFactory(child=child, exam=later, total_score=210)
    client.force_login(world.class_teacher)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    for text in ("参加活动：中秋慰问", "现金 300", "龋齿1颗", "期中考试：总分210", "比十月月考↑10.0个百分点"):
        assert text in page, text


def test_the_class_table_reopens_an_earlier_check_day_with_its_values(client, world):
    child = ChildFactory(school_class=world.school_class)
    HealthCheckFactory(child=child, date=date(2026, 9, 20), height_cm=Decimal("133.5"))
    client.force_login(world.coordinator)
    url = reverse("activities:health_class") + f"?school_class={world.school_class.pk}&date=2026-09-20"
    page = client.get(url).content.decode()
    assert 'value="133.5"' in page and 'value="2026-09-20"' in page


def test_class_teacher_edits_their_class_activity_but_not_a_school_wide_one(client, world):
    mine = ActivityFactory(school=world.school, school_class=world.school_class, title="班会")
    school_wide = ActivityFactory(school=world.school, title="全校运动会", kind="sports")
    kid = ChildFactory(school_class=world.school_class, left_behind_type=LEFT)
    client.force_login(world.class_teacher)
    assert client.get(reverse("activities:edit", args=[school_wide.pk])).status_code == 403
    response = client.post(
        reverse("activities:edit", args=[mine.pk]),
        {"title": "“感恩父母”主题班会", "kind": "class_meeting", "date": "2026-10-09",
         "school_class": world.school_class.pk, "pick_children": [kid.pk]},
    )  # fmt: skip
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "“感恩父母”主题班会" and list(mine.participants.all()) == [kid]


def test_photos_are_added_from_the_activity_page_and_their_deletion_is_audited(client, world):
    from caretrack.models import AuditEvent

    activity = ActivityFactory(school=world.school)
    client.force_login(world.coordinator)
    upload = io.BytesIO(_jpeg((800, 600)))
    upload.name = "a.jpg"
    response = client.post(reverse("activities:photo_add", args=[activity.pk]), {"photos": [upload], "caption": "合影"})
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    assert photo.caption == "合影" and (photo.width, photo.height) == (800, 600)
    client.force_login(world.mentor)
    assert client.post(reverse("activities:photo_delete", args=[photo.pk])).status_code == 403
    client.force_login(world.coordinator)
    assert client.post(reverse("activities:photo_delete", args=[photo.pk])).status_code == 302
    assert not ActivityPhoto.objects.exists()
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == ["create", "delete"]


def test_entering_exam_results_is_for_school_managers(client, world):
    exam = ExamFactory(school=world.school)
    client.force_login(world.class_teacher)
    assert client.get(reverse("activities:exam_results", args=[exam.pk])).status_code == 403
    client.force_login(world.other_principal)
    assert client.get(reverse("activities:exam_results", args=[exam.pk])).status_code == 404


def test_lists_filter_by_term_type_and_class(client, world):
    ActivityFactory(school=world.school, title="本学期班会", school_class=world.school_class)
    ActivityFactory(school=world.school, title="本学期讲座", kind="lecture", school_class=world.other_class)
    ActivityFactory(school=world.school, title="上学期活动", date=date(2026, 5, 1))
    client.force_login(world.coordinator)
    page = client.get(reverse("activities:list")).content.decode()
    assert "本学期班会" in page and "本学期讲座" in page and "上学期活动" not in page
    page = client.get(reverse("activities:list"), {"term": ""}).content.decode()
    assert "上学期活动" in page
    page = client.get(reverse("activities:list"), {"kind": "lecture"}).content.decode()
    assert "本学期讲座" in page and "本学期班会" not in page
    page = client.get(reverse("activities:list"), {"school_class": world.school_class.pk}).content.decode()
    assert "本学期班会" in page and "本学期讲座" not in page


def test_aid_totals_per_child_for_the_term(client, world):
    kid = ChildFactory(school_class=world.school_class, name="李小雨")
    AidFactory(child=kid, amount=300)
    AidFactory(child=kid, amount=Decimal("85.5"), kind="goods", items="书包1个", date=date(2026, 12, 1))
    AidFactory(child=kid, amount=999, date=date(2026, 6, 1))  # last term
    client.force_login(world.coordinator)
    page = client.get(reverse("activities:aid"), {"by": "child"}).content.decode()
    assert "李小雨" in page and "385.50 元" in page and "2 笔" in page


def test_a_mistyped_aid_is_corrected_or_deleted_with_an_audit_row(client, world):
    from caretrack.models import AuditEvent

    aid = AidFactory(child=ChildFactory(school_class=world.school_class, name="张小兰"), amount=3000)
    client.force_login(world.coordinator)
    url = reverse("activities:aid_edit", args=[aid.pk])
    data = {"date": "2026-09-28", "kind": "cash", "amount": "-300", "donor": "县妇联"}
    assert "金额不能为负数" in client.post(url, data).content.decode()
    assert client.post(url, {**data, "amount": "300"}).status_code == 302
    aid.refresh_from_db()
    assert aid.amount == Decimal("300")
    assert client.post(reverse("activities:aid_delete", args=[aid.pk])).status_code == 302
    assert not Aid.objects.exists()
    assert AuditEvent.objects.filter(action="change").count() == 1  # the refused -300 left none
    event = AuditEvent.objects.get(action="delete")
    assert event.action == "delete" and "张小兰" in event.target and event.detail["amount"] == "300.00"
    client.force_login(world.other_principal)
    other = AidFactory(child=ChildFactory(school_class=world.school_class))
    assert client.get(reverse("activities:aid_edit", args=[other.pk])).status_code == 404


def test_a_care_room_opening_is_corrected_and_cannot_be_moved_onto_another_day(client, world):
    CareRoomOpening.objects.create(school=world.school, date=date(2026, 10, 13), reading=3)
    opening = CareRoomOpening.objects.create(school=world.school, date=date(2026, 10, 12), reading=150)
    client.force_login(world.coordinator)
    url = reverse("activities:care_room_edit", args=[opening.pk])
    assert client.post(url, {"date": "2026-10-12", "reading": "15"}).status_code == 302
    opening.refresh_from_db()
    assert opening.reading == 15
    assert "已有另一条开放记录" in client.post(url, {"date": "2026-10-13", "reading": "15"}).content.decode()


def test_deleting_an_activity_removes_its_participants_and_is_audited(client, world):
    from activities.models import ActivityParticipant
    from caretrack.models import AuditEvent

    activity = ActivityFactory(school=world.school, title="元旦联欢")
    ActivityParticipantFactory(activity=activity, child=ChildFactory(school_class=world.school_class))
    client.force_login(world.mentor)
    assert client.post(reverse("activities:delete", args=[activity.pk])).status_code == 403
    client.force_login(world.principal)
    assert client.post(reverse("activities:delete", args=[activity.pk])).status_code == 302
    assert not Activity.objects.exists() and not ActivityParticipant.objects.exists()
    assert AuditEvent.objects.get().detail["participants"] == 1


@pytest.mark.parametrize("size", [3, 40])
def test_the_activity_page_and_the_chronology_keep_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, size
):
    from activities.chronology import entries

    activity = ActivityFactory(school=world.school)
    child = ChildFactory(school_class=world.school_class)
    for kid in [child, *ChildFactory.create_batch(size - 1, school_class=world.other_class)]:
        ActivityParticipantFactory(activity=activity, child=kid)
    for i in range(size):
        ActivityParticipantFactory(child=child, activity=ActivityFactory(school=world.school, date=date(2026, 10, 1)))
        AidFactory(child=child, date=date(2026, 9, 1) + timedelta(days=i))
        ExamResultFactory(child=child, exam=ExamFactory(school=world.school, date=date(2026, 9, 1) + timedelta(days=i)))
    client.force_login(world.class_teacher)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 200
    with django_assert_max_num_queries(4):  # activities, aid, health checks, exam results
        assert len(entries(child, world.class_teacher)) == 3 * size + 1
