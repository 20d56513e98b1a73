"""What a mentor's own students put on their 待办 (registered with caretrack.tasks in MentoringConfig.ready()):
how many of them have an overdue talk, home visit or family / guardian contact, each row leading to 我的学生."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from caretrack.permissions import get_roles
from caretrack.tasks import Task
from mentoring.selectors import OVERDUE, my_paired_students

# One task per kind of log; family and guardian contacts are one row (both are 联系).
ROWS = [
    ("mentoring-overdue-talks", "逾期谈心", ("talk",)),
    ("mentoring-overdue-visits", "逾期家访", ("visit",)),
    ("mentoring-overdue-contacts", "逾期联系（亲情联系、监护人沟通）", ("family", "guardian")),
]


def overdue_log_tasks(user, on: date) -> list[Task]:
    """Counts of the user's own students (paired to them) with an overdue log of each kind. Nothing for
    someone who mentors no one; otherwise a fixed number of queries (none when the page read my_students)."""
    roles = get_roles(user)  # already read for the menu: no query
    if roles.school is None or not roles.is_mentor:
        return []
    mine = my_paired_students(user=user, school=roles.school, on=on)
    url = reverse("mentoring:my_students")
    tasks = []
    for key, label, kinds in ROWS:
        count = sum(1 for status in mine if any(b.key in kinds and b.state == OVERDUE for b in status.badges))
        tasks.append(Task(key, label, count, url))
    return tasks
