"""What the cases put on a person's 待办 (registered with caretrack.tasks in MentoringConfig.ready()): their
follow-up actions due or overdue, the open cases they are responsible for, and for a principal the school's
open 紧急 cases. Three queries at most."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from caretrack.tasks import Task
from mentoring.selectors.cases import case_counts


def case_tasks(user, on: date) -> list[Task]:
    counts = case_counts(user, on=on)
    mine = reverse("mentoring:my_cases")
    return [
        Task("mentoring-my-urgent-cases", "分配给我的紧急个案", counts.my_urgent_cases, mine, urgent=True),
        Task("mentoring-case-actions-due", "待办跟进", counts.my_due_actions, mine),
        Task("mentoring-my-cases", "分配给我的个案", counts.my_open_cases, mine),
        Task(
            "mentoring-school-urgent-cases",
            "全校未结案紧急个案",
            counts.school_urgent_open,
            reverse("mentoring:concerns"),
            urgent=True,
        ),
    ]
