"""The navigation menu. Each app registers its own entries in its AppConfig.ready(), each with the named
access check that its view asks too (so the menu shows exactly the pages a user may open). Entries are
shown in the order of `position`."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from caretrack.permissions import can_read_audit, is_bureau_admin, manages_school


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    allowed: Callable[[object], bool]  # a named check taking the user, e.g. manages_school
    position: int
    # How many things wait on that page for the user (shown as a badge, hidden when 0), e.g. open cases.
    count: Callable[[object], int] | None = None


_ITEMS: list[NavItem] = [
    NavItem("学校管理", "county:schools", "bi-buildings", is_bureau_admin, 75),
    NavItem("学校设置", "school:index", "bi-gear", manages_school, 80),
    NavItem("审计", "caretrack:audit", "bi-shield-check", can_read_audit, 90),
]


def register(item: NavItem) -> None:
    if item not in _ITEMS:
        _ITEMS.append(item)
        _ITEMS.sort(key=lambda i: i.position)


def nav_for(user, current_path: str = "") -> list[dict]:
    items = []
    for item in _ITEMS:
        if not item.allowed(user):
            continue
        url = reverse(item.url_name)
        items.append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": current_path.startswith(url),
                "count": item.count(user) if item.count else 0,
            }
        )
    return items


@dataclass(frozen=True)
class HomePage:
    """Where a user lands after login: the first registered page (by priority) whose check admits them."""

    url_name: str
    allowed: Callable[[object], bool]
    priority: int


_HOMES: list[HomePage] = []


def register_home(page: HomePage) -> None:
    if page not in _HOMES:
        _HOMES.append(page)
        _HOMES.sort(key=lambda p: p.priority)


def home_url(user) -> str | None:
    for page in _HOMES:
        if page.allowed(user):
            return reverse(page.url_name)
    return None
