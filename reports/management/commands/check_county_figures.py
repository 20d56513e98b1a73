from collections import defaultdict

from django.core.management.base import BaseCommand

from caretrack.models import School, Term
from reports.selectors import county_figures_drift, reference_day, school_figures_drift


class Command(BaseCommand):
    help = (
        "核对县级总览和各校统计概览的已存统计（每校一行）与重新统计是否一致（每晚运行一次即可）。不一致的学校"
        "说明有修改绕过了审计记录：列出这些学校，并让其统计在下次打开时重新计算。"
    )

    def handle(self, *args, **options):
        windows: dict[tuple, list[School]] = defaultdict(list)
        terms = list(Term.objects.filter(is_current=True).select_related("school").order_by("school__name"))
        for term in terms:
            windows[(term.start_date, term.end_date)].append(term.school)
        checked, drifted = 0, set()
        for (start, end), schools in windows.items():
            on = reference_day(start, end)
            drifted.update(county_figures_drift(schools=schools, start=start, end=end, on=on))
            checked += len(schools)
        # The dashboard's and the 工作总结's rows (with detail), one school at a time.
        drifted.update(term.school_id for term in terms if school_figures_drift(school=term.school, term=term))
        names = {term.school_id: term.school.name for term in terms}
        for pk in sorted(drifted, key=names.get):
            self.stderr.write(f"不一致，已安排重新统计：{names[pk]}")
        self.stdout.write(f"已核对 {checked} 所学校的当前学期统计，{len(drifted)} 所不一致。")
