"""Mentors hear about their overdue students once a week (counts only, no child named), in the app and by
e-mail, and their 待办 on 我的学生 lists the overdue talks, visits and contacts with links."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from caretrack.models import Notification
from caretrack.tasks import tasks_for
from mentoring.reminders import overdue_log_reminders
from mentoring.tasks import overdue_log_tasks
from tests.caretrack.notify_servers import smtp_server_fixture  # noqa: F401 (fixture)
from tests.factories import ChildFactory, PairingFactory, StaffFactory, TalkFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 9, 21)  # the week of 14 … 20 September was a whole week of the autumn term


@pytest.fixture
def students(world):
    """The mentor's three students: two without a talk last week (overdue), one who had one."""
    late = [
        ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=name)
        for name in ("欧阳小明", "王小红")
    ]
    fine = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="李小军")
    for child in [*late, fine]:
        PairingFactory(child=child, mentor=world.mentor, start_date=date(2026, 9, 1))
    TalkFactory(child=fine, author=world.mentor, date=date(2026, 9, 16))
    return late, fine


def mine(messages):
    return [m for m in messages if m.key.startswith("overdue-logs:")]


def test_a_mentor_with_overdue_students_gets_one_message_counting_them(world, students):
    (message,) = mine(overdue_log_reminders(MONDAY))

    assert message.recipients == (world.mentor,)
    assert message.key == f"overdue-logs:{world.mentor.pk}:2026-W39"
    assert message.title == "您有 2 名学生本周谈心逾期"
    assert message.body.startswith("逾期：谈心 2 名。")
    assert message.link == reverse("mentoring:my_students")
    text = message.title + message.body
    assert "欧阳" not in text and "王小红" not in text  # counts only


def test_a_mentor_whose_students_are_on_time_gets_nothing(world, students):
    late, _ = students
    for child in late:
        TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 18))

    assert mine(overdue_log_reminders(MONDAY)) == []


def test_each_mentor_hears_only_about_their_own_students(world, students):
    other = StaffFactory(school=world.school).user
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    PairingFactory(child=child, mentor=other, start_date=date(2026, 9, 1))

    by_recipient = {m.recipients: m.title for m in mine(overdue_log_reminders(MONDAY))}

    assert by_recipient == {(world.mentor,): "您有 2 名学生本周谈心逾期", (other,): "您有 1 名学生本周谈心逾期"}


def test_the_reminder_is_sent_once_a_week_however_often_send_reminders_runs(
    world, students, smtp_server, django_capture_on_commit_callbacks
):
    world.mentor.email = "liu@school.example.cn"
    world.mentor.save(update_fields=["email"])

    for day in ("2026-09-21", "2026-09-21", "2026-09-23"):  # Monday twice, then Wednesday of the same week
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--date", day, stdout=StringIO())
    assert Notification.objects.filter(recipient=world.mentor, key__startswith="overdue-logs:").count() == 1
    (mail,) = [m for m in smtp_server if m["to"] == ["liu@school.example.cn"]]
    assert mail["subject"] == "您有 2 名学生本周谈心逾期"
    assert "欧阳小明" not in mail["body"] and "王小红" not in mail["body"]
    assert "/mentoring/" in mail["body"]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-09-28", stdout=StringIO())  # the next week
    assert Notification.objects.filter(recipient=world.mentor, key__startswith="overdue-logs:").count() == 2


def test_the_mentors_tasks_count_overdue_talks_with_a_link_to_my_students(world, students):
    tasks = {t.key: t for t in overdue_log_tasks(world.mentor, MONDAY)}

    assert tasks["mentoring-overdue-talks"].count == 2
    assert tasks["mentoring-overdue-talks"].label == "逾期谈心"
    assert tasks["mentoring-overdue-talks"].url == reverse("mentoring:my_students")
    assert {t.key for t in tasks_for(world.mentor, MONDAY)} >= {"mentoring-overdue-talks"}


def test_someone_who_mentors_nobody_has_no_mentoring_tasks(world, students):
    assert overdue_log_tasks(world.class_teacher, MONDAY) == []
    assert overdue_log_tasks(world.principal, MONDAY) == []
