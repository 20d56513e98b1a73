"""活动's participants on a phone: a whole class added at one tap, children found by name or pinyin initials,
the chosen ones as chips with 移除, and never the school's 1,200 pupils rendered at once."""

import pytest
from django.urls import reverse

from activities.models import Activity
from children.models import Child
from tests.factories import ActivityFactory, ActivityParticipantFactory, ChildFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db

LEFT = "both_away"
DAY = "2026-10-09"


def options(client, **params):
    response = client.get(reverse("activities:participant_options"), params)
    assert response.status_code == 200
    return [c["label"] for c in response.json()["children"]]


def activity_post(world, **overrides):
    data = {"title": "感恩主题班会", "kind": "class_meeting", "date": DAY, "school_class": world.school_class.pk,
            "in_care_only": "on", "guardians_count": 0, "volunteers_count": 0, "teachers_count": 1}  # fmt: skip
    data.update(overrides)
    return data


def test_the_activity_form_renders_no_list_of_the_schools_children(client, world):
    Child.objects.bulk_create(
        [ChildFactory.build(school_class=world.other_class, name=f"学生{i:03d}") for i in range(120)]
    )
    client.force_login(world.coordinator)
    html = client.get(reverse("activities:create")).content.decode()
    assert '<select name="pick_children"' not in html and "学生007" not in html
    assert "加入全班" in html and "搜索学生" in html


def test_adding_a_class_offers_its_children_in_our_care_on_the_activitys_day(client, world):
    a = ChildFactory(school_class=world.school_class, left_behind_type=LEFT, name="张三")
    b = ChildFactory(school_class=world.school_class, left_behind_type=LEFT, name="李四")
    ChildFactory(school_class=world.school_class, name="非留守")
    ChildFactory(school_class=world.other_class, left_behind_type=LEFT, name="别班")
    client.force_login(world.coordinator)
    labels = options(client, school_class=world.school_class.pk, in_care_only="1", on=DAY)
    assert labels == [f"{world.school_class} {a.name}", f"{world.school_class} {b.name}"]  # not 非留守
    everyone = options(client, school_class=world.school_class.pk)
    assert len(everyone) == 3 and not any("别班" in label for label in everyone)


def test_a_whole_class_added_then_one_child_removed_saves_the_others(client, world):
    names = ("张三", "李四", "王五")
    kids = [ChildFactory(school_class=world.school_class, left_behind_type=LEFT, name=n) for n in names]
    client.force_login(world.coordinator)
    response = client.get(reverse("activities:participant_options"), {"school_class": world.school_class.pk})
    ids = [c["id"] for c in response.json()["children"]]
    ids.remove(kids[1].pk)  # 移除 李四
    assert client.post(reverse("activities:create"), activity_post(world, pick_children=ids)).status_code == 302
    assert set(Activity.objects.get().participants.all()) == {kids[0], kids[2]}


def test_the_search_finds_by_name_and_by_pinyin_initials_and_never_lists_everyone(client, world):
    ChildFactory(school_class=world.school_class, name="张三")
    ChildFactory(school_class=world.other_class, name="王小花")
    client.force_login(world.coordinator)
    assert options(client, q="张三") == [f"{world.school_class} 张三"]
    assert options(client, q="wxh") == [f"{world.other_class} 王小花"]
    assert options(client) == [] and options(client, q="  ") == []


def test_the_search_shows_at_most_20_children(client, world):
    Child.objects.bulk_create(
        [ChildFactory.build(school_class=world.school_class, name=f"张{i:02d}", name_initials="z") for i in range(30)]
    )
    client.force_login(world.coordinator)
    assert len(options(client, q="z")) == 20


def test_another_schools_child_never_appears_for_other_teacher(client, world):
    ChildFactory(school_class=world.school_class, name="张三")
    ChildFactory(school_class=world.foreign_class, name="张外校")
    client.force_login(world.other_teacher)  # heads 三年级(1)班 of the other school
    assert options(client, q="z") == [f"{world.foreign_class} 张外校"]
    assert options(client, q="张三") == []
    assert options(client, school_class=world.school_class.pk) == []  # our class, by editing the URL


def test_a_class_teacher_finds_only_her_own_classs_children(client, world):
    ChildFactory(school_class=world.school_class, name="张三")
    ChildFactory(school_class=world.other_class, name="张别班")
    client.force_login(world.class_teacher)
    assert options(client, q="z") == [f"{world.school_class} 张三"]
    assert options(client, school_class=world.other_class.pk) == []


@pytest.mark.parametrize("persona", ["mentor", "bureau"])
def test_who_may_not_record_activities_may_not_search_children(client, world, persona):
    ChildFactory(school_class=world.school_class, name="张三")
    client.force_login(getattr(world, persona))
    response = client.get(reverse("activities:participant_options"), {"q": "zs"})
    assert response.status_code == 403 and "张三" not in response.content.decode()


def test_the_edit_page_shows_the_participants_as_chips_with_remove(client, world):
    activity = ActivityFactory(school=world.school, school_class=world.school_class)
    kid = ChildFactory(school_class=world.school_class, left_behind_type=LEFT, name="张三")
    ActivityParticipantFactory(activity=activity, child=kid)
    client.force_login(world.coordinator)
    html = client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    assert f'name="pick_children" value="{kid.pk}" id="pick-child-{kid.pk}" checked' in html
    assert f'for="pick-child-{kid.pk}" aria-label="移除 张三">移除</label>' in html
    assert "已逐个选择 <span data-chip-count>1</span> 名学生" in html
    # 移除 unticks the box: the activity is saved without the child.
    post = activity_post(world, title=activity.title)
    assert client.post(reverse("activities:edit", args=[activity.pk]), post).status_code == 302
    assert not activity.participants.exists()


def test_a_rejected_form_keeps_the_chosen_children_as_chips(client, world):
    kid = ChildFactory(school_class=world.school_class, left_behind_type=LEFT, name="张三")
    client.force_login(world.coordinator)
    response = client.post(reverse("activities:create"), activity_post(world, title="", pick_children=[kid.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and f'value="{kid.pk}" id="pick-child-{kid.pk}" checked' in html


@pytest.mark.parametrize("n", [5, 50])
def test_the_picker_takes_the_same_queries_for_5_or_50_children(client, world, n, django_assert_max_num_queries):
    big = SchoolClassFactory(school=world.school, grade=5, number=2)
    Child.objects.bulk_create(
        [ChildFactory.build(school_class=big, left_behind_type=LEFT, name=f"张{i:02d}") for i in range(n)]
    )
    client.force_login(world.coordinator)
    client.get(reverse("activities:participant_options"))  # the session
    with django_assert_max_num_queries(11):
        assert len(options(client, school_class=big.pk, in_care_only="1", on=DAY)) == n
    with django_assert_max_num_queries(10):
        assert len(options(client, q="z")) == min(n, 20)
