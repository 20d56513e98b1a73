from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from children.services.calendar import close_periods_at_age_limit


class Command(BaseCommand):
    help = (
        "结束年满16周岁学生的留守时段（结束日期为16周岁生日前一天，原因“年满16周岁”），留守类型改为非留守。"
        "每晚运行一次；重复运行不会重复修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", dest="day", help="按哪一天判断年龄（YYYY-MM-DD），默认今天")

    def handle(self, *args, day: str | None = None, **options):
        on = _parse(day) if day else timezone.localdate()
        count = close_periods_at_age_limit(on=on, acting_user=None)
        self.stdout.write(f"{on:%Y-%m-%d}：{count} 名学生年满16周岁，留守时段已结束。")


def _parse(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式不正确：{text}（应为 YYYY-MM-DD）") from None
