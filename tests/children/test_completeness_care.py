"""Completeness that fits the children in our care: 建档 is the archive's alone (a pairing is 结对率's), a child
assessed 无人监护 has a complete archive without a guardian and is shown as urgent, and a parent's death or
prison counts only with its evidence."""

from datetime import date

import pytest
from django.urls import reverse

from children.completeness import completeness_of
from children.models import AwayStatus, Child, GuardianshipLevel, ParentRole
from children.selectors import archive_rate, child_list
from children.services import reclassify_child
from mentoring.services import end_pairing
from tests.factories import AssessmentFactory, ChildFactory, GuardianFactory, PairingFactory, ParentFactory

pytestmark = pytest.mark.django_db
START = date(2026, 9, 1)


def _both_away(world, **kwargs):
    child = ChildFactory(school_class=world.school_class, **kwargs)
    ParentFactory(child=child, role=ParentRole.FATHER)
    ParentFactory(child=child, role=ParentRole.MOTHER, name="李秀兰", work_province_id="330000", work_city_id=None)
    reclassify_child(child=child, on=START)
    return child


def _completeness(child, on=date(2026, 10, 1)):
    return completeness_of(child_list(Child.objects.filter(pk=child.pk), on=on).get())


def test_an_unguarded_child_with_its_assessment_is_archived_without_a_guardian(world):
    child = _both_away(world)
    assert "委托监护人及其联系电话" in _completeness(child).missing
    AssessmentFactory(child=child, guardianship_level=GuardianshipLevel.NONE, assessed_on=START)
    assert _completeness(child).is_complete
    rate = archive_rate(schools=[world.school], term=world.school.terms.get())
    assert (rate.total, rate.complete) == (1, 1)


def test_without_the_assessment_no_guardian_is_still_missing(world):
    child = _both_away(world)
    AssessmentFactory(child=child, guardianship_level=GuardianshipLevel.FAIR)
    assert _completeness(child).missing == ["委托监护人及其联系电话"]


def test_an_unguarded_child_is_urgent_on_the_list_and_the_page(client, world):
    child = _both_away(world, name="无人监护生")
    AssessmentFactory(child=child, guardianship_level=GuardianshipLevel.NONE, assessed_on=START)
    _both_away(world, name="有人监护生")
    client.force_login(world.coordinator)
    listed = client.get(reverse("children:list")).content.decode()
    assert listed.count('data-urgent="unguarded"') == 1 and "紧急 · 无人监护" in listed
    urgent = client.get(reverse("children:list"), {"left_behind_type": "unguarded"}).content.decode()
    assert "无人监护生" in urgent and "有人监护生" not in urgent
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "紧急：无人监护。" in page and "已建档" in page


def test_the_archive_rate_does_not_move_when_a_pairing_ends(world):
    child = _both_away(world)
    GuardianFactory(child=child)
    AssessmentFactory(child=child)
    pairing = PairingFactory(child=child, start_date=START)
    before = archive_rate(schools=[world.school], on=date(2026, 10, 1))
    end_pairing(pairing=pairing, end_date=date(2026, 9, 30), acting_user=world.coordinator)
    after = archive_rate(schools=[world.school], on=date(2026, 10, 1))
    assert (before.total, before.complete) == (after.total, after.complete) == (1, 1)
    assert "结对帮扶教师" not in [label for label, _ in after.missing]


def test_a_parent_recorded_dead_without_evidence_leaves_the_archive_incomplete(world):
    child = ChildFactory(school_class=world.school_class)
    ParentFactory(child=child, role=ParentRole.FATHER)
    mother = ParentFactory(
        child=child, role=ParentRole.MOTHER, away_status=AwayStatus.DECEASED, work_province_id=None, work_city_id=None
    )  # as an import would store it: no document
    GuardianFactory(child=child)
    AssessmentFactory(child=child)
    reclassify_child(child=child, on=START)
    assert _completeness(child).missing == ["困境和父母情况的证明材料及认定日期"]
    mother.status_evidence, mother.status_evidenced_on = "死亡证明", date(2024, 5, 1)
    mother.save()
    assert _completeness(child).is_complete


def test_a_child_no_parent_of_whom_is_away_needs_no_work_place(world):
    child = ChildFactory(school_class=world.school_class)
    for role in ParentRole:
        ParentFactory(child=child, role=role, away_status=AwayStatus.MISSING, work_province_id=None,
                      work_city_id=None, status_evidence="公安机关失联证明", status_evidenced_on=START)  # fmt: skip
    GuardianFactory(child=child)
    AssessmentFactory(child=child)
    reclassify_child(child=child, on=START)
    assert _completeness(child).is_complete
