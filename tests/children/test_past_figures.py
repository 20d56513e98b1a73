"""A past term's figures read each child's dates on the roll, never today's status: a child who graduates or
transfers in the next term still counts in the terms they were here, on the dashboard, the term report
(both school_term_figures), the county overview (county_rows) and the 建档率 (archive_rate)."""

from datetime import date

import pytest
from django.core.cache import cache

from caretrack.models import School, Term
from children import lifecycle
from children.lifecycle import LeavingReason
from children.models import EnrolmentStatus
from children.selectors import archive_rate
from children.services import ArchiveData, save_archive
from children.services.promotion import promote_school
from reports.selectors import TermKey, county_rows, school_term_figures
from tests.factories import AssessmentFactory, ChildFactory, SchoolClassFactory, TermFactory
from tests.reports.helpers import build_known_school, left_behind_child

pytestmark = pytest.mark.django_db

TRANSFER_DAY = date(2027, 3, 15)  # in the next term
GRADUATION_DAY = date(2027, 7, 1)  # the last days of the next term


def figures_of(world, term: Term) -> dict:
    """Every number the dashboard, the term report and the county overview show for `term`, read after
    the term (cached county figures dropped, so they are computed again)."""
    cache.clear()
    today = term.end_date
    f = school_term_figures(world.school, term, today)
    county = county_rows(
        schools=School.objects.filter(pk=world.school.pk), key=TermKey(term.start_year, term.semester), today=today
    )[0].figures
    rate = archive_rate(schools=[world.school], term=term, on=today)
    m = f.mentoring
    return {
        "left_behind": f.left_behind,
        "types": [(t.key, t.count) for t in f.by_type],
        "provinces": f.provinces,
        "guardians": f.guardians,
        "archive": (f.archive.total, f.archive.complete),
        "by_class": [(r.label, r.total, r.complete) for r in f.archive.by_class],
        "by_grade": [(r.label, r.total, r.complete) for r in f.archive.by_grade],
        "missing": f.archive.missing,
        "mentoring": (m.left_behind, m.paired, m.pairing_coverage),
        "county": (county.left_behind, county.archive.total, county.archive.complete, county.mentoring.paired),
        "rate": (rate.total, rate.complete),
    }


@pytest.fixture
def terms(world):
    first = Term.objects.get(school=world.school)  # 2026-09-01 … 2027-01-20, where the children are
    second = TermFactory(school=world.school, start_year=2026, semester=2, start_date=date(2027, 2, 20),
                         end_date=date(2027, 7, 5), is_current=False)  # fmt: skip
    later = TermFactory(school=world.school, start_year=2027, semester=1, start_date=date(2027, 9, 1),
                        end_date=date(2028, 1, 20), is_current=False)  # fmt: skip
    return first, second, later


@pytest.fixture
def leavers(world):
    """The known school (4 left-behind children) plus a sixth-grader who graduates and a pupil of 三年级(2)班
    who transfers, both left-behind with complete archives and a mentor."""
    build_known_school(world)
    sixth = SchoolClassFactory(school=world.school, grade=6, number=1)
    graduate = left_behind_child(sixth, name="毕业生")
    mover = left_behind_child(world.school_class, name="转学生")
    return graduate, mover


def test_a_child_who_graduates_or_transfers_next_term_still_counts_in_this_terms_figures(world, terms, leavers):
    first, second, later = terms
    graduate, mover = leavers
    before = figures_of(world, first)
    assert before["left_behind"] == 6 and before["rate"] == (6, 5) and before["mentoring"][:2] == (6, 5)
    assert [label for label, _, _ in before["by_class"]] == ["三年级(2)班", "四年级(1)班", "六年级(1)班"]

    save_archive(
        school=world.school,
        data=ArchiveData(child={"status": EnrolmentStatus.TRANSFERRED}),
        acting_user=world.coordinator,
        child=mover,
        on=TRANSFER_DAY,
    )
    promote_school(school=world.school, on=GRADUATION_DAY, acting_user=world.principal)

    assert figures_of(world, first) == before
    # In the term they left in they were still here; in the term after, they are gone, and the classes
    # that moved up are named with their new grade.
    assert figures_of(world, second)["left_behind"] == 6
    after = figures_of(world, later)
    assert after["left_behind"] == 4
    assert [label for label, _, _ in after["by_class"]] == ["四年级(2)班", "五年级(1)班"]


