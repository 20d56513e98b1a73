from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from caretrack.notifications import deliver, reminders_for, send


class Command(BaseCommand):
    help = (
        "发送当天的提醒（逾期记录、每周汇总、逾期跟进等）并重试此前发送失败的邮件和群机器人消息。"
        "同一天再次运行不会重复发送。Send the day's reminders and retry failed e-mail/webhook deliveries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="提醒的日期，格式 YYYY-MM-DD（默认今天）")

    def handle(self, *args, date=None, **options):
        day = _parse_day(date) if date else timezone.localdate()
        # Earlier failures first, so that a delivery created (and perhaps failed) just now is not retried twice.
        retried_sent, retried_failed = deliver()
        messages = notified = 0
        for message in reminders_for(day):
            messages += 1
            # One transaction per message: its e-mail and robot deliveries go out when it commits.
            with transaction.atomic():
                notified += send(message)
        self.stdout.write(
            f"{day:%Y-%m-%d}：{messages} 条提醒，新通知 {notified} 人次；"
            f"重试 {retried_sent + retried_failed} 次投递，成功 {retried_sent}，失败 {retried_failed}。"
        )
        self.stdout.write(
            f"{day:%Y-%m-%d}: {messages} reminders, {notified} new notifications; "
            f"{retried_sent} of {retried_sent + retried_failed} retried deliveries sent."
        )


def _parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD，例如 2026-10-12（您输入的是 {value}）。") from None
