"""待办: the core's task registry orders and filters what upper apps contribute."""

from datetime import date

import pytest
from django.urls import reverse

from caretrack import tasks
from caretrack.navigation import NavItem
from caretrack.tasks import Task, tasks_for
from tests.factories import ChildFactory, PairingFactory

DAY = date(2026, 10, 12)


@pytest.fixture
def only_source(monkeypatch):
    """Replace the registered sources by the test's own for the duration of a test."""
    monkeypatch.setattr(tasks, "_SOURCES", [])

    def _use(source):
        tasks.register_task_source(source)

    return _use


def test_tasks_with_nothing_to_do_are_not_shown_and_urgent_ones_come_first(world, only_source):
    only_source(lambda user, on: [Task("a", "逾期谈心", 2, "/a/"), Task("b", "空", 0, "/b/")])
    only_source(lambda user, on: [Task("c", "紧急个案", 1, "/c/", urgent=True)])

    shown = tasks_for(world.mentor, DAY)

    assert [t.key for t in shown] == ["c", "a"]


def test_sources_get_the_user_and_the_day(world, only_source):
    seen = []
    only_source(lambda user, on: seen.append((user, on)) or [])

    tasks_for(world.mentor, DAY)

    assert seen == [(world.mentor, DAY)]


def test_an_inactive_user_has_no_tasks(world, only_source):
    only_source(lambda user, on: [Task("a", "逾期谈心", 2, "/a/")])
    world.mentor.is_active = False

    assert tasks_for(world.mentor, DAY) == []


def test_registering_the_same_source_twice_counts_it_once(world, only_source):
    def source(user, on):
        return [Task("a", "逾期谈心", 2, "/a/")]

    only_source(source)
    only_source(source)

    assert len(tasks_for(world.mentor, DAY)) == 1


def test_nav_item_count_is_optional():
    item = NavItem("我的学生", "mentoring:my_students", "bi-people", lambda u: True, 10)
    assert item.count is None
    counted = NavItem("待处理", "mentoring:concerns", "bi-x", lambda u: True, 30, count=lambda u: 3)
    assert counted.count(None) == 3


# --- On the home pages and in the menu --------------------------------------------------------------


@pytest.fixture
def late_students(world):
    """Two of the mentor's students, paired since the start of term and never talked to: overdue today."""
    for name in ("欧阳小明", "王小红"):
        child = ChildFactory(school_class=world.school_class, left_behind_type="both_away", name=name)
        PairingFactory(child=child, mentor=world.mentor, start_date=date(2026, 9, 1))


def _queries(client, url, django_assert_max_num_queries):
    client.get(url)  # warm the session and the cache
    with django_assert_max_num_queries(200) as queries:
        response = client.get(url)
    return response, len(queries.captured_queries)


def test_我的学生_shows_the_mentors_tasks_at_the_top_for_a_handful_of_queries(
    world, login, late_students, monkeypatch, django_assert_max_num_queries
):
    client = login(world.mentor)
    url = reverse("mentoring:my_students")
    response, with_tasks = _queries(client, url, django_assert_max_num_queries)
    page = response.content.decode()
    assert "我的待办" in page
    assert page.index("我的待办") < page.index("欧阳")
    assert 'data-task="mentoring-overdue-talks"' in page and "逾期谈心" in page

    monkeypatch.setattr(tasks, "_SOURCES", [])
    response, without = _queries(client, url, django_assert_max_num_queries)
    assert "我的待办" not in response.content.decode()
    assert with_tasks - without <= 8, (with_tasks, without)


def test_the_dashboard_shows_urgent_tasks_first_in_words_and_colour(world, login, only_source):
    only_source(lambda user, on: [Task("later", "逾期谈心", 2, "/mentoring/")])
    only_source(lambda user, on: [Task("now", "全校未结案紧急个案", 1, "/mentoring/concerns/", urgent=True)])

    page = login(world.principal).get(reverse("reports:dashboard")).content.decode()

    block = page[page.index("我的待办") :]
    assert block.index("全校未结案紧急个案") < block.index("逾期谈心")
    marker = block.index('data-task="now"')
    urgent_row = block[block.rindex("<a ", 0, marker) : block.index("</a>", marker)]
    assert "list-group-item-danger" in urgent_row and "紧急</span>" in urgent_row


def test_a_home_without_tasks_shows_no_empty_block(world, login, only_source):
    only_source(lambda user, on: [Task("none", "逾期谈心", 0, "/mentoring/")])
    assert "我的待办" not in login(world.principal).get(reverse("reports:dashboard")).content.decode()


def test_the_menu_shows_a_count_badge_with_words_for_screen_readers_and_hides_zero(world, login, monkeypatch):
    from caretrack import navigation

    counts = {"n": 3}
    item = NavItem("测试待处理", "school:index", "bi-gear", lambda u: True, 99, count=lambda u: counts["n"])
    monkeypatch.setattr(navigation, "_ITEMS", [*navigation._ITEMS, item])
    client = login(world.principal)

    page = client.get(reverse("notifications:list")).content.decode()
    assert "测试待处理" in page and "（3 项待处理）" in page
    assert 'aria-label="展开菜单（3 项待处理）"' in page  # the folded menu on a phone says it too

    counts["n"] = 0
    page = client.get(reverse("notifications:list")).content.decode()
    assert "测试待处理" in page and "项待处理）" not in page
