from django.core.management.base import BaseCommand, CommandError

from caretrack.models import School, Term
from children import exports

KINDS = {
    "roster": "留守儿童台账",
    "register": "花名册（农村留守儿童基本情况登记表）",
    "summary": "学校汇总表",
}
# The term's logs are mentoring's: still accepted here, to point to the command that exports them.
MOVED_KINDS = {"talks": "谈心记录", "visits": "家访记录"}


class Command(BaseCommand):
    help = (
        "导出学校的留守儿童台账（默认）、花名册或汇总表为 .xlsx。导出会记入审计记录。"
        "谈心记录、家访记录请用 export_logs 命令导出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True, help="学校 ID")
        parser.add_argument("--term", type=int, help="学期 ID（默认为该校当前学期）")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument(
            "--kind",
            choices=sorted([*KINDS, *MOVED_KINDS]),
            default="roster",
            help="导出内容：roster（台账，默认）、register（花名册）、summary（汇总表）",
        )
        parser.add_argument("--full", action="store_true", help="显示完整身份证号和电话（默认隐去部分数字）")

    def handle(self, *args, school, term, output, kind, full, **options):
        if kind in MOVED_KINDS:
            raise CommandError(
                f"{MOVED_KINDS[kind]}改由 export_logs 命令导出：manage.py export_logs --school {school} --kind {kind} "
                f"-o 文件.xlsx（{kind} logs are exported by the export_logs command now）"
            )
        try:
            school_obj = School.objects.get(pk=school)
        except School.DoesNotExist:
            raise CommandError(f"没有 ID 为 {school} 的学校。") from None
        term_obj = None
        if term is not None:
            term_obj = Term.objects.filter(pk=term, school=school_obj).first()
            if term_obj is None:
                raise CommandError(f"学校 {school_obj} 没有 ID 为 {term} 的学期。")
        common = {"acting_user": None}
        if kind == "roster":
            result = exports.export_roster(school=school_obj, term=term_obj, full_identifiers=full, **common)
        elif kind == "register":
            result = exports.export_register(school=school_obj, term=term_obj, full_identifiers=full, **common)
        else:
            result = exports.export_summary(schools=[school_obj], **common)
        with open(output, "wb") as fh:
            fh.write(result.content)
        self.stdout.write(self.style.SUCCESS(f"已导出{KINDS[kind]} {result.rows} 行到 {output}"))
