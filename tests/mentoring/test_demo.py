"""The demo term of logs tells a believable story: most mentors on time, some overdue, a few concerns."""

from datetime import date

import pytest
from django.contrib.auth.models import User

from caretrack.demo import build_demo
from caretrack.models import Term
from mentoring.models import Concern, HomeVisit, Talk
from mentoring.selectors import mentor_board, mentoring_figures, my_students

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)  # a Wednesday, twelve weeks into the autumn term


def test_demo_has_a_term_of_logs_most_mentors_on_time_some_overdue_a_few_concerns():
    summary = build_demo(schools=1, children=400, teachers=24, today=TODAY)
    school = summary.schools[0]
    term = Term.objects.get(school=school, is_current=True)
    figures = mentoring_figures(schools=[school], start=term.start_date, end=term.end_date, on=TODAY)[school.pk]
    assert 85 <= figures.pairing_coverage < 100
    assert 65 <= figures.talk_compliance_term <= 95
    assert figures.visits_term > 0 and figures.guardian_contacts_month > 0 and figures.family_contacts_month > 0
    assert all(d <= TODAY for d in Talk.objects.values_list("date", flat=True))
    board = mentor_board(school=school, on=TODAY)
    late = [row for row in board if row.overdue]
    assert 0 < len(late) < len(board) / 2
    concerns = Concern.objects.filter(child__school=school)
    assert 0 < concerns.count() < figures.paired / 5
    assert concerns.open().exists() and concerns.filter(status="closed").exists()
    # The named demo mentor has three children, all still to talk to this week.
    mine, _ = my_students(user=User.objects.get(username="bangfu"), school=school, on=TODAY)
    assert len(mine) == 3 and {s.talk.state for s in mine} == {"due"}
    assert HomeVisit.objects.filter(child__school=school, kind="opening").exists()
