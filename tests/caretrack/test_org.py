from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from caretrack.models import School, Term
from caretrack.services import set_current_term
from children.models import Child
from tests.factories import TermFactory

pytestmark = pytest.mark.django_db


def test_a_school_has_exactly_one_current_term(world):
    current = world.school.terms.get(is_current=True)
    spring = TermFactory(
        school=world.school, semester=2, is_current=False, start_date=date(2027, 2, 20), end_date=date(2027, 7, 5)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.filter(pk=spring.pk).update(is_current=True)
    set_current_term(term=spring)
    current.refresh_from_db()
    assert not current.is_current
    assert list(Term.objects.filter(school=world.school, is_current=True)) == [spring]
    assert str(spring) == "2026-2027学年第二学期"


def test_seed_demo_builds_a_believable_school_and_prints_the_accounts(capsys):
    call_command("seed_demo", schools=2, children=180, teachers=24, seed=7)
    out = capsys.readouterr().out
    for username in ("xiaozhang", "deyu", "banzhuren", "bangfu", "jiaoyuju", "admin"):
        assert username in out
    school = School.objects.order_by("pk").first()
    assert school.classes.count() == 18
    children = Child.objects.filter(school=school)
    assert children.count() == 180
    left_behind = children.exclude(left_behind_type="none").count()
    assert 0.15 * 180 < left_behind < 0.45 * 180
    from children.selectors import archive_rate

    rate = archive_rate(schools=[school], term=school.terms.get(is_current=True))
    assert 70 <= rate.rate <= 100
    # Guardians are mostly grandparents.
    from children.models import Guardian

    relations = list(Guardian.objects.filter(child__school=school).values_list("relation", flat=True))
    assert sum(r in ("pgf", "pgm", "mgf", "mgm") for r in relations) > 0.6 * len(relations)


def test_seed_demo_refuses_a_database_that_already_has_schools(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="已有学校数据"):
        call_command("seed_demo")
    call_command("seed_demo", if_empty=True)  # make run: silently skipped
    assert School.objects.count() == 2
