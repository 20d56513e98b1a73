"""Notifications in the app: one per person and key, only active people, unread counted."""

import pytest

from caretrack.models import Notification
from caretrack.notifications import Message, mark_all_read, send, unread_count


def message(*recipients, key="case-new:1", urgent=False):
    return Message(
        key=key,
        recipients=tuple(recipients),
        title="王同学（三年级2班）有新的关爱个案",
        body="请您尽快查看。",
        link="/mentoring/concerns/1/",
        urgent=urgent,
    )


@pytest.mark.django_db
def test_each_recipient_gets_the_message_once_however_often_it_is_sent(world):
    assert send(message(world.mentor, world.principal)) == 2
    assert send(message(world.mentor, world.principal)) == 0
    assert send(message(world.mentor, world.coordinator)) == 1

    assert Notification.objects.filter(key="case-new:1").count() == 3
    assert unread_count(world.mentor) == 1


def test_an_inactive_user_is_not_notified(world):
    world.mentor.is_active = False
    world.mentor.save(update_fields=["is_active"])

    assert send(message(world.mentor)) == 0
    assert unread_count(world.mentor) == 0


def test_marking_all_read_touches_only_ones_own_notifications(world):
    send(message(world.mentor, world.principal))
    send(message(world.mentor, key="case-new:2"))

    assert mark_all_read(user=world.mentor) == 2

    assert unread_count(world.mentor) == 0
    assert unread_count(world.principal) == 1
