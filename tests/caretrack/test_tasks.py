"""待办: the core's task registry orders and filters what upper apps contribute."""

from datetime import date

import pytest

from caretrack import tasks
from caretrack.navigation import NavItem
from caretrack.tasks import Task, tasks_for

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
