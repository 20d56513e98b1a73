"""关爱工作领导小组: add, edit, order and remove members; one 组长."""

import pytest
from django.urls import reverse

from caretrack.models import AuditEvent, LeadingGroupMember
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _add(client, user, **data):
    post = {"user": user.pk, "position": "member", "title": "", "responsibility": "", "order": "0"}
    post.update(data)
    return client.post(reverse("school:leading_group_add"), post)


def test_members_are_added_and_listed_in_their_order(world, login, django_assert_max_num_queries):
    client = login(world.coordinator)
    _add(client, world.principal, position="leader", title="校长", responsibility="全面负责", order="1")
    _add(client, world.coordinator, position="deputy", title="德育主任", order="2")
    for _ in range(5):
        _add(client, StaffFactory(school=world.school).user, order="9")
    client.get(reverse("school:leading_group"))  # shows (and clears) the messages of the additions
    with django_assert_max_num_queries(11):  # session (read, save: 3), user, roles (3), the members, menu counts (2)
        response = client.get(reverse("school:leading_group"))
    text = response.content.decode().split('<ul class="list-group">')[1]
    assert text.index("李校长") < text.index("周主任")
    assert "组长" in text and "全面负责" in text
    assert LeadingGroupMember.objects.filter(school=world.school).count() == 7


def test_the_group_has_one_leader_only(world, login):
    client = login(world.principal)
    _add(client, world.principal, position="leader")
    response = _add(client, world.coordinator, position="leader")
    assert response.status_code == 200
    assert "领导小组只能有一名组长（现为李校长）" in response.content.decode()
    assert not LeadingGroupMember.objects.filter(user=world.coordinator).exists()


def test_a_member_is_in_the_group_once(world, login):
    client = login(world.principal)
    _add(client, world.mentor)
    response = _add(client, world.mentor)
    assert "刘老师已在领导小组中" in response.content.decode()
    assert LeadingGroupMember.objects.filter(user=world.mentor).count() == 1


def test_staff_of_another_school_cannot_be_added(world, login):
    response = _add(login(world.principal), world.other_teacher)
    assert response.status_code == 200 and "请选择本校在职的教职工" in response.content.decode()
    assert not LeadingGroupMember.objects.exists()


def test_a_member_is_edited_and_the_leader_can_change_hands(world, login):
    client = login(world.principal)
    _add(client, world.principal, position="leader")
    member = LeadingGroupMember.objects.get(user=world.principal)
    response = client.post(
        reverse("school:leading_group_edit", args=[member.pk]),
        {"user": world.principal.pk, "position": "deputy", "title": "校长", "responsibility": "督导", "order": "3"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.position, member.responsibility, member.order) == ("deputy", "督导", 3)
    assert _add(client, world.coordinator, position="leader").status_code == 302


def test_a_member_is_removed_and_the_removal_audited(world, login):
    client = login(world.coordinator)
    _add(client, world.mentor)
    member = LeadingGroupMember.objects.get(user=world.mentor)
    response = client.post(reverse("school:leading_group_remove", args=[member.pk]))
    assert response.status_code == 302
    assert not LeadingGroupMember.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(school=world.school, target__contains="移除").exists()


def test_another_schools_member_answers_not_found(world, login):
    member = LeadingGroupMember.objects.create(school=world.school, user=world.mentor, position="member")
    client = login(world.other_principal)
    assert client.get(reverse("school:leading_group_edit", args=[member.pk])).status_code == 404
    assert client.post(reverse("school:leading_group_remove", args=[member.pk])).status_code == 404
    assert LeadingGroupMember.objects.filter(pk=member.pk).exists()
