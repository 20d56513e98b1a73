"""Queries that read the mentoring work, one module per job: a child's badges and 我的学生 (status), the
coordinator's lists (lists), the figures of the dashboard, county overview and term report (figures) and
the term's logs for exports (logs). Every function runs a fixed number of queries whatever the number of
children or schools: per-child counts are correlated subqueries in one SELECT, per-school figures are
GROUP BY school. The names below are the package's public surface."""

from mentoring.selectors._common import term_on
from mentoring.selectors.figures import MentoringFigures, mentoring_figures
from mentoring.selectors.lists import (
    MentorOption,
    MentorRow,
    mentor_board,
    mentor_options,
    pairable_children,
    plan_pairings,
    suggestions_for,
    unpaired_children,
)
from mentoring.selectors.logs import talk_counts_by_child, talks_in_term, visits_in_term
from mentoring.selectors.status import (
    DONE,
    DUE,
    OFF,
    OVERDUE,
    Badge,
    ChildStatus,
    annotate_counts,
    child_statuses,
    my_paired_students,
    my_students,
    status_of,
)

__all__ = [
    "DONE",
    "DUE",
    "OFF",
    "OVERDUE",
    "Badge",
    "ChildStatus",
    "MentorOption",
    "MentorRow",
    "MentoringFigures",
    "annotate_counts",
    "child_statuses",
    "mentor_board",
    "mentor_options",
    "mentoring_figures",
    "my_paired_students",
    "my_students",
    "pairable_children",
    "plan_pairings",
    "status_of",
    "suggestions_for",
    "term_on",
    "talk_counts_by_child",
    "talks_in_term",
    "unpaired_children",
    "visits_in_term",
]
