"""The navigation menu: each entry names the URL and the role that may use it. Entries whose URL does
not exist yet are skipped, so each app adds its own entries here without breaking the others."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from caretrack.permissions import Roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    allowed: Callable[[Roles], bool]


def _teacher(r: Roles) -> bool:
    return r.is_teacher or r.manages_school


def _manager(r: Roles) -> bool:
    return r.manages_school


def _bureau(r: Roles) -> bool:
    return r.is_bureau


NAV_ITEMS = [
    NavItem("我的学生", "mentoring:my_students", "bi-people", _teacher),
    NavItem("学生档案", "children:list", "bi-person-vcard", _teacher),
    NavItem("待处理", "mentoring:concerns", "bi-exclamation-triangle", _manager),
    NavItem("结对帮扶", "mentoring:pairings", "bi-link-45deg", _manager),
    NavItem("活动", "activities:list", "bi-calendar-event", _teacher),
    NavItem("统计", "reports:dashboard", "bi-bar-chart", _manager),
    NavItem("县域概览", "reports:county", "bi-building", _bureau),
    NavItem("导入导出", "children:import", "bi-file-earmark-spreadsheet", _manager),
    NavItem("审计", "caretrack:audit", "bi-shield-check", lambda r: r.is_principal),
]


def nav_for(roles: Roles, current_path: str = "") -> list[dict]:
    items = []
    for item in NAV_ITEMS:
        if not item.allowed(roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": current_path.startswith(url)})
    return items