def test_leaving_through_the_archive_form_dates_it_and_coming_back_clears_the_date(world, leavers):
    _, mover = leavers
    save_archive(
        school=world.school,
        data=ArchiveData(child={"status": EnrolmentStatus.GRADUATED}),
        acting_user=world.coordinator,
        child=mover,
        on=TRANSFER_DAY,
    )
    mover.refresh_from_db()
    assert (mover.status, mover.left_on) == (EnrolmentStatus.GRADUATED, TRANSFER_DAY)
    save_archive(
        school=world.school,
        data=ArchiveData(child={"status": EnrolmentStatus.SUSPENDED}),
        acting_user=world.coordinator,
        child=mover,
        on=date(2027, 4, 1),
    )
    mover.refresh_from_db()
    assert (mover.status, mover.left_on) == (EnrolmentStatus.SUSPENDED, None)


def test_leaving_through_the_archive_form_tells_the_apps_above_and_a_same_day_correction_too(
    world, leavers, monkeypatch
):
    calls = []
    monkeypatch.setattr(lifecycle, "_LEAVING", [lambda **kw: calls.append(("left", kw))])
    monkeypatch.setattr(lifecycle, "_RETURNING", [lambda **kw: calls.append(("returned", kw))])
    _, mover = leavers

    def set_status(status, on):
        save_archive(
            school=world.school, data=ArchiveData(child={"status": status}), acting_user=world.coordinator,
            child=mover, on=on,
        )  # fmt: skip

    set_status(EnrolmentStatus.TRANSFERRED, TRANSFER_DAY)
    set_status(EnrolmentStatus.ENROLLED, TRANSFER_DAY)  # a slip corrected the same day: what ended reopens
    set_status(EnrolmentStatus.TRANSFERRED, TRANSFER_DAY)
    set_status(EnrolmentStatus.ENROLLED, date(2027, 5, 1))  # back weeks later: a new start, nothing reopens
    assert [(kind, [c.pk for c in kw["children"]], kw["on"], kw["reason"]) for kind, kw in calls] == [
        ("left", [mover.pk], TRANSFER_DAY, LeavingReason.TRANSFERRED),
        ("returned", [mover.pk], TRANSFER_DAY, LeavingReason.TRANSFERRED),
        ("left", [mover.pk], TRANSFER_DAY, LeavingReason.TRANSFERRED),
    ]
    assert calls[0][1]["acting_user"] == world.coordinator


def test_an_archive_made_later_does_not_change_an_earlier_terms_figures(world, terms):
    first, second, _ = terms
    legacy = left_behind_child(world.school_class, name="早建档")  # made before the dates were kept
    assert legacy.joined_on is None
    before = figures_of(world, first)
    child = save_archive(
        school=world.school,
        data=ArchiveData(
            child={"name": "新来的", "gender": "M", "birth_date": date(2017, 5, 1), "school_class": world.school_class},
            parents={
                "father": {"name": "王建国", "away_status": "away"},
                "mother": {"name": "李秀兰", "away_status": "away"},
            },
        ),
        acting_user=world.coordinator,
        on=date(2027, 3, 1),
    )
    AssessmentFactory(child=child)
    assert child.joined_on == date(2027, 3, 1)
    assert figures_of(world, first) == before
    assert figures_of(world, second)["left_behind"] == before["left_behind"] + 1


def test_a_record_that_left_without_a_date_counts_in_no_term(world, terms):
    """Hand-made rows (the migration dated every old leaver): the figures cannot place them, so leave them out."""
    first, _, _ = terms
    left_behind_child(world.school_class, name="无日期", status=EnrolmentStatus.GRADUATED)
    ChildFactory(school_class=world.school_class)
    assert figures_of(world, first)["left_behind"] == 0
