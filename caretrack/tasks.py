"""待办 (My tasks): what each person has to do now, shown at the top of their home page.

Upper apps register a task source in their AppConfig.ready(); a source takes the user and the day and returns
its tasks (with counts). The core never knows what a task is about, only how to order and show it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Task:
    key: str  # stable identifier, e.g. "mentoring-overdue-talks"
    label: str  # e.g. "逾期谈心"
    count: int
    url: str
    urgent: bool = False


TaskSource = Callable[[object, date], list[Task]]

_SOURCES: list[TaskSource] = []


def register_task_source(source: TaskSource) -> None:
    if source not in _SOURCES:
        _SOURCES.append(source)


def tasks_for(user, on: date) -> list[Task]:
    """Every registered source's tasks for the user on the day, only those with something to do, urgent first
    (then in the order the sources were registered)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    tasks = [task for source in _SOURCES for task in source(user, on) if task.count > 0]
    return sorted(tasks, key=lambda task: not task.urgent)
