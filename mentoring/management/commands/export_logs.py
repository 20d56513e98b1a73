from django.core.management.base import BaseCommand, CommandError

from caretrack.models import School, Term
from mentoring.exports import LOG_KINDS, export_logs


class Command(BaseCommand):
    help = "导出学校一个学期的谈心记录（talks，默认）或家访记录（visits）为 .xlsx。导出会记入审计记录。"

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, required=True, help="学校 ID")
        parser.add_argument("--term", type=int, help="学期 ID（默认为该校当前学期）")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument(
            "--kind", choices=sorted(LOG_KINDS), default="talks", help="talks（谈心记录，默认）或 visits（家访记录）"
        )

    def handle(self, *args, school, term, output, kind, **options):
        try:
            school_obj = School.objects.get(pk=school)
        except School.DoesNotExist:
            raise CommandError(f"没有 ID 为 {school} 的学校。") from None
        term_obj = None
        if term is not None:
            term_obj = Term.objects.filter(pk=term, school=school_obj).first()
            if term_obj is None:
                raise CommandError(f"学校 {school_obj} 没有 ID 为 {term} 的学期。")
        result = export_logs(school=school_obj, term=term_obj, kind=kind, acting_user=None)
        with open(output, "wb") as fh:
            fh.write(result.content)
        self.stdout.write(self.style.SUCCESS(f"已导出{LOG_KINDS[kind]} {result.rows} 行到 {output}"))
