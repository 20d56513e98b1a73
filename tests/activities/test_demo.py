"""The demo school has a believable term of activities, care-room openings, aid, a health check and exams."""

from datetime import date

import pytest
from django.core.management import call_command

from activities.models import Activity, ActivityKind, ActivityPhoto, CareRoomOpening, Exam
from activities.selectors import activity_figures
from caretrack.demo import build_demo
from caretrack.models import School


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_demo_term_of_activities_and_support(db):
    today = date(2026, 11, 25)
    build_demo(schools=1, children=400, teachers=24, today=today)
    school = School.objects.get()
    term = school.terms.get(is_current=True)
    figures = activity_figures(schools=[school], start=term.start_date, end=term.end_date)[school.pk]
    assert figures.activities >= 8 and len(figures.activities_by_type) >= 5
    assert all(day <= today for day, _, _ in figures.activity_list)
    festival = Activity.objects.filter(kind=ActivityKind.FESTIVAL).order_by("date").first()
    assert 30 <= festival.participations.count() <= 40
    school_days = sum(1 for d in range((today - term.start_date).days + 1)
                      if (term.start_date.toordinal() + d) % 7 not in (6, 0))  # fmt: skip
    assert 0.7 * school_days <= CareRoomOpening.objects.count() <= school_days
    assert figures.care_room_visits > 10 * figures.care_room_openings
    assert figures.aid_total_yuan > 0 and figures.aid_children >= 4
    assert figures.health_checked == figures.children_compared > 0  # every left-behind child, both exams
    assert Exam.objects.count() == 2 and 50 <= figures.improved_share <= 90
    assert ActivityPhoto.objects.count() == 4


def test_seed_demo_command_runs_with_the_activities_extension(db, capsys):
    call_command("seed_demo", schools=1, children=60, teachers=20)
    assert Activity.objects.exists() and CareRoomOpening.objects.exists()
