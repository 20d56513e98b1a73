"""Notifications reach people: in the app always, by e-mail over SMTP and to a group robot when configured,
once per person and key, without a child's name, and a failed channel is retried without losing anything."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from caretrack import notifications
from caretrack.models import Delivery, DeliveryStatus, Notification
from caretrack.notifications import Message, mark_all_read, send, unread_count
from tests.caretrack.notify_servers import robot_fixture, smtp_server_fixture  # noqa: F401 (fixtures)
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

CHILD_NAME = "欧阳小明"
ID_NUMBER = valid_id_number()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://caretrack.example.edu.cn"


GROUP_TEXT = "紧急关注：欧阳同学（三年级(2)班），请负责老师尽快查看。"


def message(*recipients, key="case-new:1", urgent=False, group_text=GROUP_TEXT):
    return Message(
        key=key,
        recipients=tuple(recipients),
        title="紧急关注：欧阳同学（三年级(2)班）",
        body="心理危机，请您尽快处理。",
        link="/mentoring/concerns/1/",
        urgent=urgent,
        group_text=group_text,
    )


@pytest.fixture
def only_reminders(monkeypatch):
    """send_reminders runs just the test's reminder sources."""
    monkeypatch.setattr(notifications, "_REMINDER_SOURCES", [])
    return notifications.register_reminder_source


def with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


# --- In the app -------------------------------------------------------------------------------------


def test_each_recipient_gets_the_message_once_however_often_it_is_sent(world):
    assert send(message(world.mentor, world.principal)) == 2
    assert send(message(world.mentor, world.principal)) == 0
    assert send(message(world.mentor, world.coordinator)) == 1

    assert Notification.objects.filter(key="case-new:1").count() == 3
    assert unread_count(world.mentor) == 1


def test_a_message_links_only_to_a_page_of_this_site(world):
    for link in ("https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            Message("k", (world.mentor,), "标题", "", link)


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


def test_a_person_sees_only_their_own_notifications_newest_first_unread_marked(world, login):
    send(message(world.mentor, key="old", urgent=True))
    send(Message("new", (world.mentor,), "您有 2 名学生本周谈心逾期", "", "/mentoring/"))
    send(Message("theirs", (world.principal,), "本周关爱工作汇总", "", "/reports/dashboard/"))
    Notification.objects.filter(key="old").update(read_at="2026-10-01T08:00:00+08:00")

    page = login(world.mentor).get(reverse("notifications:list")).content.decode()

    assert page.index("您有 2 名学生本周谈心逾期") < page.index("紧急关注：欧阳同学")
    assert "本周关爱工作汇总" not in page
    assert page.count("未读</span>") == 1
    assert "紧急</span>" in page
    assert "全部标为已读" in page


def test_the_bell_shows_the_unread_count_and_全部标为已读_clears_it(world, login):
    send(message(world.mentor, key="a"))
    send(message(world.mentor, key="b"))
    client = login(world.mentor)

    assert "我的通知（2 条未读）" in client.get(reverse("notifications:list")).content.decode()

    response = client.post(reverse("notifications:read_all"), follow=True)

    page = response.content.decode()
    assert "已将 2 条通知标为已读。" in page
    assert "条未读" not in page and "全部标为已读" not in page
    assert unread_count(world.mentor) == 0


@pytest.mark.parametrize("persona", ["principal", "mentor", "bureau", "other_teacher"])
def test_everyone_signed_in_has_a_notification_page_and_a_visitor_is_sent_to_login(world, login, client, persona):
    url = reverse("notifications:list")
    assert client.get(url)["Location"].startswith("/accounts/login/")
    assert login(getattr(world, persona)).get(url).status_code == 200


def test_全部标为已读_only_by_post(world, login):
    send(message(world.mentor))
    assert login(world.mentor).get(reverse("notifications:read_all")).status_code == 405
    assert unread_count(world.mentor) == 1


def test_the_notification_page_runs_a_fixed_number_of_queries(world, login, django_assert_max_num_queries):
    client = login(world.mentor)
    send(message(world.mentor, key="first"))
    client.get(reverse("notifications:list"))  # warm the session
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("notifications:list"))
    for n in range(25):
        send(message(world.mentor, key=f"more-{n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:list"))


# --- E-mail and group robot -------------------------------------------------------------------------


