"""The archive's version: a save from an edit page opened before someone else's save is refused with what
changed, instead of silently undoing it; every write path raises the version."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent
from children import services
from children.models import Child, Parent
from tests.children.test_archive_pages import archive_post, shown_versions

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(world):
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    coordinator.post(reverse("children:create"), archive_post(world))
    child = Child.objects.get()
    return coordinator, child, reverse("children:edit", args=[child.pk])


def test_the_second_of_two_tabs_is_refused_and_the_first_tabs_value_survives(archive, world):
    client, child, url = archive
    first_tab, second_tab = shown_versions(client.get(url)), shown_versions(client.get(url))
    saved = client.post(url, archive_post(world, **first_tab, **{"father-phone": "13800001111"}))
    assert saved.status_code == 302
    refused = client.post(url, archive_post(world, **second_tab, **{"father-phone": "13600002222"}))
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "您打开此页面后" in html and "保存了该档案" in html and "本次没有保存" in html
    assert "父亲 · 联系电话：13912345678 → 13800001111" in html
    assert 'value="13600002222"' in html  # what was typed in the second tab is kept on the page
    assert Parent.objects.get(child=child, role="father").phone == "13800001111"


def test_a_colleague_adding_a_grandparent_is_shown_when_the_stale_form_is_refused(archive, world):
    client, child, url = archive
    opened = shown_versions(client.get(url))
    teacher = Client()
    teacher.force_login(world.class_teacher)
    teacher.post(url, archive_post(world, **shown_versions(teacher.get(url)), **{"mgm-name": "李外婆"}))
    refused = client.post(url, archive_post(world, **opened, **{"child-interests": "书法"}))
    assert "祖辈：外祖母 · 姓名：（空） → 李外婆" in refused.content.decode()
    assert not Child.objects.filter(interests="书法").exists()


def test_reopening_the_page_after_a_colleagues_save_saves_normally(archive, world):
    client, child, url = archive
    teacher = Client()
    teacher.force_login(world.class_teacher)
    teacher.post(url, archive_post(world, **shown_versions(teacher.get(url)), **{"father-phone": "13800001111"}))
    reopened = shown_versions(client.get(url))
    response = client.post(
        url, archive_post(world, **reopened, **{"father-phone": "13800001111", "child-interests": "书法"})
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.interests == "书法" and child.version == int(reopened["archive-version"]) + 1


def test_a_double_tap_on_save_is_not_reported_as_a_conflict(archive, world):
    client, child, url = archive
    data = archive_post(world, **shown_versions(client.get(url)), **{"child-interests": "书法"})
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"] == reverse("children:detail", args=[child.pk])


def test_a_post_without_the_version_is_refused_and_saves_nothing(archive, world):
    client, child, url = archive
    response = client.post(url, archive_post(world, **{"child-interests": "书法"}))
    assert "页面已过期，请重新打开编辑页面" in response.content.decode()
    assert not Child.objects.filter(interests="书法").exists()


def test_every_write_path_raises_the_version(archive, world):
    _, child, _ = archive
    start = Child.objects.get(pk=child.pk).version
    services.update_parent_status(
        child=child, role="father", values={"away_status": "home"}, on=date(2026, 11, 10), reason="返乡",
        acting_user=world.coordinator,
    )  # fmt: skip
    assert Child.objects.get(pk=child.pk).version == start + 1
    services.update_child_fields(
        school=world.school, updates=[(Child.objects.get(pk=child.pk), {"interests": "书法"})],
        acting_user=world.coordinator, reason="Excel导入：a.xlsx", on=date(2026, 11, 10),
    )  # fmt: skip
    assert Child.objects.get(pk=child.pk).version == start + 2
    assert Child.history.filter(id=child.pk).latest("history_date").version == start + 2
    stale = Child.objects.get(pk=child.pk)
    with pytest.raises(services.StaleArchive):
        services.save_archive(
            school=world.school, data=services.ArchiveData(child={"interests": "绘画"}), acting_user=world.coordinator,
            child=stale, expected_version=start,
        )  # fmt: skip
    assert Child.objects.get(pk=child.pk).interests == "书法"


def test_the_edit_page_shows_full_identifiers_and_records_the_view(archive, world):
    client, child, url = archive
    AuditEvent.objects.all().delete()
    assert "13912345678" in client.get(url).content.decode()
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.VIEW_CHILD and event.user == world.coordinator


def test_someone_who_cannot_edit_gets_404_on_the_edit_page_and_no_audit_row(archive, world):
    _, child, url = archive
    AuditEvent.objects.all().delete()
    for user in (world.mentor, world.other_teacher, world.bureau):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    assert not AuditEvent.objects.exists()
