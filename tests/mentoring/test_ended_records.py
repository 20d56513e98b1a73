"""A record that left the roll (毕业, 转出) is read-only for mentoring too: its page opens, but nobody can add
a talk or a visit to it any more."""

import pytest
from django.urls import reverse

from children.models import EnrolmentStatus
from mentoring.models import Talk
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [EnrolmentStatus.GRADUATED, EnrolmentStatus.TRANSFERRED])
def test_nobody_adds_a_log_to_a_record_that_left_the_roll(login, world, status):
    child = ChildFactory(school_class=world.school_class, status=status)
    client = login(world.coordinator)
    url = reverse("mentoring:talk_create", kwargs={"pk": child.pk})
    assert client.get(url).status_code == 403
    response = client.post(url, {"date": "2026-10-12", "text": "谈心：最近学习很认真。", "place": "office"})
    assert response.status_code == 403
    assert "只能查看，不能再添加记录" in response.content.decode()
    assert not Talk.objects.filter(child=child).exists()


def test_a_pupil_on_the_roll_still_takes_logs(login, world):
    child = ChildFactory(school_class=world.school_class, status=EnrolmentStatus.SUSPENDED)
    url = reverse("mentoring:talk_create", kwargs={"pk": child.pk})
    assert login(world.coordinator).get(url).status_code == 200
