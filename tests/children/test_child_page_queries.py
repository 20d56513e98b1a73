"""The child page reads its 成长档案 (every app's records) in one query and its 修改记录 (five historical
tables) in another (issue 17): at most 12 queries of its own on top of what every logged-in page pays, the
same for a child with two logs as for one with two hundred, and still showing what it showed before."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from children import services
from children.chronology import chronology
from children.models import AwayStatus, Child, Guardian, LeftBehindPeriod
from children.transfer_selectors import chain_history
from mentoring.models import HomeVisitPhoto
from tests.children.test_transfers import a_to_b, archived_child
from tests.factories import (
    ActivityFactory,
    ActivityParticipantFactory,
    AidFactory,
    ConcernFactory,
    ExamFactory,
    ExamResultFactory,
    FamilyContactFactory,
    GuardianContactFactory,
    HealthCheckFactory,
    HomeVisitFactory,
    PairingFactory,
    TalkFactory,
)
from tests.test_page_queries import PAGE_QUERIES

TODAY = timezone.localdate()

# The site's URLs with the floor page (an empty page with the site's base template), and the ceiling, both
# tests/test_page_queries.py's own.
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_page_queries")]


def _queries(client, django_assert_max_num_queries, url) -> int:
    client.get(url)  # the first request may fill caches
    with django_assert_max_num_queries(1000) as counted:
        assert client.get(url).status_code == 200
    return len(counted)


def _own_queries(client, django_assert_max_num_queries, url) -> int:
    floor = _queries(client, django_assert_max_num_queries, reverse("page_floor"))
    return _queries(client, django_assert_max_num_queries, url) - floor


def _add_records(world, child, n: int, *, start: int = 0) -> None:
    """n of every kind of record the 成长档案 and the 修改记录 show."""
    for i in range(start, start + n):
        day = TODAY - timedelta(days=i)
        concern = ConcernFactory(
            child=child, raised_by=world.mentor, status="closed", action_taken=f"已谈心{i}", closed_at=timezone.now()
        )
        TalkFactory(child=child, author=world.mentor, date=day, concern=concern if i % 2 else None)
        visit = HomeVisitFactory(child=child, author=world.mentor, date=day)
        HomeVisitPhoto.objects.create(visit=visit, image="visits/a.jpg", thumbnail="visits/a-t.jpg", width=1, height=1)
        FamilyContactFactory(child=child, author=world.mentor, date=day)
        GuardianContactFactory(child=child, author=world.mentor, date=day)
        ActivityParticipantFactory(activity=ActivityFactory(school=child.school, date=day), child=child)
        AidFactory(child=child, date=day)
        HealthCheckFactory(child=child, date=day)
        ExamResultFactory(child=child, exam=ExamFactory(school=child.school, date=day), total_score=200 + i)
        guardian = Guardian.objects.get(child=child, until__isnull=True)
        guardian.age = 60 + i
        guardian.save()
        LeftBehindPeriod.objects.filter(child=child).update(reason=f"原因{i}")


def _child(world) -> Child:
    child = archived_child(world)
    PairingFactory(child=child, mentor=world.mentor, start_date=TODAY - timedelta(days=30))
    return child


@pytest.mark.parametrize("persona", ["principal", "mentor"])
def test_the_child_page_runs_at_most_12_queries_of_its_own_whatever_the_childs_history(
    client, world, django_assert_max_num_queries, persona
):
    child = _child(world)
    _add_records(world, child, 1)
    client.force_login(getattr(world, persona))
    url = reverse("children:detail", args=[child.pk])
    few = _own_queries(client, django_assert_max_num_queries, url)

    _add_records(world, child, 25, start=1)
    many = _own_queries(client, django_assert_max_num_queries, url)

    assert few <= PAGE_QUERIES, few
    assert many == few
    page = client.get(url).content.decode()
    assert page.count("/thumbnail/") == 26 and "已谈心25" in page  # all of it is still there


def test_the_kind_filter_keeps_its_chips_and_the_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    child = _child(world)
    _add_records(world, child, 3)
    client.force_login(world.principal)
    url = reverse("children:detail", args=[child.pk])
    everything = _own_queries(client, django_assert_max_num_queries, url)
    assert _own_queries(client, django_assert_max_num_queries, f"{url}?kind=exam") == everything
    page = client.get(f"{url}?kind=exam").content.decode()
    assert "?kind=visit#chronology" in page  # the other kinds stay offered
    assert "参加活动" not in page and "总分202/300" in page


def test_a_transferred_childs_page_pays_one_query_per_earlier_school_not_per_record(
    client, world, django_assert_max_num_queries
):
    child = _child(world)
    _add_records(world, child, 1)
    _, new = a_to_b(world, child)
    client.force_login(world.other_principal)
    url = reverse("children:detail", args=[new.pk])
    few = _own_queries(client, django_assert_max_num_queries, url)
    _add_records(world, Child.objects.get(pk=child.pk), 10, start=1)
    assert _own_queries(client, django_assert_max_num_queries, url) == few
    page = client.get(url).content.decode()
    assert "已谈心10" in page and "思蒙镇中心小学" in page


def test_a_case_closed_late_in_the_evening_is_on_that_days_line(world):
    child = _child(world)
    evening = timezone.make_aware(datetime.combine(date(2026, 9, 20), time(23, 30)))  # 15:30 UTC
    ConcernFactory(child=child, raised_by=world.mentor, status="closed", action_taken="已家访", closed_at=evening)
    [entry] = [e for e in chronology(child, world.principal) if e.kind == "concern"]
    assert entry.day == date(2026, 9, 20)


def test_health_checks_and_exams_read_their_numbers_as_entered(world):
    child = _child(world)
    HealthCheckFactory(child=child, date=date(2026, 9, 20), vision_left=Decimal("5.0"), height_cm=Decimal("132.5"))
    first = ExamFactory(school=child.school, date=date(2026, 9, 25), name="九月月考", full_score=Decimal("300"))
    second = ExamFactory(school=child.school, date=date(2026, 10, 25), name="十月月考", full_score=Decimal("150"))
    ExamResultFactory(child=child, exam=first, total_score=Decimal("240"))
    ExamResultFactory(child=child, exam=second, total_score=Decimal("100.5"))
    entries = {}
    for entry in chronology(child, world.principal):  # newest first: the latest of each kind
        entries.setdefault(entry.kind, entry)
    assert entries["health"].text.startswith("身高132.5cm，体重28kg，视力 左5.0 右4.9")
    assert entries["exam"].title == "十月月考：总分100.5/150"
    assert entries["exam"].text == "比九月月考↓13.0个百分点（按满分折算）" and entries["exam"].flagged


def test_the_change_history_names_the_changed_fields_and_skips_saves_that_changed_nothing(world):
    child = _child(world)
    services.update_parent_status(
        child=child, role="father", values={"away_status": AwayStatus.AT_HOME}, on=TODAY,
        reason="父亲返乡", acting_user=world.coordinator,
    )  # fmt: skip
    record = Child.objects.get(pk=child.pk)
    record.birth_date, record.is_boarder = date(2017, 3, 3), True
    record._history_user = world.coordinator  # who a page's request would name
    record.save()
    record.save()  # nothing changed: no line
    assessment = record.assessment
    assessment.income_sources = ["farming"]
    assessment.save()
    assessment.save()

    lines = chain_history(record)
    changes = [(line.what, line.fields) for line in lines if line.change == "修改"]
    assert ("学生信息", ["出生日期", "是否住校"]) in changes
    assert ("监护评估", ["家庭经济来源"]) in changes
    assert any(what == "父亲" and "外出状态" in fields for what, fields in changes)
    assert all(fields for _, fields in changes)  # the saves that changed nothing give no line
    assert len([what for what, _ in changes if what == "监护评估"]) == 1
    [by_hand] = [line for line in lines if line.fields == ["出生日期", "是否住校"]]
    assert by_hand.who == world.coordinator.get_full_name() != ""
    assert {line.who for line in lines if line.what == "父亲"} == {"系统"}  # no request, no user
