from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import AwayStatus, ParentRole
from children.selectors import archive_rate, archive_rates_by_school
from children.services import update_parent_status
from reports import selectors
from tests.factories import SchoolClassFactory, SchoolFactory, TermFactory
from tests.reports.helpers import build_known_school, left_behind_child

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 25)


def figures(world):
    term = world.school.terms.get()
    return selectors.term_figures(schools=[world.school], start=term.start_date, end=term.end_date, on=ON)[
        world.school.pk
    ]


def test_term_figures_count_types_provinces_and_archive(world):
    known = build_known_school(world)
    f = figures(world)
    assert f.left_behind == known.left_behind
    assert [(t.label, t.count) for t in f.by_type] == [
        ("父母均外出", 3),
        ("一方外出另一方无监护能力", 1),
        ("一方外出", 0),
    ]
    assert f.provinces == [("广东省", 4), ("浙江省", 3)]
    assert f.guardians == [("祖母", 3)] and f.grandparent_guardians == 3  # the fourth child has no guardian
    assert (f.archive.total, f.archive.complete, f.archive.rate) == (4, 3, 75.0)
    assert f.left_behind_ratio == 0.7
    assert f.not_archived == 1
    assert [(r.label, r.total) for r in f.archive.by_grade] == [("三年级", 3), ("四年级", 1)]


def test_archive_rates_by_school_agrees_with_archive_rate(world):
    build_known_school(world)
    term = world.school.terms.get()
    one = archive_rate(schools=[world.school], term=term, on=ON)
    by_school = archive_rates_by_school(
        schools=[world.school, world.other_school], start=term.start_date, end=term.end_date, on=ON
    )
    mine = by_school[world.school.pk]
    assert (mine.total, mine.complete, mine.missing) == (one.total, one.complete, one.missing)
    assert [(r.label, r.total, r.complete) for r in mine.by_class] == [
        (r.label, r.total, r.complete) for r in one.by_class
    ]
    assert by_school[world.other_school.pk].total == 1


def test_a_child_whose_father_came_home_keeps_counting_with_the_type_of_that_term(world):
    child = left_behind_child(world.school_class)
    update_parent_status(
        child=child,
        role=ParentRole.FATHER,
        values={"away_status": AwayStatus.AT_HOME},
        on=date(2026, 11, 10),
        reason="父亲返乡",
        acting_user=world.coordinator,
    )
    f = figures(world)
    assert f.left_behind == 1
    assert f.by_type[0].count == 1  # still 父母均外出 for this term, though the child is no longer left-behind


def test_a_broken_mentoring_selector_fails_loudly_instead_of_printing_no_data(world, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("mentoring figures broke")

    monkeypatch.setattr(selectors, "mentoring_figures", broken)
    build_known_school(world)
    with pytest.raises(RuntimeError, match="mentoring figures broke"):
        figures(world)


def _school_of(size: int):
    school = SchoolFactory()
    TermFactory(school=school)
    cls = SchoolClassFactory(school=school, grade=2, number=1)
    cls2 = SchoolClassFactory(school=school, grade=5, number=2)
    for i in range(size):
        left_behind_child(cls if i % 2 else cls2, complete=i % 3 != 0, incapable_mother=i % 4 == 0)
    return school


def _count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_term_figures_query_count_does_not_grow_with_children_or_schools(db):
    small, large = _school_of(2), _school_of(12)
    extra = [_school_of(3) for _ in range(2)]
    window = {"start": date(2026, 9, 1), "end": date(2027, 1, 20), "on": ON}
    n_small = _count_queries(lambda: selectors.term_figures(schools=[small], **window))
    n_large = _count_queries(lambda: selectors.term_figures(schools=[large], **window))
    n_many = _count_queries(lambda: selectors.term_figures(schools=[small, large, *extra], **window))
    assert n_small == n_large == n_many
    assert n_small <= 26  # one of them counts the children in care (困境, 事实无人抚养)


def test_county_rows_sort_by_a_figure(world):
    build_known_school(world)
    key = selectors.TermKey(2026, 1)
    from caretrack.models import School

    rows = selectors.county_rows(schools=School.objects.all(), key=key, sort="-left_behind", today=ON)
    assert [r.school for r in rows] == [world.school, world.other_school]
    rows = selectors.county_rows(schools=School.objects.all(), key=key, sort="left_behind", today=ON)
    assert [r.school for r in rows] == [world.other_school, world.school]
    totals = selectors.county_totals(rows)
    assert (totals.left_behind, totals.archive_total, totals.archive_complete) == (5, 5, 4)
    assert totals.archive_rate == 80.0


def test_county_totals_weight_compliance_by_paired_children(db):
    from types import SimpleNamespace

    def row(left_behind, paired, talk, visit):
        school = SchoolFactory(enrolled_students=100)
        f = selectors.SchoolFigures(school=school, start=ON, end=ON, on=ON, left_behind=left_behind)
        f.mentoring = SimpleNamespace(
            left_behind=left_behind, paired=paired, talk_compliance_term=talk, visit_coverage_term=visit
        )
        return selectors.CountyRow(school=school, term=None, figures=f)

    totals = selectors.county_totals([row(10, 10, 100.0, 50.0), row(30, 10, 50.0, 100.0)])
    assert totals.pairing_coverage == 50.0  # 20 of 40
    assert (totals.talk_compliance_term, totals.visit_coverage_term) == (75.0, 75.0)
    assert totals.left_behind_ratio == 20.0
