"""County administration: the bureau administrator lists their schools and adds one with its principal."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from caretrack.models import AuditEvent, School, StaffProfile
from tests.factories import ChildFactory, SchoolFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_admin(world):
    profile = StaffFactory(
        school=None, is_bureau=True, is_bureau_admin=True, is_teacher=False, user__first_name="局管理员"
    )
    profile.bureau_schools.set([world.school, world.other_school])
    return profile.user


def _post(**overrides):
    data = {
        "name": "龙潭镇中学",
        "county": "溆浦县",
        "address": "龙潭镇新街1号",
        "grade_span": "junior",
        "principal_name": "向明",
        "principal_gender": "M",
        "principal_phone": "13607450001",
    }
    data.update(overrides)
    return data


def test_the_admin_lists_their_schools_with_staff_counts_and_no_child_data(
    world, bureau_admin, login, django_assert_max_num_queries
):
    child = ChildFactory(school_class=world.school_class, name="王小明")
    for _ in range(4):
        SchoolFactory().bureau_users.add(bureau_admin.profile)
    client = login(bureau_admin)
    client.get(reverse("county:schools"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("county:schools"))
    text = response.content.decode()
    assert "思蒙镇中心小学" in text and "教职工 4 人" in text and "桥江镇第一小学" in text
    assert child.name not in text
    assert "学校管理" in text  # the menu entry


def test_the_admin_adds_a_school_with_its_first_principal_and_sees_the_password_once(world, bureau_admin, login):
    client = login(bureau_admin)
    response = client.post(reverse("county:school_create"), _post())
    assert response.status_code == 200
    school = School.objects.get(name="龙潭镇中学")
    assert school.grade_span == "junior" and school in bureau_admin.profile.bureau_schools.all()
    principal = StaffProfile.objects.get(school=school)
    assert principal.is_principal and principal.must_change_password and principal.phone == "13607450001"
    text = response.content.decode()
    assert principal.user.username in text and "初始密码" in text and "data-print" in text
    password = text.split("data-password>")[1].split("<")[0]
    assert User.objects.get(pk=principal.user.pk).check_password(password)
    assert response["Cache-Control"].startswith("max-age=0")
    event = AuditEvent.objects.get(school=school)
    assert event.user == bureau_admin and password not in str(event.detail)
    # The list no longer offers it to anyone but the admin, and the school is in their list.
    assert "龙潭镇中学" in client.get(reverse("county:schools")).content.decode()


def test_a_duplicate_school_name_is_refused_and_nothing_is_created(world, bureau_admin, login):
    response = login(bureau_admin).post(reverse("county:school_create"), _post(name="思蒙镇中心小学"))
    assert response.status_code == 200
    assert "已有名为“思蒙镇中心小学”的学校" in response.content.decode()
    assert not StaffProfile.objects.filter(phone="13607450001").exists()


def test_a_double_submit_creates_one_school(world, bureau_admin, login):
    client = login(bureau_admin)
    client.post(reverse("county:school_create"), _post())
    response = client.post(reverse("county:school_create"), _post())
    assert "已有名为“龙潭镇中学”的学校" in response.content.decode()
    assert School.objects.filter(name="龙潭镇中学").count() == 1
    assert StaffProfile.objects.filter(phone="13607450001").count() == 1


def test_a_bad_or_used_phone_is_refused(world, bureau_admin, login):
    client = login(bureau_admin)
    response = client.post(reverse("county:school_create"), _post(principal_phone="12345"))
    assert response.status_code == 200 and not School.objects.filter(name="龙潭镇中学").exists()
    response = client.post(reverse("county:school_create"), _post(principal_phone="13800000000"))
    assert "该手机号已被其他账号使用" in response.content.decode()
    assert not School.objects.filter(name="龙潭镇中学").exists()


def test_only_a_bureau_administrator_manages_schools(world, login):
    for user in (world.bureau, world.principal, world.class_teacher):
        client = login(user)
        assert client.get(reverse("county:schools")).status_code == 403
        assert client.post(reverse("county:school_create"), _post()).status_code == 403
    assert not School.objects.filter(name="龙潭镇中学").exists()
