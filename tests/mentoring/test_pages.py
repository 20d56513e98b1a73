"""The mentoring pages through HTTP: the phone flow, the rules on who may log and change what, concerns,
pairings, and a constant number of queries for 3 or 300 children."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from mentoring.models import Concern, ConcernStatus, Pairing, Talk
from tests.factories import (
    ChildFactory,
    ConcernFactory,
    ExternalMentorFactory,
    GuardianContactFactory,
    HomeVisitFactory,
    PairingFactory,
    TalkFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def term_around_today(world):
    """Whatever day the suite runs, today is in term (so the badges are not 假期中)."""
    from caretrack.models import Term

    today = timezone.localdate()
    Term.objects.filter(school=world.school).update(
        start_date=today - timedelta(days=60), end_date=today + timedelta(days=60)
    )


@pytest.fixture
def child(world):
    child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="王小花")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    return child


def talk_post(**overrides):
    data = {
        "date": timezone.localdate().isoformat(),
        "place": "office",
        "topics": ["study", "family"],
        "mood": "4",
        "text": "数学测验有进步，说想妈妈了。",
    }
    data.update(overrides)
    return data


# --- The phone flow -------------------------------------------------------------------------------


def test_mentor_logs_a_talk_and_the_badge_turns_green(client, world, child):
    client.force_login(world.mentor)
    home = client.get(reverse("mentoring:my_students")).content.decode()
    assert "王小花" in home and ("本周谈心 0/1" in home or "谈心逾期" in home)
    form = client.get(reverse("mentoring:talk_create", args=[child.pk]))
    assert form.status_code == 200 and timezone.localdate().isoformat() in form.content.decode()
    response = client.post(reverse("mentoring:talk_create", args=[child.pk]), talk_post())
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:my_students")
    talk = Talk.objects.get(child=child)
    assert talk.author == world.mentor and talk.topics == ["study", "family"] and talk.mood == 4
    assert "本周谈心 1/1" in client.get(reverse("mentoring:my_students")).content.decode()


def test_teachers_land_on_my_students(client, world, child):
    client.force_login(world.mentor)
    assert client.get("/")["Location"] == reverse("mentoring:my_students")


def test_a_future_date_is_refused_with_a_chinese_message(client, world, child):
    client.force_login(world.mentor)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("mentoring:talk_create", args=[child.pk]), talk_post(date=tomorrow))
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    assert not Talk.objects.exists()


def test_a_double_tap_saves_one_talk(client, world, child):
    client.force_login(world.mentor)
    url = reverse("mentoring:talk_create", args=[child.pk])
    assert client.post(url, talk_post()).status_code == 302
    second = client.post(url, talk_post())
    assert second.status_code == 200 and "请勿重复提交" in second.content.decode()
    assert Talk.objects.count() == 1


def test_an_empty_visit_form_says_what_is_missing(client, world, child):
    client.force_login(world.mentor)
    response = client.post(reverse("mentoring:visit_create", args=[child.pk]), {"date": "", "kind": "opening"})
    html = response.content.decode()
    assert response.status_code == 200 and "请填写记录内容" in html and "请填写接待人" in html


def test_visit_form_suggests_the_guardian(client, world, child):
    from tests.factories import GuardianFactory

    GuardianFactory(child=child, name="王秀英")
    client.force_login(world.mentor)
    html = client.get(reverse("mentoring:visit_create", args=[child.pk])).content.decode()
    assert "王秀英" in html


# --- Who may log and change what ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["talk", "visit", "family_contact", "guardian_contact"])
def test_a_mentor_cannot_log_for_a_child_outside_their_pairing(client, world, child, kind):
    stranger = ChildFactory(school_class=world.other_class, left_behind_type="both_away")
    client.force_login(world.mentor)
    url = reverse(f"mentoring:{kind}_create", args=[stranger.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, talk_post(met_whom="奶奶")).status_code == 404


def test_a_mentor_cannot_read_logs_of_other_children(client, world, child):
    stranger = ChildFactory(school_class=world.other_class)
    talk = TalkFactory(child=stranger, author=world.coordinator)
    client.force_login(world.mentor)
    assert client.get(reverse("mentoring:talk_detail", args=[talk.pk])).status_code == 404
    assert client.get(reverse("mentoring:chronology", args=[stranger.pk])).status_code == 404


def test_a_class_teacher_logs_for_a_child_of_their_class_without_a_pairing(client, world):
    pupil = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    client.force_login(world.class_teacher)
    response = client.post(reverse("mentoring:talk_create", args=[pupil.pk]), talk_post())
    assert response.status_code == 302 and Talk.objects.filter(child=pupil, author=world.class_teacher).exists()


def test_the_author_may_edit_for_seven_days_then_only_the_coordinator(client, world, child):
    talk = TalkFactory(child=child, author=world.mentor)
    client.force_login(world.mentor)
    edit = reverse("mentoring:talk_edit", args=[talk.pk])
    response = client.post(edit, talk_post(text="更正：数学测验92分。"))
    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.text == "更正：数学测验92分。"
    Talk.objects.filter(pk=talk.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert client.get(edit).status_code == 403
    client.force_login(world.coordinator)
    assert client.post(edit, talk_post(text="负责人补充。")).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, user=world.coordinator).exists()


def test_deleting_is_soft_and_audited(client, world, child):
    talk = TalkFactory(child=child, author=world.mentor)
    client.force_login(world.mentor)
    response = client.post(reverse("mentoring:talk_delete", args=[talk.pk]), {"reason": "录错了学生"})
    assert response.status_code == 302
    assert not Talk.objects.filter(pk=talk.pk).exists() and Talk.all_objects.get(pk=talk.pk).is_deleted
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert event.user == world.mentor and event.detail["reason"] == "录错了学生"
    assert client.get(reverse("mentoring:talk_detail", args=[talk.pk])).status_code == 404


def test_coordinator_enters_a_talk_for_an_external_volunteer(client, world):
    volunteer = ExternalMentorFactory(school=world.school, name="李桂芳")
    pupil = ChildFactory(school_class=world.other_class, left_behind_type="both_away")
    PairingFactory(child=pupil, mentor=None, external_mentor=volunteer, role="proxy")
    client.force_login(world.coordinator)
    board = client.get(reverse("mentoring:pairings")).content.decode()
    url = reverse("mentoring:talk_create", args=[pupil.pk])
    assert f"{url}?next=" in board  # one tap from the board
    form = client.get(url).content.decode()
    assert f'<option value="{volunteer.pk}" selected>' in form
    response = client.post(url, talk_post(external_mentor=volunteer.pk, next=reverse("mentoring:pairings")))
    assert response.status_code == 302 and response["Location"] == reverse("mentoring:pairings")
    assert Talk.objects.get(child=pupil).external_mentor == volunteer


# --- Concerns -------------------------------------------------------------------------------------------


def test_a_flagged_talk_reaches_the_coordinator_at_once_and_is_closed_with_what_was_done(client, world, child):
    client.force_login(world.mentor)
    client.post(
        reverse("mentoring:talk_create", args=[child.pk]),
        talk_post(flag_concern="on", concern_category="academic", concern_description="成绩连续下滑"),
    )
    concern = Concern.objects.get()
    assert concern.raised_by == world.mentor and Talk.objects.get().concern == concern
    client.force_login(world.coordinator)
    assert "成绩连续下滑" in client.get(reverse("mentoring:concerns")).content.decode()
    close = reverse("mentoring:concern_close", args=[concern.pk])
    client.post(close, {"action_taken": ""})
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.NEW
    client.post(close, {"action_taken": "已安排学习小组帮扶，并与监护人沟通。"})
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and concern.closed_by == world.coordinator


def test_a_concern_needs_a_category(client, world, child):
    client.force_login(world.mentor)
    response = client.post(reverse("mentoring:talk_create", args=[child.pk]), talk_post(flag_concern="on"))
    assert "请选择关注类别" in response.content.decode() and not Talk.objects.exists()


def test_concerns_older_than_a_week_are_highlighted(client, world, child):
    ConcernFactory(child=child, raised_by=world.mentor, raised_on=timezone.localdate() - timedelta(days=9))
    client.force_login(world.coordinator)
    assert "已超过一周" in client.get(reverse("mentoring:concerns")).content.decode()


def test_sensitive_concerns_are_seen_by_author_coordinator_and_principal_only(client, world, child):
    concern = ConcernFactory(child=child, raised_by=world.mentor, category="abuse", description="身上多处淤青")
    talk = TalkFactory(child=child, author=world.mentor, concern=concern, text="孩子说晚上不敢回家")
    plain = TalkFactory(child=child, author=world.mentor, text="普通谈心记录")
    detail = reverse("mentoring:talk_detail", args=[talk.pk])
    chronology = reverse("mentoring:chronology", args=[child.pk])
    for user in (world.mentor, world.coordinator, world.principal):
        client.force_login(user)
        assert client.get(detail).status_code == 200
        assert "不敢回家" in client.get(chronology).content.decode()
    client.force_login(world.class_teacher)
    assert client.get(detail).status_code == 404
    html = client.get(chronology).content.decode()
    assert "不敢回家" not in html and "普通谈心记录" in html
    assert "不敢回家" not in client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert client.get(reverse("mentoring:talk_detail", args=[plain.pk])).status_code == 200


def test_chronology_filters_by_kind(client, world, child):
    TalkFactory(child=child, author=world.mentor, text="谈心A")
    HomeVisitFactory(child=child, author=world.mentor, text="家访B")
    GuardianContactFactory(child=child, author=world.mentor, text="沟通C")
    client.force_login(world.mentor)
    url = reverse("mentoring:chronology", args=[child.pk])
    html = client.get(url).content.decode()
    assert all(t in html for t in ("谈心A", "家访B", "沟通C"))
    assert '?kind=visit"' in html and '?kind=family"' not in html  # filters for the kinds present
    html = client.get(url, {"kind": "visit"}).content.decode()
    assert "家访B" in html and "谈心A" not in html
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()  # the child page too
    assert all(t in page for t in ("谈心A", "家访B", "沟通C"))


# --- Pairings ---------------------------------------------------------------------------------------------


def pairing_post(child, mentor, **overrides):
    data = {"child": child.pk, "mentor": mentor.pk, "start_date": timezone.localdate().isoformat()}
    data.update(overrides)
    return data


def test_the_limit_of_children_per_mentor_is_enforced_unless_a_reason_is_given(client, world):
    for _ in range(3):
        PairingFactory(child=ChildFactory(school_class=world.other_class, left_behind_type="both_away"),
                       mentor=world.mentor)  # fmt: skip
    fourth = ChildFactory(school_class=world.other_class, left_behind_type="both_away")
    client.force_login(world.coordinator)
    url = reverse("mentoring:pairing_create")
    response = client.post(url, pairing_post(fourth, world.mentor))
    assert response.status_code == 200 and "达到本校上限（3 名）" in response.content.decode()
    assert not Pairing.objects.filter(child=fourth).exists()
    assert client.post(url, pairing_post(fourth, world.mentor, over_limit_reason="同村，便于家访")).status_code == 302
    assert Pairing.objects.get(child=fourth).over_limit_reason == "同村，便于家访"


def test_the_role_follows_the_mentors_gender(client, world):
    pupil = ChildFactory(school_class=world.other_class, left_behind_type="both_away")
    world.mentor.profile.gender = "M"
    world.mentor.profile.save()
    client.force_login(world.coordinator)
    client.post(reverse("mentoring:pairing_create"), pairing_post(pupil, world.mentor))
    assert Pairing.objects.get(child=pupil).get_role_display() == "爱心爸爸"


def test_unpaired_lists_suggest_the_class_teacher_first_and_bulk_pairing_is_all_or_nothing(client, world):
    a = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="甲")
    b = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name="乙")
    ChildFactory(school_class=world.school_class, name="非留守")
    client.force_login(world.coordinator)
    html = client.get(reverse("mentoring:unpaired")).content.decode()
    assert "甲" in html and "非留守" not in html
    recommended = html.split('label="推荐"')[1].split("</optgroup>")[0]
    assert recommended.index("陈老师") < recommended.index("刘老师")  # 陈老师 heads the class
    for _ in range(3):
        PairingFactory(child=ChildFactory(school_class=world.other_class), mentor=world.mentor)
    url = reverse("mentoring:bulk_pair")
    client.post(url, {f"mentor_{a.pk}": world.class_teacher.pk, f"mentor_{b.pk}": world.mentor.pk})
    assert not Pairing.objects.filter(child__in=[a, b]).exists()  # the mentor is full: nothing saved
    client.post(url, {f"mentor_{a.pk}": world.class_teacher.pk, f"mentor_{b.pk}": world.class_teacher.pk})
    assert Pairing.objects.filter(child__in=[a, b], mentor=world.class_teacher).count() == 2


def test_bulk_pairing_refuses_another_schools_teacher(client, world):
    a = ChildFactory(school_class=world.school_class, left_behind_type="both_away")
    client.force_login(world.coordinator)
    client.post(reverse("mentoring:bulk_pair"), {f"mentor_{a.pk}": world.other_teacher.pk})
    assert not Pairing.objects.filter(child=a).exists()


def test_ending_a_pairing_takes_the_child_off_the_mentors_phone(client, world, child):
    pairing = Pairing.objects.get(child=child)
    client.force_login(world.coordinator)
    client.post(reverse("mentoring:pairing_end", args=[pairing.pk]), {"end_date": timezone.localdate().isoformat()})
    pairing.refresh_from_db()
    assert pairing.end_date == timezone.localdate()


def test_cadence_settings(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("mentoring:settings"),
        {
            "talk_times": 1,
            "talk_per": "week",
            "visit_times": 3,
            "visit_per": "term",
            "guardian_times": 1,
            "guardian_per": "month",
            "family_times": 2,
            "family_per": "month",
            "max_children_per_mentor": 2,
        },
    )
    assert response.status_code == 302
    world.school.refresh_from_db()
    visit = world.school.cadence_rules.get(kind="visit")
    assert world.school.max_children_per_mentor == 2 and (visit.times, visit.per) == (3, "term")


# --- A fixed number of queries for 3 or 300 children ----------------------------------------------------


def populate(world, n):
    """n left-behind children paired to the mentor (over the limit: that is the point), with logs, and
    n more waiting for a mentor."""
    children = [ChildFactory.build(school_class=world.school_class, left_behind_type="both_away") for _ in range(n)]
    children = type(children[0]).objects.bulk_create(children)
    waiting = [ChildFactory.build(school_class=world.other_class, left_behind_type="both_away") for _ in range(n)]
    type(children[0]).objects.bulk_create(waiting)
    start = timezone.localdate() - timedelta(days=40)
    Pairing.objects.bulk_create(
        [Pairing(child=c, mentor=world.mentor, role="mother", start_date=start) for c in children]
    )
    Talk.objects.bulk_create(
        [Talk(child=c, author=world.mentor, date=timezone.localdate(), text="谈心") for c in children[::2]]
    )
    Concern.objects.bulk_create(
        [Concern(child=c, category="other", raised_by=world.mentor, raised_on=timezone.localdate()) for c in children]
    )


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize(
    "persona, url_name",
    [
        ("mentor", "mentoring:my_students"),
        ("class_teacher", "mentoring:my_students"),
        ("coordinator", "mentoring:pairings"),
        ("coordinator", "mentoring:concerns"),
        ("coordinator", "mentoring:unpaired"),
    ],
)
def test_pages_take_the_same_number_of_queries_for_3_or_300_children(client, world, persona, url_name):
    client.force_login(getattr(world, persona))
    url = reverse(url_name)
    client.get(url)  # warm the session
    populate(world, 3)
    small, _ = count_queries(client, url)
    populate(world, 297)
    large, response = count_queries(client, url)
    assert small == large <= 20, f"{url_name}: {small} queries with 3 children, {large} with 300"
    html = response.content.decode()
    if url_name == "mentoring:my_students" and persona == "mentor":
        assert html.count('class="card card-child') == 300
    if url_name == "mentoring:unpaired":
        assert html.count('<select name="mentor_') == 300


def test_the_proposed_plan_respects_the_limit_and_saves_in_one_go(client, world):
    from mentoring.selectors import mentor_options, plan_pairings, unpaired_children

    world.school.max_children_per_mentor = 2
    world.school.save()
    kids = [ChildFactory(school_class=world.school_class, left_behind_type="both_away") for _ in range(5)]
    today = timezone.localdate()
    plan = plan_pairings(
        list(unpaired_children(school=world.school, on=today)), mentor_options(school=world.school, on=today), 2
    )
    assert [plan[k.pk] for k in kids[:2]] == [world.class_teacher.pk] * 2  # the class teacher first
    assert max(list(plan.values()).count(pk) for pk in set(plan.values())) == 2
    client.force_login(world.coordinator)
    client.post(reverse("mentoring:bulk_pair"), {f"mentor_{pk}": mentor for pk, mentor in plan.items()})
    assert Pairing.objects.filter(child__in=kids).count() == 5
