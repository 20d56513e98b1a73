"""A first password (new account or reset) must be changed before anything else can be opened."""

import pytest
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent, StaffProfile
from caretrack.services import staff

NEW_PASSWORD = "Xin-mima-2026!"


@pytest.fixture
def newcomer(world, client):
    """A teacher just added by the principal, logged in with the first password from the slip."""
    account = staff.add_staff(school=world.school, name="王小红", roles={"teacher"}, acting_user=world.principal)
    response = client.post(reverse("login"), {"username": account.user.username, "password": account.password})
    assert response.status_code == 302
    return account


def test_first_login_leads_to_the_password_page(newcomer, client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    for url in (reverse("children:list"), reverse("staff:list"), "/admin/"):
        assert client.get(url)["Location"] == reverse("password_change")
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "请先设置一个只有您自己知道的新密码" in page.content.decode()


def test_logout_and_static_files_stay_open(newcomer, client):
    # Static files are served by whitenoise from the collected files (none in tests): it is enough that the
    # request is not sent to the password page.
    assert client.get("/static/css/slips.css").status_code != 302
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_changing_the_password_opens_the_site(newcomer, client):
    response = client.post(
        reverse("password_change"),
        {"old_password": newcomer.password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    assert not StaffProfile.objects.get(user=newcomer.user).must_change_password
    assert client.get(reverse("mentoring:my_students")).status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, user=newcomer.user).get()
    assert event.detail == {"fields": ["password"], "first_password_replaced": True}
    client.logout()
    assert client.login(username=newcomer.user.username, password=NEW_PASSWORD)


def test_keeping_the_first_password_is_refused(newcomer, client):
    response = client.post(
        reverse("password_change"),
        {"old_password": newcomer.password, "new_password1": newcomer.password, "new_password2": newcomer.password},
    )
    assert response.status_code == 200 and "新密码不能与当前密码相同" in response.content.decode()
    assert StaffProfile.objects.get(user=newcomer.user).must_change_password


def test_a_wrong_old_password_keeps_the_block(newcomer, client):
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong-one", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_a_reset_password_must_be_changed_too(world, client):
    password = staff.reset_password(user=world.mentor, acting_user=world.principal)
    client.post(reverse("login"), {"username": world.mentor.username, "password": password})
    assert client.get(reverse("mentoring:my_students"))["Location"] == reverse("password_change")


def test_colleagues_without_a_first_password_are_not_held(world, login):
    assert login(world.mentor).get(reverse("mentoring:my_students")).status_code == 200
