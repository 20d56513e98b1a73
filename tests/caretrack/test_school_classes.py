"""班级: bulk creation, the 班主任, each class's 在校学生数, deletion."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from caretrack.models import AuditEvent, SchoolClass
from caretrack.permissions import get_roles
from caretrack.selectors import classes_state
from tests.factories import ChildFactory, SchoolClassFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _labels(school):
    return [str(c) for c in SchoolClass.objects.active().filter(school=school).order_by("grade", "number")]


def _create(client, school, **data):
    post = {"grade": "3", "count": "2", "first_number": "", "seen": classes_state(school)}
    post.update(data)
    return client.post(reverse("school:class_create"), post)


def test_creating_classes_continues_the_numbers_of_the_grade(world, login):
    response = _create(login(world.coordinator), world.school, count="4")
    assert response.status_code == 302
    assert _labels(world.school) == [
        "三年级(2)班",
        "三年级(3)班",
        "三年级(4)班",
        "三年级(5)班",
        "三年级(6)班",
        "四年级(1)班",
    ]
    assert AuditEvent.objects.filter(school=world.school, target__contains="三年级(3)班至三年级(6)班").exists()


def test_a_double_submit_creates_the_classes_once(world, login):
    client = login(world.coordinator)
    seen = classes_state(world.school)
    assert _create(client, world.school, seen=seen).status_code == 302
    response = _create(client, world.school, seen=seen)
    assert response.status_code == 200 and "可能是重复提交" in response.content.decode()
    assert SchoolClass.objects.filter(school=world.school, grade=3).count() == 3


def test_a_class_that_exists_is_refused_and_none_is_created(world, login):
    response = _create(login(world.principal), world.school, first_number="1", count="3")
    assert response.status_code == 200
    assert "三年级(2)班已存在，没有新建任何班级" in response.content.decode()
    assert SchoolClass.objects.filter(school=world.school, grade=3).count() == 1


def test_only_grades_of_the_schools_span_are_offered_and_accepted(world, login):
    response = _create(login(world.principal), world.school, grade="8")
    assert response.status_code == 200
    assert "本校学段没有该年级" in response.content.decode()
    assert not SchoolClass.objects.filter(school=world.school, grade=8).exists()


def test_the_class_list_shows_head_teachers_enrolment_and_archives(world, login, django_assert_max_num_queries):
    ChildFactory(school_class=world.school_class)
    for n in range(3, 9):
        SchoolClassFactory(school=world.school, grade=5, number=n, head_teacher=StaffFactory(school=world.school).user)
    client = login(world.coordinator)
    client.get(reverse("school:classes"))  # warm the session
    with django_assert_max_num_queries(13):  # +1 since the menu counts (the bell); the case count is cached per request
        response = client.get(reverse("school:classes"))
    text = response.content.decode()
    assert "三年级(2)班" in text and "学生档案 1 份" in text and "陈老师" in text


def test_a_head_teacher_is_set_replaced_and_cleared(world, login):
    client = login(world.coordinator)
    url = reverse("school:class_head_teacher", args=[world.other_class.pk])
    client.post(url, {"teacher": world.mentor.pk})
    world.other_class.refresh_from_db()
    assert world.other_class.head_teacher == world.mentor
    assert get_roles(User.objects.get(pk=world.mentor.pk)).is_class_teacher
    client.post(url, {"teacher": ""})
    world.other_class.refresh_from_db()
    assert world.other_class.head_teacher is None


def test_one_teacher_heads_one_class_only_and_is_told_so(world, login):
    client = login(world.coordinator)
    response = client.post(
        reverse("school:class_head_teacher", args=[world.other_class.pk]),
        {"teacher": world.class_teacher.pk},
        follow=True,
    )
    assert "陈老师已是三年级(2)班的班主任，一名教师只能担任一个班的班主任" in response.content.decode()
    world.other_class.refresh_from_db()
    assert world.other_class.head_teacher is None


def test_a_teacher_of_another_school_cannot_head_a_class(world, login):
    response = login(world.coordinator).post(
        reverse("school:class_head_teacher", args=[world.other_class.pk]),
        {"teacher": world.other_teacher.pk},
        follow=True,
    )
    assert "请选择本校在职的教师" in response.content.decode()
    world.other_class.refresh_from_db()
    assert world.other_class.head_teacher is None


def test_a_teacher_who_left_cannot_head_a_class(world):
    from django.core.exceptions import ValidationError

    from caretrack.services import school as services

    gone = StaffFactory(school=world.school, left_on=date(2026, 10, 1)).user
    with pytest.raises(ValidationError, match="在职"):
        services.set_head_teacher(school_class=world.other_class, teacher=gone, acting_user=world.principal)


def test_a_class_enrolment_is_saved_and_cleared(world, login):
    client = login(world.coordinator)
    url = reverse("school:class_enrolment", args=[world.other_class.pk])
    client.post(url, {"enrolled_students": "38"})
    world.other_class.refresh_from_db()
    assert world.other_class.enrolled_students == 38
    response = client.post(url, {"enrolled_students": "-1"}, follow=True)
    assert "在校学生数不能为负数" in response.content.decode()
    world.other_class.refresh_from_db()
    assert world.other_class.enrolled_students == 38
    client.post(url, {"enrolled_students": ""})
    world.other_class.refresh_from_db()
    assert world.other_class.enrolled_students is None


def test_an_empty_class_is_deleted(world, login):
    response = login(world.principal).post(reverse("school:class_delete", args=[world.other_class.pk]))
    assert response.status_code == 302
    assert not SchoolClass.objects.filter(pk=world.other_class.pk).exists()


def test_a_class_that_ever_had_a_child_is_not_deleted(world, login):
    ChildFactory(school_class=world.other_class, status="transferred", left_on=date(2026, 10, 1))
    response = login(world.principal).post(reverse("school:class_delete", args=[world.other_class.pk]), follow=True)
    assert "有学生档案（包括已转出、已毕业的学生），不能删除" in response.content.decode()
    assert SchoolClass.objects.filter(pk=world.other_class.pk).exists()


def test_a_class_of_another_school_answers_not_found(world, login):
    client = login(world.other_principal)
    assert client.post(reverse("school:class_delete", args=[world.school_class.pk])).status_code == 404
    assert client.post(reverse("school:class_head_teacher", args=[world.school_class.pk])).status_code == 404
    assert SchoolClass.objects.filter(pk=world.school_class.pk).exists()
