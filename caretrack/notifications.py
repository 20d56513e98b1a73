"""Notifications: reminders that reach people, in the app and, when configured, by e-mail and a group robot
(企业微信 / 钉钉 webhook).

Callers build a Message and call send(). The in-app rows are written at once, inside the caller's transaction;
e-mail and webhook go out after commit, each as a Delivery row whose failure is kept (status, attempts, last
error) and retried by the next `manage.py send_reminders`, so a mail server that is down never blocks saving.

Nothing here may name a child: callers put caretrack.names.child_alias (王同学), the class and a link in the
title and body. Upper apps register reminder sources in their AppConfig.ready(); send_reminders calls them."""

import json
import logging
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from caretrack.models import Delivery, DeliveryChannel, DeliveryStatus, Notification

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 5
ROBOT_NAMES = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人"}
PENDING_GRACE_MINUTES = 10
MAX_ATTEMPTS = 5  # a delivery that failed this often is given up (it stays in the app and in the admin)


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key: one delivery per (recipient, key), e.g. "case-new:12"
    recipients: tuple  # User objects (inactive users are skipped)
    title: str  # no full name, no ID number, no phone (use caretrack.names.child_alias)
    body: str
    link: str  # a path like "/mentoring/concerns/12/"; made absolute with settings.SITE_URL outside the app
    urgent: bool = False
    # What the school's group chat may read (the group robot posts it with the link). Empty: the message is
    # personal (a mentor's overdue talks) and is not posted to the group. Whoever is in the group may not see
    # a sensitive case's category: an urgent case posts only 王同学, the class and the link.
    group_text: str = ""

    def __post_init__(self):
        # The link is shown as a link in the app and made absolute outside it: only a path of this site.
        if self.link and not (self.link.startswith("/") and not self.link.startswith("//")):
            raise ValueError(f"Message.link must be a path of this site such as /mentoring/, not {self.link!r}")


ReminderSource = Callable[[date], Iterable[Message]]

_REMINDER_SOURCES: list[ReminderSource] = []


def register_reminder_source(source: ReminderSource) -> None:
    if source not in _REMINDER_SOURCES:
        _REMINDER_SOURCES.append(source)


def reminders_for(day: date) -> Iterable[Message]:
    for source in _REMINDER_SOURCES:
        yield from source(day)


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def webhook_enabled() -> bool:
    return bool(getattr(settings, "NOTIFY_WEBHOOK_URL", ""))


def absolute_link(link: str) -> str:
    return settings.SITE_URL.rstrip("/") + link if link else ""


def send(message: Message) -> int:
    """Notify each active recipient once per message key. Returns how many were newly notified (0 when the key
    was already sent to all of them). The in-app rows are part of the caller's transaction; e-mail and webhook
    deliveries are recorded now and sent after commit."""
    recipients = {user.pk: user for user in message.recipients if user is not None and user.is_active}
    if not recipients:
        return 0
    with transaction.atomic():
        already = set(
            Notification.objects.filter(key=message.key, recipient_id__in=recipients).values_list(
                "recipient_id", flat=True
            )
        )
        new = [
            Notification(
                recipient=user,
                key=message.key,
                title=message.title[:200],
                body=message.body,
                link=message.link[:500],
                group_text=message.group_text,
                urgent=message.urgent,
            )
            for pk, user in recipients.items()
            if pk not in already
        ]
        if not new:
            return 0
        try:
            with transaction.atomic():
                created = Notification.objects.bulk_create(new)
        except IntegrityError:
            # A concurrent send of the same key (a double submit) won the race for some rows: keep the others.
            created = []
            for notification in new:
                try:
                    with transaction.atomic():
                        notification.save()
                    created.append(notification)
                except IntegrityError:
                    continue
        deliveries = _deliveries_for(created, first_of_key=not already)
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            ids = [delivery.pk for delivery in deliveries]
            transaction.on_commit(lambda: deliver(ids))
    return len(created)


def _deliveries_for(created: list[Notification], *, first_of_key: bool) -> list[Delivery]:
    deliveries = []
    if email_enabled():
        deliveries += [Delivery(notification=n, channel=DeliveryChannel.EMAIL) for n in created if n.recipient.email]
    if webhook_enabled() and created and first_of_key and created[0].group_text:
        # The group robot posts into one group chat: one post per message key, however many recipients it has
        # (and none when the message reaches one more person later).
        deliveries.append(Delivery(notification=created[0], channel=DeliveryChannel.WEBHOOK))
    return deliveries


def deliver(delivery_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Send the given deliveries (or every pending or failed one still worth retrying) and record the outcome
    of each. Returns (sent, failed). Never raises for a channel failure: it is kept in last_error."""
    pending = Delivery.objects.exclude(status=DeliveryStatus.SENT).filter(attempts__lt=MAX_ATTEMPTS)
    if delivery_ids is not None:
        pending = pending.filter(pk__in=list(delivery_ids))
    else:
        # A PENDING one from the last minutes may be going out right now (after its commit, in the request
        # that caused it): leave it to that process rather than send it twice.
        settled = timezone.now() - timedelta(minutes=PENDING_GRACE_MINUTES)
        pending = pending.filter(Q(status=DeliveryStatus.FAILED) | Q(notification__created_at__lt=settled))
    pending = pending.select_related("notification__recipient").order_by("pk")
    sent = failed = 0
    connection = None
    for delivery in pending:
        try:
            if delivery.channel == DeliveryChannel.EMAIL:
                connection = connection or get_connection(fail_silently=False)
                _send_email(delivery.notification, connection)
            else:
                _send_webhook(delivery.notification)
        except Exception as error:  # any channel failure (network, SMTP, robot error) is kept for the retry
            logger.warning("notification delivery %s over %s failed: %s", delivery.pk, delivery.channel, error)
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = f"{type(error).__name__}: {error}"[:500]
            failed += 1
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.last_error = ""
            delivery.sent_at = timezone.now()
            sent += 1
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts", "last_error", "sent_at"])
    if connection is not None:
        connection.close()
    return sent, failed


def _group_text(notification: Notification) -> str:
    # The group text first: it is what a group member reads in the chat list, and the callers start it with the
    # title, which carries the word a 钉钉 robot's keyword filter looks for.
    return "\n".join(part for part in [notification.group_text, absolute_link(notification.link)] if part)


def _send_email(notification: Notification, connection) -> None:
    subject = f"【紧急】{notification.title}" if notification.urgent else notification.title
    body = "\n\n".join(part for part in [notification.body, absolute_link(notification.link)] if part)
    EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email], connection=connection
    ).send()


def _send_webhook(notification: Notification) -> None:
    """企业微信 and 钉钉 group robots take the same text message: {"msgtype": "text", "text": {"content": ...}}
    and answer {"errcode": 0, ...} when they accepted it."""
    content = _group_text(notification)
    payload = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        settings.NOTIFY_WEBHOOK_URL, data=payload, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
        answer = response.read()
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0  # a receiver that does not answer in JSON but with 2xx accepted it
    if errcode:
        robot = ROBOT_NAMES.get(settings.NOTIFY_WEBHOOK_KIND, "群机器人")
        raise RuntimeError(f"{robot} answered errcode {errcode}: {answer[:200].decode(errors='replace')}")


def unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user):
    """The person's own notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def mark_all_read(*, user) -> int:
    """Mark every unread notification of the user as read; returns how many. Only the user's own rows."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
