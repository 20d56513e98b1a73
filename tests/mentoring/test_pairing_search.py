"""结对帮扶 on a phone: the board is searched (child name, pinyin initials, mentor) and paged, and 新建结对
picks the child from a short searched list instead of a select of every child of the school."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Pairing
from tests.factories import ChildFactory, PairingFactory, SchoolClassFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def left_behind(school_class, name, **kwargs):
    return ChildFactory(school_class=school_class, left_behind_type="both_away", name=name, **kwargs)


def paired(school_class, name, mentor):
    child = left_behind(school_class, name)
    PairingFactory(child=child, mentor=mentor, start_date=TODAY - timedelta(days=10))
    return child


def board(client, **params):
    return client.get(reverse("mentoring:pairings"), params).content.decode()


def picker(client, **params):
    response = client.get(reverse("mentoring:pairing_children"), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The board ------------------------------------------------------------------------------------


def test_the_board_finds_a_child_by_name_and_by_pinyin_initials(client, world):
    paired(world.school_class, "张三", world.mentor)
    paired(world.other_class, "王小花", world.class_teacher)
    client.force_login(world.coordinator)
    for search in ("张三", "张", "zs"):
        html = board(client, q=search)
        assert "张三" in html and "王小花" not in html, search
    assert "找到 1 对" in board(client, q="zs")


def test_the_board_finds_a_mentors_children_by_the_mentors_name(client, world):
    paired(world.school_class, "张三", world.mentor)
    paired(world.school_class, "李四", world.mentor)
    paired(world.other_class, "王小花", world.class_teacher)
    client.force_login(world.coordinator)
    html = board(client, q="刘老师")
    assert "张三" in html and "李四" in html and "王小花" not in html and "找到 2 对" in html


def test_a_search_keeps_the_mentors_whole_load_on_the_badge(client, world):
    for name in ("张三", "李四", "赵五"):
        paired(world.school_class, name, world.mentor)
    client.force_login(world.coordinator)
    html = board(client, q="zs")
    assert "结对 3 名" in html and "李四" not in html


def test_the_board_is_filtered_by_class_and_grade(client, world):
    paired(world.school_class, "张三", world.mentor)  # 三年级(2)班
    paired(world.other_class, "王小花", world.mentor)  # 四年级(1)班
    client.force_login(world.coordinator)
    html = board(client, school_class=world.other_class.pk)
    assert "王小花" in html and "张三" not in html
    html = board(client, grade=3)
    assert "张三" in html and "王小花" not in html


def test_the_board_counts_all_pairs_and_shows_a_page_of_mentors_at_a_time(client, world):
    mentors = [StaffFactory(school=world.school, user__first_name=f"老师{i:02d}").user for i in range(25)]
    for i, mentor in enumerate(mentors):
        paired(world.school_class, f"学生{i:02d}", mentor)
    client.force_login(world.coordinator)
    first = board(client)
    assert "共 25 对" in first and first.count("data-mentor=") == 20 and "第 1 / 2 页" in first
    second = board(client, page=2)
    assert second.count("data-mentor=") == 5 and "老师24" in second and "老师24" not in first


def test_a_page_link_keeps_the_search(client, world):
    mentors = [StaffFactory(school=world.school, user__first_name=f"老师{i:02d}").user for i in range(21)]
    for i, mentor in enumerate(mentors):
        paired(world.school_class, f"张{i:02d}", mentor)
    client.force_login(world.coordinator)
    html = board(client, q="张")
    assert "q=%E5%BC%A0&amp;page=2" in html or "q=%E5%BC%A0&page=2" in html


@pytest.mark.parametrize("n", [5, 50])
def test_the_searched_board_takes_the_same_queries_for_5_or_50_children(
    client, world, n, django_assert_max_num_queries
):
    for i in range(n):
        paired(world.school_class, f"张{i:02d}", world.mentor if i % 2 else world.class_teacher)
    client.force_login(world.coordinator)
    client.get(reverse("mentoring:pairings"))  # the session
    with django_assert_max_num_queries(19):
        html = board(client, q="z", grade=3)
    assert f"找到 {n} 对" in html


# --- 新建结对's picker ------------------------------------------------------------------------------


def test_the_new_pairing_page_lists_no_select_of_every_child(client, world):
    for i in range(40):
        left_behind(world.school_class, f"学生{i:02d}")
    client.force_login(world.coordinator)
    html = client.get(reverse("mentoring:pairing_create")).content.decode()
    assert '<select name="child"' not in html
    assert html.count('name="child" value=') == 30 and "找到 40 名，显示前 30 名" in html


def test_the_picker_finds_a_child_by_name_and_pinyin_initials(client, world):
    left_behind(world.school_class, "张三")
    left_behind(world.school_class, "王小花")
    client.force_login(world.coordinator)
    for search in ("张三", "zs"):
        html = picker(client, q=search)
        assert "张三" in html and "王小花" not in html


def test_the_picker_offers_only_children_waiting_for_a_mentor_unless_asked(client, world):
    left_behind(world.school_class, "张三")
    paired(world.school_class, "李四", world.mentor)
    ChildFactory(school_class=world.school_class, name="非留守")
    client.force_login(world.coordinator)
    html = picker(client)
    assert "张三" in html and "李四" not in html and "非留守" not in html
    html = picker(client, paired="on")
    assert "张三" in html and "李四" in html and "已结对" in html and "非留守" not in html


def test_the_picker_groups_and_filters_by_class(client, world):
    left_behind(world.school_class, "张三")
    left_behind(world.other_class, "王小花")
    client.force_login(world.coordinator)
    html = picker(client)
    assert html.index("三年级(2)班") < html.index("张三") < html.index("四年级(1)班") < html.index("王小花")
    html = picker(client, school_class=world.other_class.pk)
    assert "王小花" in html and "张三" not in html


def test_the_picker_never_offers_another_schools_child(client, world):
    left_behind(world.school_class, "张三")
    left_behind(world.foreign_class, "张外校")
    client.force_login(world.coordinator)
    assert "张外校" not in picker(client, q="z")
    client.force_login(world.other_principal)
    html = picker(client, q="z")
    assert "张外校" in html and "张三" not in html
    # Nor a class of another school chosen by editing the URL.
    html = picker(client, school_class=world.school_class.pk)
    assert "张三" not in html


def test_a_plain_teacher_of_another_school_may_not_use_the_picker(client, world):
    left_behind(world.school_class, "张三")
    client.force_login(world.other_teacher)
    response = client.get(reverse("mentoring:pairing_children"), {"q": "zs"})
    assert response.status_code == 403 and "张三" not in response.content.decode()
    for persona in ("mentor", "class_teacher", "bureau"):
        client.force_login(getattr(world, persona))
        assert client.get(reverse("mentoring:pairing_children")).status_code == 403, persona


def test_a_child_chosen_on_the_unpaired_page_is_chosen_on_the_form(client, world):
    others = [left_behind(world.school_class, f"学生{i:02d}") for i in range(35)]
    last = others[-1]  # beyond the first 30
    client.force_login(world.coordinator)
    html = client.get(reverse("mentoring:pairing_create"), {"child": last.pk}).content.decode()
    assert f'name="child" value="{last.pk}" checked' in html and "已选择" in html


def test_pairing_from_a_searched_list_saves_the_pairing(client, world):
    child = left_behind(world.school_class, "张三")
    client.force_login(world.coordinator)
    url = reverse("mentoring:pairing_create") + "?q=zs"
    data = {"child": child.pk, "mentor": world.mentor.pk, "start_date": TODAY.isoformat()}
    assert client.post(url, data).status_code == 302
    assert Pairing.objects.get(child=child).mentor == world.mentor


def test_the_form_still_refuses_a_child_the_picker_would_not_offer(client, world):
    foreign = left_behind(world.foreign_class, "张外校")
    not_in_care = ChildFactory(school_class=world.school_class, name="非留守")
    client.force_login(world.coordinator)
    for child in (foreign, not_in_care):
        data = {"child": child.pk, "mentor": world.mentor.pk, "start_date": TODAY.isoformat()}
        response = client.post(reverse("mentoring:pairing_create"), data)
        assert response.status_code == 200 and "请从列表中选择" in response.content.decode()
    response = client.post(reverse("mentoring:pairing_create"), {"mentor": world.mentor.pk})
    assert "请选择学生。" in response.content.decode()
    assert not Pairing.objects.exists()


@pytest.mark.parametrize("n", [5, 50])
def test_the_picker_takes_the_same_queries_for_5_or_50_children(client, world, n, django_assert_max_num_queries):
    extra_class = SchoolClassFactory(school=world.school, grade=5, number=1)
    for i in range(n):
        left_behind(extra_class if i % 2 else world.school_class, f"张{i:02d}")
    client.force_login(world.coordinator)
    client.get(reverse("mentoring:pairing_children"))  # the session
    with django_assert_max_num_queries(13):
        html = picker(client, q="z", paired="on")
    assert html.count('name="child" value=') == min(n, 30)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("mentoring:pairing_create"), {"q": "z"}).status_code == 200
