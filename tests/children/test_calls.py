"""拨打: a mentor or the class teacher calls a child's parent or guardian with one tap. The child page keeps
the number masked for a mentor; the tap hands the full number to the phone's dialer (tel:) and is recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from tests.factories import ChildFactory, GuardianFactory, PairingFactory, ParentFactory


@pytest.fixture
def family(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="向嘉懿")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    father = ParentFactory(child=child, phone="13912345678")
    guardian = GuardianFactory(child=child, phone="0745-3221234")
    return child, father, guardian


def calls():
    return AuditEvent.objects.filter(action=AuditAction.VIEW_CHILD, detail__kind="call")


@pytest.mark.parametrize("who", ["mentor", "class_teacher"])
def test_a_mentor_or_the_class_teacher_calls_the_family_with_one_tap(client, world, family, who):
    child, father, guardian = family
    user = getattr(world, who)
    client.force_login(user)
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert reverse("children:call_parent", args=[father.pk]) in page
    assert reverse("children:call_guardian", args=[guardian.pk]) in page
    if who == "mentor":
        assert "13912345678" not in page  # masked on the page: the number leaves only through the tap

    response = client.get(reverse("children:call_parent", args=[father.pk]))
    assert response.status_code == 302 and response["Location"] == "tel:13912345678"
    response = client.get(reverse("children:call_guardian", args=[guardian.pk]))
    assert response["Location"] == "tel:07453221234"
    assert sorted(calls().values_list("user", "target")) == [
        (user.pk, "拨打电话：向嘉懿的父亲"),
        (user.pk, "拨打电话：向嘉懿的监护人（祖母）"),
    ]


def test_a_teacher_of_another_school_gets_no_number_and_nothing_is_recorded(client, world, family):
    _child, father, guardian = family
    client.force_login(world.other_teacher)
    assert client.get(reverse("children:call_parent", args=[father.pk])).status_code == 404
    assert client.get(reverse("children:call_guardian", args=[guardian.pk])).status_code == 404
    assert not calls().exists()


def test_no_number_on_file_says_so_on_the_child_page(client, world, family):
    child, father, _guardian = family
    father.phone = ""
    father.save()
    client.force_login(world.mentor)
    response = client.get(reverse("children:call_parent", args=[father.pk]), follow=True)
    assert "档案中没有该联系人的电话" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("children:detail", args=[child.pk])
    assert not calls().exists()
