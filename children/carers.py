"""What apps above the archive add to a child's page and contact card, registered in their
AppConfig.ready(): the adults paired to the child (mentoring's pairings) and the actions a user can take
from the child page (log a talk …). The archive shows them without knowing the apps that provide them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Carer:
    """An adult who looks after the child at school, e.g. a 代理家长 paired with the child."""

    title: str  # 代理家长, 爱心妈妈 …
    name: str
    phone: str
    start: date
    end: date | None


@dataclass(frozen=True)
class ChildAction:
    """A button on the child page: reverse(url_name, args=[child.pk])."""

    label: str
    url_name: str
    icon: str = ""
    primary: bool = False


# carers(child_ids, on) → {child_id: [Carer]}: all carers (on=None) or those on duty on the day `on`;
# a fixed number of queries whatever the number of children.
CarerProvider = Callable[[list[int], date | None], dict[int, list[Carer]]]

_CARER_PROVIDERS: list[CarerProvider] = []
_ACTIONS: list[ChildAction] = []


def register_carers(provider: CarerProvider) -> None:
    if provider not in _CARER_PROVIDERS:
        _CARER_PROVIDERS.append(provider)


def register_action(action: ChildAction) -> None:
    if action not in _ACTIONS:
        _ACTIONS.append(action)


def carers_of(child_ids: list[int], *, on: date | None = None) -> dict[int, list[Carer]]:
    found: dict[int, list[Carer]] = {pk: [] for pk in child_ids}
    for provider in _CARER_PROVIDERS:
        for child_id, carers in provider(child_ids, on).items():
            found.setdefault(child_id, []).extend(carers)
    return found


def child_actions() -> list[ChildAction]:
    return list(_ACTIONS)
