"""我的学生 of a class teacher (班主任): her own mentees as cards first, then her class in one card (学生, 留守,
建档, 本周谈心, 逾期) and a compact 谁在帮扶谁 list, instead of a full card for every other child of the class."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caretrack.models import Term
from children.models import Child, LeftBehindPeriod
from children.selectors import archive_rate
from mentoring.models import Pairing, Talk
from mentoring.selectors import child_statuses
from tests.factories import ChildFactory, PairingFactory, TalkFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def in_term(world):
    Term.objects.filter(school=world.school).update(
        start_date=TODAY - timedelta(days=60), end_date=TODAY + timedelta(days=60)
    )
    return Term.objects.get(school=world.school)


def left_behind(world, name, school_class=None):
    child = ChildFactory(school_class=school_class or world.school_class, left_behind_type="both_away", name=name)
    LeftBehindPeriod.objects.create(child=child, kind="both_away", start_date=TODAY - timedelta(days=365))
    return child


def pair(child, mentor):
    return PairingFactory(child=child, mentor=mentor, start_date=TODAY - timedelta(days=30))


@pytest.fixture
def her_class(world, in_term):
    """陈老师 heads 三年级(2)班: 小明 is her own mentee, 小红 is 刘老师's (talked to this week), 小刚 waits for a
    mentor, 小丽 is not in our care."""
    mine = left_behind(world, "小明")
    pair(mine, world.class_teacher)
    theirs = left_behind(world, "小红")
    pair(theirs, world.mentor)
    TalkFactory(child=theirs, author=world.mentor, date=TODAY)
    waiting = left_behind(world, "小刚")
    ChildFactory(school_class=world.school_class, name="小丽")
    return {"mine": mine, "theirs": theirs, "waiting": waiting}


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("mentoring:my_students"))
    assert response.status_code == 200
    return response.content.decode()


def figure(html, key):
    match = re.search(rf'data-figure="{key}"><dt>([^<]*)</dt><dd[^>]*>([^<]*)</dd>', html)
    assert match, key
    return f"{match.group(1)} {match.group(2)}"


def who_mentors(html):
    part = html.split("data-who-mentors")[1].split("</ul>")[0]
    rows = re.findall(r'<li[^>]*data-child="\d+">(.*?)</li>', part, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_the_class_teacher_sees_her_mentees_first_then_her_class_summary(client, world, her_class, in_term):
    html = home(client, world.class_teacher)
    assert html.count('class="card card-child') == 1  # her one mentee, not a card per child of the class
    assert html.index(f'data-child="{her_class["mine"].pk}"') < html.index("data-class-summary")
    assert "班级：三年级(2)班" in html
    assert figure(html, "students") == "学生 4 名"
    assert figure(html, "left_behind") == "留守 3 名"
    rate = archive_rate(schools=[world.school], term=in_term)
    assert figure(html, "archived") == f"建档 {rate.complete}/{rate.total}"
    assert figure(html, "talks") == "本周谈心 1/2"  # 小红 talked this week; 小刚 has nobody to talk to yet
    statuses = child_statuses(Child.objects.filter(school_class=world.school_class), school=world.school, on=TODAY)
    overdue = sum(1 for s in statuses if s.pairings and s.overdue)
    assert figure(html, "overdue") == f"逾期 {overdue} 名"


def test_the_class_teacher_sees_who_mentors_whom_and_who_waits(client, world, her_class):
    html = home(client, world.class_teacher)
    rows = who_mentors(html)
    assert [row.split(" ")[0] for row in rows] == ["小刚", "小红", "小明"]  # by pinyin: xg, xh, xm
    assert rows[0].endswith("未结对")
    assert "→ 刘老师" in rows[1] and "→ 陈老师" in rows[2]
    assert "未结对 1 名" in html
    assert "小丽" not in html  # not in our care: counted as a pupil, not listed


def test_a_pairing_that_ends_moves_the_child_to_unpaired(client, world, her_class):
    Pairing.objects.filter(child=her_class["theirs"]).update(end_date=TODAY - timedelta(days=1))
    rows = who_mentors(home(client, world.class_teacher))
    assert [row for row in rows if row.startswith("小红")][0].endswith("未结对")


def test_the_talk_figure_follows_the_schools_rule(client, world, her_class):
    from mentoring.models import CadenceRule

    CadenceRule.objects.update_or_create(school=world.school, kind="talk", defaults={"times": 2, "per": "month"})
    html = home(client, world.class_teacher)
    assert figure(html, "talks") == "本月谈心 0/2"  # one talk this month is not yet the month's two


def test_a_plain_mentors_home_shows_no_class_summary(client, world, her_class):
    html = home(client, world.mentor)
    assert "data-class-summary" not in html and "谁在帮扶谁" not in html
    assert f'data-child="{her_class["theirs"].pk}"' in html  # her own mentee, as a card


def test_a_coordinator_who_heads_no_class_sees_no_class_summary(client, world, her_class):
    assert "data-class-summary" not in home(client, world.coordinator)


def test_the_class_summary_shows_only_her_own_schools_class(client, world, her_class):
    left_behind(world, "外校生", school_class=world.foreign_class)
    html = home(client, world.other_teacher)
    assert "班级：三年级(1)班" in html and "外校生" in html and "小明" not in html and "小红" not in html


@pytest.mark.parametrize("n", [5, 50])
def test_the_class_teachers_home_takes_the_same_queries_for_5_or_50_children(
    client, world, in_term, n, django_assert_max_num_queries
):
    children = Child.objects.bulk_create(
        [ChildFactory.build(school_class=world.school_class, left_behind_type="both_away") for _ in range(n)]
    )
    start = TODAY - timedelta(days=20)
    mentors = [world.mentor] * (n // 2) + [world.class_teacher] * 3  # and the rest wait for a mentor
    Pairing.objects.bulk_create(
        [Pairing(child=c, mentor=m, role="mother", start_date=start) for c, m in zip(children, mentors, strict=False)]
    )
    Talk.objects.bulk_create([Talk(child=c, author=world.mentor, date=TODAY, text="谈心") for c in children[::3]])
    client.force_login(world.class_teacher)
    client.get(reverse("mentoring:my_students"))  # the session
    # 23: the session and roles (5), 我的学生's badges (4), the class summary (4), the menu's counts (3), the
    # task list's badges (4), the session's save (3).
    with django_assert_max_num_queries(23):
        html = client.get(reverse("mentoring:my_students")).content.decode()
    assert len(who_mentors(html)) == n and html.count('class="card card-child') == 3
