"""Cases reach the people responsible: an urgent case alerts the school's coordinators and principals at once
(as 王同学 and the class, never the full name), overdue follow-ups are reminded daily, the 待办 list and the
menu count what waits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from caretrack.models import Notification
from caretrack.navigation import nav_for
from caretrack.notifications import reminders_for, send
from caretrack.tasks import tasks_for
from mentoring import case_services as cases
from mentoring.case_services import ConcernData
from mentoring.models import CaseAction, Concern
from tests.factories import ChildFactory, ConcernFactory, PairingFactory, StaffFactory


@pytest.fixture
def child(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="欧阳小明")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    return child


def raise_(world, child, category):
    return cases.raise_case(
        child=child, data=ConcernData(category=category), day=timezone.localdate(), acting_user=world.mentor
    )


def test_an_urgent_case_alerts_the_schools_coordinators_and_principals_without_the_childs_name(world, child):
    second = StaffFactory(school=world.school, is_coordinator=True).user
    StaffFactory(school=world.other_school, is_principal=True)
    case = raise_(world, child, "self_harm")
    alerts = Notification.objects.filter(key=f"case-new:{case.pk}")
    assert set(alerts.values_list("recipient", flat=True)) == {world.coordinator.pk, world.principal.pk, second.pk}
    alert = alerts.first()
    assert alert.title == "紧急关注：欧阳同学（三年级(2)班）" and alert.urgent
    assert alert.body == "自伤，请尽快处理。" and alert.link == f"/mentoring/concerns/{case.pk}/"
    assert "欧阳小明" not in alert.title + alert.body


def test_an_ordinary_case_alerts_nobody(world, child):
    raise_(world, child, "academic")
    assert not Notification.objects.exists()


def test_overdue_follow_ups_reach_the_doer_and_the_person_responsible_once_a_day(world, child):
    case = ConcernFactory(child=child, raised_by=world.mentor, assigned_to=world.coordinator)
    today = timezone.localdate()
    late = CaseAction.objects.create(
        concern=case,
        what="联系欧阳小明的母亲",
        who=world.mentor,
        due_on=today - timedelta(days=1),
        created_by=world.coordinator,
    )
    CaseAction.objects.create(concern=case, what="未到期", who=world.mentor, due_on=today, created_by=world.coordinator)
    CaseAction.objects.create(
        concern=case, what="已完成", who=world.mentor, due_on=today - timedelta(days=3), done_on=today,
        created_by=world.coordinator,
    )  # fmt: skip
    messages = list(reminders_for(today))
    mine = [m for m in messages if m.key.startswith("case-action-overdue:")]
    assert [m.key for m in mine] == [f"case-action-overdue:{late.pk}:{today.isoformat()}"]
    assert {u.pk for u in mine[0].recipients} == {world.mentor.pk, world.coordinator.pk}
    assert "欧阳小明" not in mine[0].title + mine[0].body and "欧阳同学" in mine[0].title
    for message in mine:
        send(message)
    for message in reminders_for(today):  # a second run the same day reaches nobody twice
        send(message)
    assert Notification.objects.filter(key__startswith="case-action-overdue:").count() == 2


def test_my_tasks_count_my_follow_ups_my_cases_and_for_the_principal_the_urgent_ones(
    world, child, django_assert_max_num_queries
):
    today = timezone.localdate()
    urgent = raise_(world, child, "crisis")
    raise_(world, child, "academic")
    Concern.objects.filter(pk=urgent.pk).update(assigned_to=world.principal)
    CaseAction.objects.create(
        concern=urgent, what="谈话", who=world.principal, due_on=today, created_by=world.coordinator
    )
    with django_assert_max_num_queries(6):
        tasks = {t.label: t for t in tasks_for(world.principal, today)}
    assert tasks["待办跟进"].count == 1 and "分配给我的个案" not in tasks  # the one assigned to me is 紧急:
    assert tasks["分配给我的紧急个案"].count == 1 and tasks["分配给我的紧急个案"].urgent
    assert tasks["全校未结案紧急个案"].count == 1 and tasks["全校未结案紧急个案"].urgent
    coordinator_tasks = {t.label: t.count for t in tasks_for(world.coordinator, today)}
    assert coordinator_tasks.get("分配给我的个案") == 1 and "全校未结案紧急个案" not in coordinator_tasks
    assert not [t for t in tasks_for(world.class_teacher, today) if t.key.startswith("mentoring-case")]


def test_the_menu_counts_the_open_cases_the_user_may_see(world, child):
    ConcernFactory(child=child, raised_by=world.mentor)
    ConcernFactory(child=child, raised_by=world.mentor, category="abuse", risk="urgent")
    ConcernFactory(
        child=child, raised_by=world.mentor, status="closed", action_taken="已处理", closed_at=timezone.now()
    )
    item = next(i for i in nav_for(world.coordinator) if i["label"] == "待处理")
    assert item["count"] == 2
