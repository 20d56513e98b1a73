"""The case pages through HTTP: 待处理 by risk then age, 紧急 in words, overdue follow-ups marked, the case
page and its next steps, 我的个案, and a fixed number of queries for the list and the page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import CaseAction, Concern, ConcernStatus, Referral
from tests.factories import ChildFactory, ConcernFactory, PairingFactory, StaffFactory


@pytest.fixture
def child(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小明")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    return child


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def case_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-concern="(\d+)"', html)]


def test_the_list_puts_urgent_first_then_the_oldest_and_says_urgent_in_words(login, world, child):
    old_normal = ConcernFactory(child=child, raised_by=world.mentor, raised_on=days_ago(20))
    new_high = ConcernFactory(child=child, raised_by=world.mentor, risk="high", raised_on=days_ago(1))
    new_urgent = ConcernFactory(child=child, raised_by=world.mentor, category="crisis", risk="urgent")
    old_urgent = ConcernFactory(
        child=child, raised_by=world.mentor, category="abuse", risk="urgent", raised_on=days_ago(3)
    )
    closed = ConcernFactory(
        child=child, raised_by=world.mentor, status="closed", action_taken="已处理完毕", closed_at=timezone.now()
    )
    html = login(world.coordinator).get(reverse("mentoring:concerns")).content.decode()
    assert case_order(html) == [old_urgent.pk, new_urgent.pk, new_high.pk, old_normal.pk]
    assert html.count('<i class="bi bi-exclamation-octagon-fill"></i> 紧急') == 2
    assert html.index("最近已结案") < html.index("已处理完毕") and closed.pk not in case_order(html)


def test_overdue_follow_ups_are_marked_on_the_list_and_the_case_page(login, world, child):
    case = ConcernFactory(child=child, raised_by=world.mentor, assigned_to=world.coordinator)
    CaseAction.objects.create(
        concern=case, what="再次家访", who=world.mentor, due_on=days_ago(2), created_by=world.coordinator
    )
    CaseAction.objects.create(
        concern=case, what="心理老师谈话", who=world.mentor, due_on=days_ago(-3), created_by=world.coordinator
    )
    client = login(world.coordinator)
    assert "跟进逾期 1 项" in client.get(reverse("mentoring:concerns")).content.decode()
    page = client.get(reverse("mentoring:case_detail", args=[case.pk])).content.decode()
    assert page.count("已逾期") == 1 and "心理老师谈话" in page


def test_the_coordinator_works_a_case_from_its_page(login, world, child):
    case = ConcernFactory(child=child, raised_by=world.mentor, assigned_to=world.coordinator)
    counsellor = StaffFactory(school=world.school, user__first_name="心理老师").user
    client = login(world.coordinator)
    page = reverse("mentoring:case_detail", args=[case.pk])
    assert client.post(reverse("mentoring:case_assign", args=[case.pk]), {"assignee": counsellor.pk}).url == page
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    add = reverse("mentoring:case_action_add", args=[case.pk])
    client.post(add, {"what": "单独谈话", "who": counsellor.pk, "due_on": due})
    client.post(add, {"what": "单独谈话", "who": counsellor.pk, "due_on": due})  # a double tap
    assert CaseAction.objects.filter(concern=case).count() == 1
    refer = reverse("mentoring:case_referral_add", args=[case.pk])
    client.post(refer, {"agency": "child_director", "referred_on": timezone.localdate().isoformat()})
    case.refresh_from_db()
    assert case.assigned_to == counsellor and case.status == ConcernStatus.REFERRED
    html = client.get(page).content.decode()
    assert "村/社区儿童主任" in html and "单独谈话" in html and "已转介" in html
    response = client.post(reverse("mentoring:concern_close", args=[case.pk]), {"action_taken": ""}, follow=True)
    assert "请填写结案情况" in response.content.decode()
    client.post(reverse("mentoring:concern_close", args=[case.pk]), {"action_taken": "儿童主任已介入，情况稳定"})
    client.post(reverse("mentoring:case_reopen", args=[case.pk]), {"reason": "又出现逃学"})
    case.refresh_from_db()
    assert case.status == ConcernStatus.IN_PROGRESS and "又出现逃学" in client.get(page).content.decode()


def test_the_assignee_finds_the_case_under_my_cases_and_marks_their_follow_up_done(login, world, child):
    case = ConcernFactory(child=child, raised_by=world.mentor, category="crisis", risk="urgent")
    counsellor = StaffFactory(school=world.school, user__first_name="心理老师").user
    client = login(counsellor)
    assert client.get(reverse("mentoring:case_detail", args=[case.pk])).status_code == 404
    Concern.objects.filter(pk=case.pk).update(assigned_to=counsellor)
    action = CaseAction.objects.create(
        concern=case, what="谈话", who=counsellor, due_on=timezone.localdate(), created_by=world.coordinator
    )
    assert case.pk in case_order(client.get(reverse("mentoring:my_cases")).content.decode())
    client.post(reverse("mentoring:case_action_done", args=[action.pk]), {"done_on": timezone.localdate().isoformat()})
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    # The assignee may not hand the case to someone else: that is the coordinator's or principal's.
    assert client.post(reverse("mentoring:case_assign", args=[case.pk]), {"assignee": counsellor.pk}).status_code == 403


def test_a_teacher_may_not_lower_an_urgent_case_and_is_not_offered_to(login, world, child):
    case = ConcernFactory(child=child, raised_by=world.mentor, category="crisis", risk="urgent")
    Concern.objects.filter(pk=case.pk).update(assigned_to=world.class_teacher)
    client = login(world.class_teacher)
    html = client.get(reverse("mentoring:case_detail", args=[case.pk])).content.decode()
    risk_form = html[html.index("调整风险等级") :]
    assert 'value="normal"' not in risk_form[: risk_form.index("</form>")]
    response = client.post(reverse("mentoring:case_risk", args=[case.pk]), {"risk": "normal"}, follow=True)
    case.refresh_from_db()
    assert case.risk == "urgent" and "只有关爱工作负责人或校长可以降低" in response.content.decode()


def test_a_log_form_raises_a_case_with_a_chosen_risk(login, world, child):
    client = login(world.mentor)
    client.post(
        reverse("mentoring:talk_create", args=[child.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "place": "office",
            "mood": 3,
            "text": "谈心",
            "flag_concern": "on",
            "concern_category": "safety",
            "concern_risk": "high",
        },
    )
    case = Concern.objects.get()
    assert case.risk == "high" and case.assigned_to == world.coordinator


def _populate(world, n):
    children = [ChildFactory(school_class=world.school_class, left_behind_type="both_away") for _ in range(n)]
    for i, child in enumerate(children):
        case = ConcernFactory(child=child, raised_by=world.mentor, assigned_to=world.coordinator, risk="high")
        CaseAction.objects.create(
            concern=case, what="跟进", who=world.mentor, due_on=days_ago(i % 3), created_by=world.coordinator
        )
        Referral.objects.create(
            concern=case, agency="other", referred_on=timezone.localdate(), created_by=world.coordinator
        )
        ConcernFactory(
            child=child, raised_by=world.mentor, status="closed", action_taken="已处理", closed_at=timezone.now()
        )
    return children


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_list_takes_the_same_number_of_queries_for_2_or_20_cases(login, world, django_assert_max_num_queries):
    client = login(world.coordinator)
    url = reverse("mentoring:concerns")
    client.get(url)
    _populate(world, 2)
    small = _queries(client, url)
    _populate(world, 18)
    assert _queries(client, url) == small
    # Session, user, profile and two role checks (5); open and closed cases (2); the menu's case count and
    # unread notifications (2); the session save with its savepoint (3).
    with django_assert_max_num_queries(12):
        client.get(url)


def test_the_case_page_takes_the_same_number_of_queries_whatever_its_history(
    login, world, child, django_assert_max_num_queries
):
    case = ConcernFactory(child=child, raised_by=world.mentor, assigned_to=world.coordinator)
    client = login(world.coordinator)
    url = reverse("mentoring:case_detail", args=[case.pk])
    client.get(url)
    small = _queries(client, url)
    for i in range(10):
        CaseAction.objects.create(
            concern=case, what=f"跟进{i}", who=world.mentor, due_on=days_ago(i - 5), created_by=world.coordinator
        )
        Referral.objects.create(concern=case, agency="other", referred_on=days_ago(i), created_by=world.coordinator)
    assert _queries(client, url) == small
    # Session, user, profile and two role checks (5); the case, its actions, its referrals (3); the staff list
    # of the assign and follow-up forms (2); the menu's case count and unread notifications (2); the session
    # save with its savepoint (3).
    with django_assert_max_num_queries(15):
        client.get(url)
