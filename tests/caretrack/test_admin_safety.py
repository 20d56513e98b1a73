"""The installation admin cannot bypass services and audit: the archive and the logs are read-only there
with identifiers masked, users are deactivated rather than deleted, and every change it can make is
audited."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import ProtectedError
from django.forms.models import model_to_dict
from django.urls import reverse

from caretrack.audit import record
from caretrack.models import AuditAction, AuditEvent, School, SchoolClass
from children.models import Child
from mentoring.models import Talk
from tests.factories import (
    ChildFactory,
    ExternalMentorFactory,
    GuardianFactory,
    ParentFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffFactory,
    TalkFactory,
    UserFactory,
    valid_id_number,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_id_number()
PARENT_ID_NUMBER = "430103198001010014"


def _url(obj, view: str) -> str:
    opts = obj._meta
    args = [obj.pk] if view in ("change", "delete", "history") else []
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _admin_user() -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def family():
    child = ChildFactory(id_number=ID_NUMBER)
    parent = ParentFactory(child=child, id_number=PARENT_ID_NUMBER)
    guardian = GuardianFactory(child=child, id_number="430103195801010028")
    talk = TalkFactory(child=child)
    return child, parent, guardian, talk


def test_the_child_page_in_the_admin_shows_the_id_number_masked_only(admin_client, family):
    child, _, _, _ = family
    page = admin_client.get(_url(child, "change"))
    assert page.status_code == 200
    html = page.content.decode()
    assert ID_NUMBER not in html
    assert f"{ID_NUMBER[:4]}**********{ID_NUMBER[-4:]}" in html
    assert 'name="_save"' not in html  # nothing to submit


@pytest.mark.parametrize("which", ["parent", "guardian"])
def test_family_pages_and_lists_in_the_admin_show_phones_and_id_numbers_masked(admin_client, family, which):
    _, parent, guardian, _ = family
    member = parent if which == "parent" else guardian
    for url in (_url(member, "change"), _url(member, "changelist")):
        html = admin_client.get(url).content.decode()
        assert member.phone not in html, url
        assert member.id_number not in html, url
    assert "****" in admin_client.get(_url(member, "changelist")).content.decode()


def test_an_external_mentors_phone_is_masked_in_the_admin(admin_client):
    mentor = ExternalMentorFactory()
    for url in (_url(mentor, "change"), _url(mentor, "changelist")):
        assert mentor.phone not in admin_client.get(url).content.decode()


def test_deleting_a_child_in_the_admin_is_refused_and_keeps_its_talks(admin_client, family):
    child, _, _, talk = family
    assert admin_client.get(_url(child, "delete")).status_code == 403
    assert admin_client.post(_url(child, "delete"), {"post": "yes"}).status_code == 403
    # Nor through the changelist's bulk action, which is not offered.
    changelist = admin_client.get(_url(child, "changelist")).content.decode()
    assert "delete_selected" not in changelist
    admin_client.post(
        _url(child, "changelist"), {"action": "delete_selected", "_selected_action": [child.pk], "post": "yes"}
    )
    assert Child.objects.filter(pk=child.pk).exists()
    assert Talk.all_objects.filter(pk=talk.pk).exists()


def test_archive_and_logs_cannot_be_added_or_changed_in_the_admin(admin_client, family):
    child, parent, _, talk = family
    assert admin_client.get(_url(child, "add")).status_code == 403
    assert admin_client.get(_url(talk, "add")).status_code == 403
    data = {"name": "改名", "role": parent.role, "away_status": parent.away_status}
    assert admin_client.post(_url(parent, "change"), data).status_code == 403
    assert admin_client.post(_url(talk, "change"), {"text": "改过"}).status_code == 403
    talk.refresh_from_db()
    assert talk.text != "改过"


def test_every_admin_change_page_answers_for_an_existing_row(admin_client, family):
    ExternalMentorFactory()
    StaffFactory()
    for model in admin.site._registry:
        manager = getattr(model, "all_objects", model._default_manager)
        obj = manager.order_by("pk").first()
        if obj is None:
            continue
        assert admin_client.get(_url(obj, "change")).status_code == 200, model._meta.label


def _change_form_data(model_admin, obj) -> dict:
    data = {}
    for name, value in model_to_dict(obj, fields=model_admin.get_form(None, obj).base_fields).items():
        if value is False or value is None:
            continue
        data[name] = [v.pk for v in value] if isinstance(value, list) else value
    return data


def test_changing_a_school_in_the_admin_is_audited_with_the_admin_as_actor(admin_client):
    school = SchoolFactory(name="城关小学")
    data = _change_form_data(admin.site._registry[School], school) | {"name": "城关完全小学"}
    response = admin_client.post(_url(school, "change"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.user == _admin_user() and event.school == school
    assert f"caretrack.school #{school.pk}" in event.target
    assert event.detail["fields"] == ["name"] and event.detail["via"] == "admin"


def test_adding_and_deleting_a_class_in_the_admin_is_audited(admin_client):
    school = SchoolFactory()
    response = admin_client.post(
        reverse("admin:caretrack_schoolclass_add"), {"school": school.pk, "grade": 3, "number": 2}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    school_class = SchoolClass.objects.get(school=school, grade=3, number=2)
    created = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert created.user == _admin_user() and f"#{school_class.pk}" in created.target

    other = SchoolClassFactory(school=school, grade=4)
    admin_client.post(
        _url(other, "changelist"), {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"}
    )
    assert not SchoolClass.objects.filter(pk=other.pk).exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert deleted.user == _admin_user() and f"caretrack.schoolclass #{other.pk}" in deleted.target


def test_a_user_with_audit_rows_cannot_be_deleted_but_can_be_deactivated(admin_client):
    teacher = StaffFactory().user
    record(user=teacher, action=AuditAction.EXPORT, target="台账")
    assert admin_client.get(_url(teacher, "delete")).status_code == 403
    assert admin_client.post(_url(teacher, "delete"), {"post": "yes"}).status_code == 403
    assert "delete_selected" not in admin_client.get(_url(teacher, "changelist")).content.decode()
    with pytest.raises(ProtectedError):
        teacher.delete()
    assert User.objects.filter(pk=teacher.pk).exists()

    response = admin_client.post(
        _url(teacher, "changelist"), {"action": "deactivate", "_selected_action": [teacher.pk]}, follow=True
    )
    assert "已停用 1 个用户" in response.content.decode()
    teacher.refresh_from_db()
    assert not teacher.is_active
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.user == _admin_user() and f"auth.user #{teacher.pk}" in event.target
    assert event.detail["fields"] == ["is_active"]
    assert AuditEvent.objects.filter(user=teacher).count() == 1  # "who" is kept


def test_the_admin_cannot_deactivate_their_own_account(admin_client):
    me = _admin_user()
    admin_client.post(_url(me, "changelist"), {"action": "deactivate", "_selected_action": [me.pk]})
    me.refresh_from_db()
    assert me.is_active


def test_changing_a_password_in_the_admin_is_audited(admin_client):
    teacher = UserFactory()
    url = reverse("admin:auth_user_password_change", args=[teacher.pk])
    response = admin_client.post(url, {"password1": "新的密码-x9Qv!2", "password2": "新的密码-x9Qv!2"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.user == _admin_user() and event.detail["fields"] == ["password"]
