"""The bureau's drill-down into one school: its figures for a term by grade (一年级…六年级), counts and rates
only, never a child. 建档率 comes from the archive's own selector (the one term_figures uses for the school's
detail), 谈心达标率 from mentoring's per-grade count by the rule of the school's figure, so the grades add up
to the school's row on the county page. Six queries whatever the number of children."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count

from caretrack.models import Grade, School, Term
from children.models import Child
from children.selectors import archive_rates_by_school, grades_moved_since
from mentoring.selectors.per_mentor import talks_by_grade
from reports.selectors import reference_day


@dataclass
class GradeRow:
    grade: int
    children: int = 0  # on the roll at some time in the term
    left_behind: int = 0  # the 建档率 population
    archived: int = 0
    paired: int = 0
    talks_done: int = 0
    talks_due: int = 0

    @property
    def label(self) -> str:
        return Grade(self.grade).label

    @property
    def archive_rate(self) -> float:
        return round(100 * self.archived / self.left_behind, 1) if self.left_behind else 0.0

    @property
    def talk_compliance(self) -> float:
        return round(100 * self.talks_done / self.talks_due, 1) if self.talks_due else 0.0


def grade_rows(*, school: School, term: Term, today: date) -> tuple[list[GradeRow], GradeRow]:
    """One row per grade of the school's span (and any other grade its classes had), and the school's total."""
    start, end = term.start_date, term.end_date
    on = reference_day(start, end, today)
    rows: dict[int, GradeRow] = {g: GradeRow(g) for g in school.grades}
    moved = grades_moved_since([school], start)
    on_roll = (
        Child.objects.filter(school=school)
        .on_roll_between(start, end)
        .order_by()
        .values("school_class_id", "school_class__grade")
        .annotate(n=Count("pk"))
    )
    children: dict[int, int] = defaultdict(int)
    for r in on_roll:
        children[r["school_class__grade"] - moved.get(r["school_class_id"], 0)] += r["n"]
    archive = archive_rates_by_school(schools=[school], start=start, end=end, on=on).get(school.pk)
    talks = talks_by_grade(school=school, term=term, today=today)
    for grade in set(children) | {r.key for r in (archive.by_grade if archive else [])} | set(talks):
        rows.setdefault(grade, GradeRow(grade))
    for grade, n in children.items():
        rows[grade].children = n
    for r in archive.by_grade if archive else []:
        rows[r.key].left_behind, rows[r.key].archived = r.total, r.complete
    for grade, t in talks.items():
        rows[grade].paired, rows[grade].talks_done, rows[grade].talks_due = t.paired, t.done, t.due
    ordered = [rows[g] for g in sorted(rows)]
    total = GradeRow(0)
    for row in ordered:
        for name in ("children", "left_behind", "archived", "paired", "talks_done", "talks_due"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return ordered, total
