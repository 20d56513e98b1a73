"""Demo data of the reports app: a started 工作总结 for the current term, with two cases and the first
activity photos picked, so the term report page and its PDF have something to show."""

from datetime import date

from children.models import Child, LeftBehindType
from reports.models import ReportCase, TermReport
from reports.selectors import candidate_photos

STORIES = [
    "刚开学时沉默寡言，不愿与同学交流。帮扶老师每周找她谈心，鼓励她参加合唱队，期末她主动报名了元旦汇演。",
    "父母在广东打工，爷爷奶奶年纪大，作业常常完不成。结对老师每天放学后辅导半小时，期末数学成绩提高了二十多分。",
    "性格急躁，常与同学发生矛盾。老师家访后与监护人一起制定了约定，并安排他每周与父母视频通话，现在情绪稳定多了。",
]


def seed(*, school, term, rng, today: date) -> None:
    children = list(
        Child.objects.filter(school=school)
        .exclude(left_behind_type=LeftBehindType.NOT_LEFT_BEHIND)
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    report = TermReport.objects.create(
        school=school,
        term=term,
        photos=[{"id": p.pk, "caption": ""} for p in candidate_photos(school=school, term=term)[:2]],
    )
    picked = rng.sample(children, k=min(2, len(children)))
    ReportCase.objects.bulk_create(
        [
            ReportCase(report=report, child_id=pk, story=STORIES[i % len(STORIES)], order=i)
            for i, pk in enumerate(picked)
        ]
    )
