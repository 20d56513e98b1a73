from django.core.management.base import BaseCommand, CommandError

from caretrack.demo import DEMO_PASSWORD, build_demo
from caretrack.models import School


class Command(BaseCommand):
    help = "生成演示数据：学校、班级、教师、留守儿童档案、结对与记录，并打印各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=3, help="学校数（默认 3）")
        parser.add_argument("--children", type=int, default=1200, help="每校学生数（默认 1200）")
        parser.add_argument("--teachers", type=int, default=60, help="每校教师数（默认 60）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子：相同种子、相同日期生成相同数据")
        parser.add_argument("--if-empty", action="store_true", help="数据库已有学校时什么也不做（用于 make run）")

    def handle(self, *args, schools, children, teachers, seed, if_empty, **options):
        if School.objects.exists():
            if if_empty:
                self.stdout.write("已有数据，跳过生成演示数据。")
                return
            raise CommandError("数据库中已有学校数据。演示数据只能生成到空数据库中（可删除 db.sqlite3 后重试）。")
        if schools < 1 or children < 18 or teachers < 20:
            raise CommandError("至少 1 所学校、每校 18 名学生、20 名教师。")
        summary = build_demo(schools=schools, children=children, teachers=teachers, seed=seed, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {len(summary.schools)} 所学校、{summary.children} 名学生，"
                f"其中留守儿童 {summary.left_behind} 名。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for role, username, school in summary.accounts[:4] + [
            a for a in summary.accounts if a[0] in ("县教育局", "系统管理员（后台）")
        ]:
            self.stdout.write(f"  {role:<8} {username:<12} {school}")
        others = [a for a in summary.accounts[4:] if a[0] == "校长"]
        if others:
            self.stdout.write(f"  其他学校的校长：{', '.join(a[1] for a in others)}")
