"""The weekly reminder of overdue logs (registered with caretrack.notifications in MentoringConfig.ready()):
each mentor whose own students have an overdue talk, visit or family / guardian contact gets one message per
ISO week. Counts only: no child is named, so the message may go by e-mail and to a group robot."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date

from django.contrib.auth.models import User
from django.urls import reverse

from caretrack.models import School
from caretrack.notifications import Message
from children.models import Child
from mentoring.models import CadenceKind, Pairing
from mentoring.selectors import OVERDUE, child_statuses

KIND_LABEL = dict(CadenceKind.choices)
KIND_ORDER = list(CadenceKind.values)


def overdue_log_reminders(day: date) -> Iterator[Message]:
    """One message per mentor with overdue students this week. Two queries, then four per school with
    mentored children (child_statuses), whatever the number of children."""
    iso_year, week, _ = day.isocalendar()
    link = reverse("mentoring:my_students")
    mentored = Pairing.objects.carried_on(day).filter(mentor__isnull=False, mentor__is_active=True)
    school_ids = mentored.values_list("child__school_id", flat=True).distinct()
    for school in School.objects.filter(pk__in=school_ids).order_by("pk"):
        children = Child.objects.filter(school=school, pk__in=mentored.values("child_id")).enrolled()
        overdue_by_mentor: dict[int, Counter] = defaultdict(Counter)
        students_by_mentor: dict[int, int] = Counter()
        mentors: dict[int, User] = {}
        for status in child_statuses(children, school=school, on=day):
            late = [badge.key for badge in status.badges if badge.state == OVERDUE]
            if not late:
                continue
            for pairing in status.pairings:
                if pairing.mentor is None or not pairing.mentor.is_active:
                    continue
                mentors[pairing.mentor_id] = pairing.mentor
                students_by_mentor[pairing.mentor_id] += 1
                overdue_by_mentor[pairing.mentor_id].update(late)
        for mentor_id, kinds in overdue_by_mentor.items():
            yield Message(
                key=f"overdue-logs:{mentor_id}:{iso_year}-W{week:02d}",
                recipients=(mentors[mentor_id],),
                title=f"您有 {students_by_mentor[mentor_id]} 名学生本周{_what(kinds)}逾期",
                body=f"逾期：{_kinds_text(kinds)}。请您在“我的学生”中查看并补上记录。",
                link=link,
            )


def _what(kinds: Counter) -> str:
    if len(kinds) == 1:
        return KIND_LABEL.get(next(iter(kinds)), "记录")
    return "记录"


def _kinds_text(kinds: Counter) -> str:
    """谈心 2 名，家访 1 名 (in the order of the log kinds)."""
    ordered = sorted(kinds.items(), key=lambda item: KIND_ORDER.index(item[0]))
    return "，".join(f"{KIND_LABEL[kind]} {n} 名" for kind, n in ordered)
