"""困境 and 事实无人抚养 children in the figures: counted on the dashboard, in the PDF and on the county page
(a count, never a name), among the pairable children of 结对率, and an ended term keeps its figures when
something is recorded today."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Term
from children.models import AwayStatus, ChildHardship, ParentRole
from children.services import ArchiveData, reclassify_child, save_archive, update_parent_status
from reports.selectors import school_term_figures
from tests.factories import AssessmentFactory, ChildFactory, GuardianFactory, PairingFactory, ParentFactory, TermFactory
from tests.reports.helpers import START, build_known_school, pdf_text

pytestmark = pytest.mark.django_db
UNSUPPORTED_NAME = "罗小燕"
HARDSHIP_NAME = "覃小军"


def _unsupported_child(school_class, name=UNSUPPORTED_NAME):
    """Father in prison, mother dead, each with the document; grandmother looks after her."""
    child = ChildFactory(school_class=school_class, name=name)
    ParentFactory(child=child, role=ParentRole.FATHER, away_status=AwayStatus.IMPRISONED, work_province_id=None,
                  work_city_id=None, status_evidence="刑事判决书", status_evidenced_on=date(2026, 3, 1))  # fmt: skip
    ParentFactory(child=child, role=ParentRole.MOTHER, away_status=AwayStatus.DECEASED, work_province_id=None,
                  work_city_id=None, status_evidence="死亡证明", status_evidenced_on=date(2025, 6, 1))  # fmt: skip
    GuardianFactory(child=child)
    AssessmentFactory(child=child)
    reclassify_child(child=child, on=START)
    return child


def _hardship_child(school_class, name=HARDSHIP_NAME, *, since=START):
    child = ChildFactory(school_class=school_class, name=name)
    ChildHardship.objects.create(
        child=child, kind="low_income", evidence="低保证", evidenced_on=since, start_date=since
    )
    return child


@pytest.fixture
def school(world):
    """The known school (4 left-behind, 3 of them paired) with one unpaired 事实无人抚养 child and one paired
    困境 child, neither of them 留守."""
    build_known_school(world)
    _unsupported_child(world.school_class)
    PairingFactory(child=_hardship_child(world.school_class), start_date=START)
    _unsupported_child(world.foreign_class, name="外校无人抚养")  # another school: never counted here
    return world


def test_the_term_figures_count_hardship_and_unsupported_children_among_the_pairable(school):
    figures = school_term_figures(school.school, school.school.terms.get())
    assert (figures.left_behind, figures.hardship, figures.unsupported, figures.in_care) == (4, 1, 1, 6)
    assert [(t.label, t.count) for t in figures.hardship_by_kind] == [("低保家庭", 1)]
    assert (figures.archive.total, figures.archive.complete) == (4, 3)  # 建档率: the left-behind archives
    m = figures.mentoring
    assert (m.left_behind, m.paired, m.pairing_coverage) == (6, 4, 66.7)  # 结对率 counts them all


def test_the_dashboard_shows_both_counts_and_labels_both_rates(client, school):
    client.force_login(school.principal)
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert re.search(r'data-figure="unsupported">1<', html) and re.search(r'data-figure="hardship">1<', html)
    assert re.search(r'data-figure="archive_rate">75.0%<', html) and "（不含结对）" in html
    assert re.search(r'data-figure="pairing_coverage">66.7%<', html) and "关爱对象 6 人" in html
    assert re.search(r'data-figure="unpaired">2<', html)


def test_the_pdf_states_the_counts_and_names_no_child(client, school):
    client.force_login(school.principal)
    text = re.sub(r"[ \t]+", " ", pdf_text(client.post(reverse("reports:term_report_pdf")).content))
    assert re.search(r"困境儿童\s*1 人", text) and re.search(r"事实无人抚养儿童\s*1 人", text)
    assert re.search(r"关爱对象（留守、困境、事实无人抚养）\s*6 人", text)
    assert re.search(r"结对覆盖率\s*66.7%", text)
    assert UNSUPPORTED_NAME not in text and HARDSHIP_NAME not in text


def test_the_county_page_shows_counts_only(client, school):
    client.force_login(school.bureau)
    html = client.get(reverse("reports:county")).content.decode()
    row = re.search(rf'<tr data-school="{school.school.pk}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-figure="unsupported">1<', row) and re.search(r'data-figure="hardship">1<', row)
    other = re.search(rf'<tr data-school="{school.other_school.pk}">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-figure="unsupported">1<', other)
    assert re.search(r'data-figure="total_unsupported">2<', html)
    assert UNSUPPORTED_NAME not in html and HARDSHIP_NAME not in html and "外校无人抚养" not in html


def test_an_ended_term_keeps_its_figures_when_a_hardship_or_a_parent_change_is_recorded_today(world):
    past = TermFactory(
        school=world.school, start_year=2025, semester=2, is_current=False,
        start_date=date(2026, 2, 20), end_date=date(2026, 7, 10),
    )  # fmt: skip
    current = Term.objects.get(school=world.school, is_current=True)
    child = ChildFactory(school_class=world.school_class)
    ParentFactory(child=child, role=ParentRole.FATHER, away_status=AwayStatus.DECEASED, work_province_id=None,
                  status_evidence="死亡证明", status_evidenced_on=date(2025, 1, 1))  # fmt: skip
    ParentFactory(child=child, role=ParentRole.MOTHER, away_status=AwayStatus.AT_HOME, work_province_id=None)
    before = school_term_figures(world.school, past)
    assert (before.hardship, before.unsupported) == (0, 0)

    save_archive(
        school=world.school,
        data=ArchiveData(
            child={}, hardships=["low_income"],
            hardship_evidence={"low_income": {"evidence": "低保证", "evidenced_on": timezone.localdate()}},
        ),
        acting_user=world.coordinator,
        child=child,
    )  # fmt: skip
    update_parent_status(
        child=child,
        role=ParentRole.MOTHER,
        values={"away_status": AwayStatus.IMPRISONED, "status_evidence": "判决书", "status_evidenced_on": START},
        on=timezone.localdate(),
        reason="母亲服刑",
        acting_user=world.coordinator,
    )
    after = school_term_figures(world.school, past)
    assert (after.hardship, after.unsupported, after.in_care) == (0, 0, 0)
    now = school_term_figures(world.school, current)
    assert (now.hardship, now.unsupported, now.in_care) == (1, 1, 1)


def test_a_hardship_ended_today_still_counts_in_the_term_it_covered(world):
    child = _hardship_child(world.school_class)
    term = world.school.terms.get()
    save_archive(school=world.school, data=ArchiveData(child={}, hardships=[]), acting_user=world.coordinator,
                 child=child)  # fmt: skip
    assert not child.hardships.exists()
    assert school_term_figures(world.school, term).hardship == 1


def test_the_county_sheet_has_the_counts_and_no_name(client, school):
    from io import BytesIO

    from openpyxl import load_workbook

    client.force_login(school.bureau)
    response = client.post(reverse("reports:county_xlsx"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][-2:] == ("困境儿童", "事实无人抚养儿童")
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name[school.school.name][-2:] == (1, 1)
    assert by_name["合计（2 所学校）"][-2:] == (1, 2)
    assert UNSUPPORTED_NAME not in str(rows) and HARDSHIP_NAME not in str(rows)
