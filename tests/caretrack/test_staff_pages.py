"""The staff pages over HTTP, as the principal and the coordinator use them on a phone, and who may open
them (everyone else gets 403 or 404, never a 500)."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditEvent, SchoolClass, StaffProfile
from tests.conftest import PERSONAS
from tests.factories import SchoolClassFactory, StaffFactory


def _add_form(client):
    """The add page, and the once-only token it carries."""
    response = client.get(reverse("staff:add"))
    assert response.status_code == 200
    return response.context["once"]


def test_list_shows_roles_head_classes_and_leavers(world, login):
    StaffProfile.objects.filter(user=world.mentor).update(left_on=date(2026, 9, 30), left_reason="调离：桥江镇第一小学")
    User.objects.filter(pk=world.mentor.pk).update(is_active=False)
    html = login(world.principal).get(reverse("staff:list")).content.decode()
    assert "李校长" in html and "关爱工作负责人" in html and "三年级(2)班班主任" in html
    assert "已离职" in html and "2026-09-30" in html and "调离：桥江镇第一小学" in html
    assert "外校老师" not in html  # another school's staff


def test_list_has_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.principal)
    client.get(reverse("staff:list"))  # warm the session
    for i in range(25):
        user = StaffFactory(school=world.school, phone=f"139000000{i:02d}").user
        SchoolClassFactory(school=world.school, grade=5, number=i + 1, head_teacher=user)
    # session, user, roles (profile, 班主任?, mentor?), the staff with profiles, their classes, session save (3)
    # +2 since the menu has counts: the bell's unread notifications, the open cases of 待处理
    with django_assert_max_num_queries(12):
        response = client.get(reverse("staff:list"))
    assert response.content.decode().count("班主任</span>") >= 26


def test_principal_adds_a_teacher_and_sees_the_first_password_once(world, login):
    client = login(world.principal)
    once = _add_form(client)
    data = {"once": once, "name": "王小红", "gender": "F", "phone": "13911112222", "roles": ["teacher"],
            "head_of": world.other_class.pk}  # fmt: skip
    response = client.post(reverse("staff:add"), data)
    assert response.status_code == 302 and response["Location"] == reverse("staff:new_accounts")
    again = client.post(reverse("staff:add"), data)  # a double tap
    assert again["Location"] == reverse("staff:list")
    assert User.objects.filter(first_name="王小红").count() == 1

    page = client.get(reverse("staff:new_accounts")).content.decode()
    assert "wangxiaohong" in page and "思蒙镇中心小学" in page and "首次登录后须修改密码" in page
    assert "/accounts/login/" in page
    assert client.get(reverse("staff:new_accounts")).status_code == 302
    assert SchoolClass.objects.get(pk=world.other_class.pk).head_teacher.first_name == "王小红"


def test_class_with_a_head_teacher_is_named_on_the_form(world, login):
    client = login(world.principal)
    data = {"name": "孙老师", "roles": ["teacher"], "head_of": world.school_class.pk}
    response = client.post(reverse("staff:add"), {**data, "once": _add_form(client)})
    assert response.status_code == 200
    assert "三年级(2)班已有班主任 陈老师" in response.content.decode()
    assert not User.objects.filter(first_name="孙老师").exists()
    response = client.post(reverse("staff:add"), {**data, "once": response.context["once"], "replace_head": "on"})
    assert response.status_code == 302
    assert SchoolClass.objects.get(pk=world.school_class.pk).head_teacher.first_name == "孙老师"


def test_bad_phone_is_shown_on_the_form(world, login):
    client = login(world.principal)
    response = client.post(
        reverse("staff:add"), {"once": _add_form(client), "name": "王老师", "phone": "12345", "roles": ["teacher"]}
    )
    assert "11位手机号" in response.content.decode()
    response = client.post(
        reverse("staff:add"),
        {"once": response.context["once"], "name": "王老师", "phone": "13800000000", "roles": ["teacher"]},
    )
    assert "已被其他在职账号使用" in response.content.decode()
    assert not User.objects.filter(first_name="王老师").exists()


def test_coordinator_adds_teachers_without_choosing_roles(world, login):
    client = login(world.coordinator)
    response = client.get(reverse("staff:add"))
    assert "roles" not in response.context["form"].fields
    client.post(reverse("staff:add"), {"once": response.context["once"], "name": "钱老师", "roles": ["principal"]})
    profile = StaffProfile.objects.get(user__first_name="钱老师")
    assert profile.is_teacher and not profile.is_principal
    assert client.get(reverse("staff:edit", args=[world.mentor.pk])).status_code == 403


def test_principal_edits_roles_and_phone(world, login):
    client = login(world.principal)
    url = reverse("staff:edit", args=[world.mentor.pk])
    assert client.get(url).context["form"].initial["phone"] == "13800000000"
    response = client.post(url, {"name": "刘老师", "phone": "13966667777", "roles": ["teacher", "coordinator"]})
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user=world.mentor)
    assert profile.phone == "13966667777" and profile.is_coordinator


def test_principal_resets_a_password_and_gets_a_slip(world, login, client):
    response = login(world.principal).post(reverse("staff:reset_password", args=[world.mentor.pk]))
    assert response["Location"] == reverse("staff:new_accounts")
    page = client.get(reverse("staff:new_accounts"))
    password = page.context["accounts"][0]["password"]
    assert password in page.content.decode()
    client.logout()
    assert client.login(username=world.mentor.username, password=password)


def test_principal_registers_a_leaving(world, login):
    client = login(world.principal)
    url = reverse("staff:deactivate", args=[world.class_teacher.pk])
    response = client.post(url, {"on": "2026-09-30", "reason": "其他"})
    assert "请填写说明" in response.content.decode()
    response = client.post(url, {"on": timezone.localdate().isoformat(), "reason": "调离", "note": "桥江镇第一小学"})
    assert response.status_code == 302
    world.class_teacher.refresh_from_db()
    assert not world.class_teacher.is_active
    assert world.class_teacher.profile.left_reason == "调离：桥江镇第一小学"
    assert SchoolClass.objects.get(pk=world.school_class.pk).head_teacher is None


def test_principal_cannot_register_their_own_leaving(world, login):
    response = login(world.principal).post(
        reverse("staff:deactivate", args=[world.principal.pk]),
        {"on": timezone.localdate().isoformat(), "reason": "退休"},
    )
    assert "不能为自己登记离职" in response.content.decode()
    assert User.objects.get(pk=world.principal.pk).is_active
    assert not AuditEvent.objects.exists()


# --- Who may open what ------------------------------------------------------------------------------

VIEWERS = {"principal", "coordinator", "other_principal"}  # another school's principal sees their own
PAGES = {
    "staff:list": ("get", VIEWERS, False),
    "staff:add": ("get", VIEWERS, False),
    "staff:new_accounts": ("get", VIEWERS, False),
    "staff:import": ("get", VIEWERS, False),
    "staff:import_confirm": ("post", VIEWERS, False),
    "staff:import_template": ("get", VIEWERS, False),
    "staff:edit": ("get", {"principal"}, True),
    "staff:reset_password": ("post", {"principal"}, True),
    "staff:deactivate": ("get", {"principal"}, True),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(PAGES))
def test_staff_pages_answer_each_persona(world, client, persona, url_name):
    method, allowed, needs_member = PAGES[url_name]
    url = reverse(url_name, args=[world.mentor.pk] if needs_member else [])
    client.force_login(getattr(world, persona))
    response = getattr(client, method)(url)
    if persona in allowed:
        assert response.status_code in (200, 302)
    elif persona == "other_principal":
        assert response.status_code == 404  # their role may, but the member is of another school
    else:
        assert response.status_code in (403, 404)


def test_a_member_of_another_school_is_not_found(world, login):
    client = login(world.principal)
    assert client.get(reverse("staff:edit", args=[world.other_teacher.pk])).status_code == 404
    assert client.post(reverse("staff:reset_password", args=[world.other_teacher.pk])).status_code == 404


def test_editing_the_phone_of_a_teacher_heading_two_classes_keeps_both(world, login):
    SchoolClass.objects.filter(pk=world.other_class.pk).update(head_teacher=world.class_teacher)
    response = login(world.principal).post(
        reverse("staff:edit", args=[world.class_teacher.pk]),
        {"name": "陈老师", "phone": "13966667777", "roles": ["teacher"], "head_of": ""},
    )
    assert response.status_code == 302
    assert SchoolClass.objects.filter(head_teacher=world.class_teacher).count() == 2