def test_an_email_reaches_the_recipients_address_after_commit_with_an_absolute_link_and_no_name(
    world, smtp_server, django_capture_on_commit_callbacks
):
    with_email(world.principal, "principal@school.example.cn")
    with django_capture_on_commit_callbacks(execute=False) as pending:
        send(message(world.principal, world.mentor, urgent=True))  # the mentor has no address
    assert smtp_server == []  # nothing leaves before the caller's transaction commits
    for callback in pending:
        callback()

    (mail,) = smtp_server
    assert mail["to"] == ["principal@school.example.cn"]
    assert mail["subject"] == "【紧急】紧急关注：欧阳同学（三年级(2)班）"
    assert "https://caretrack.example.edu.cn/mentoring/concerns/1/" in mail["body"]
    assert CHILD_NAME not in mail["subject"] + mail["body"] and ID_NUMBER not in mail["body"]
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_the_group_robot_gets_one_text_message_per_message_title_first(
    world, robot, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(message(world.principal, world.coordinator))
        send(message(world.principal, world.coordinator, world.class_teacher))  # one more person, same key

    (post,) = robot.posts
    assert post["msgtype"] == "text"
    content = post["text"]["content"]
    assert content.startswith("紧急关注：欧阳同学（三年级(2)班）")  # what the chat list shows
    assert content.endswith("https://caretrack.example.edu.cn/mentoring/concerns/1/")
    assert CHILD_NAME not in content
    assert "心理危机" not in content  # the body is for the recipients; the group reads only the group text


def test_a_personal_message_is_not_posted_to_the_group(world, robot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(message(world.mentor, key="overdue-logs:1", group_text=""))
    assert robot.posts == []
    assert Notification.objects.filter(recipient=world.mentor).count() == 1


def test_a_robot_that_refuses_the_message_leaves_the_delivery_failed_with_its_answer(
    world, robot, django_capture_on_commit_callbacks
):
    robot.answer = {"errcode": 310000, "errmsg": "keywords not in content"}
    with django_capture_on_commit_callbacks(execute=True):
        send(message(world.principal))

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "310000" in delivery.last_error
    assert unread_count(world.principal) == 1  # the app still has it


def test_a_failed_webhook_is_retried_by_the_next_send_reminders_run(
    world, robot, only_reminders, django_capture_on_commit_callbacks
):
    only_reminders(lambda day: [message(world.principal, key=f"daily:{day}")])
    robot.answer_status = 500
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-10-12", stdout=StringIO())
    assert Delivery.objects.get().status == DeliveryStatus.FAILED

    robot.answer_status = 200
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-10-12", stdout=StringIO())

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2 and delivery.last_error == ""
    assert len(robot.posts) == 2  # the refused one and the retry, nothing more
    assert Notification.objects.count() == 1


def test_a_mail_server_that_is_down_does_not_stop_the_notification_from_being_saved(
    world, settings, django_capture_on_commit_callbacks
):
    with_email(world.principal, "principal@school.example.cn")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there

    with django_capture_on_commit_callbacks(execute=True):
        assert send(message(world.principal)) == 1

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1 and delivery.last_error
    assert unread_count(world.principal) == 1


def test_send_reminders_sends_a_delivery_left_pending_but_not_one_still_going_out(
    world, robot, only_reminders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the process died before its commit hook ran
        send(message(world.principal, key="stale"))
        send(message(world.principal, key="fresh"))
    Notification.objects.filter(key="stale").update(created_at=timezone.now() - timedelta(hours=1))

    call_command("send_reminders", "--date", "2026-10-12", stdout=StringIO())

    assert [p["text"]["content"].split("\n")[0] for p in robot.posts] == [GROUP_TEXT]
    assert Delivery.objects.get(notification__key="stale").status == DeliveryStatus.SENT
    assert Delivery.objects.get(notification__key="fresh").status == DeliveryStatus.PENDING


# --- send_reminders ---------------------------------------------------------------------------------


def test_send_reminders_twice_the_same_day_sends_nothing_new(
    world, smtp_server, only_reminders, django_capture_on_commit_callbacks, capsys
):
    with_email(world.mentor, "mentor@school.example.cn")
    days = []
    only_reminders(lambda day: days.append(day) or [message(world.mentor, key=f"weekly:{day.isocalendar()[1]}")])

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-10-12")
    first = capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date", "2026-10-12")
    second = capsys.readouterr().out

    assert days == [date(2026, 10, 12)] * 2
    assert "新通知 1 人次" in first and "新通知 0 人次" in second
    assert len(smtp_server) == 1
    assert Notification.objects.count() == 1


def test_send_reminders_refuses_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "12.10.2026")
