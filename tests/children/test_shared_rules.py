"""Rules used in many places, defined once: who is enrolled, and what a class is called."""

from datetime import date

import pytest

from caretrack.models import SchoolClass, Term
from children.models import Child, EnrolmentStatus
from children.selectors import archive_rate
from mentoring.selectors import unpaired_children
from tests.reports.helpers import left_behind_child

pytestmark = pytest.mark.django_db


def test_a_suspended_child_is_still_counted_and_still_waits_for_a_mentor(world):
    """休学 children are still the school's pupils: the 建档率 and the 待结对 list both count them, while
    transferred and graduated children leave both."""
    staying = left_behind_child(world.school_class, complete=False, status=EnrolmentStatus.SUSPENDED)
    left_behind_child(world.school_class, complete=False, status=EnrolmentStatus.TRANSFERRED)
    left_behind_child(world.school_class, complete=False, status=EnrolmentStatus.GRADUATED)
    term = Term.objects.current(world.school)
    today = term.start_date
    assert list(unpaired_children(school=world.school, on=today)) == [staying]
    assert archive_rate(schools=[world.school], term=term, on=today).total == 1
    assert list(Child.objects.enrolled()) == [staying]


def test_the_class_label_reads_the_same_everywhere(world):
    assert str(world.school_class) == "三年级(2)班" == SchoolClass.label(3, 2)


def test_the_current_term_is_the_one_the_principal_made_current(world):
    current = Term.objects.current(world.school)
    assert current is not None and current.is_current
    assert Term.objects.filter(school=world.school).containing(current.start_date).get() == current
    assert not Term.objects.filter(school=world.school).containing(date(1999, 1, 1)).exists()
