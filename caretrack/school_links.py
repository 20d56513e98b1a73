"""The entries of the 学校设置 page that other apps own (升年级, 转学 …). Each app registers its own in its
AppConfig.ready(), with the named access check its view asks, so the page lists only what the user may open."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class SchoolLink:
    label: str
    url_name: str
    icon: str
    allowed: Callable[[object], bool]  # a named check taking the user
    position: int


_LINKS: list[SchoolLink] = []


def register(link: SchoolLink) -> None:
    if link not in _LINKS:
        _LINKS.append(link)
        _LINKS.sort(key=lambda item: item.position)


def links_for(user) -> list[dict]:
    return [
        {"label": link.label, "url": reverse(link.url_name), "icon": link.icon} for link in _LINKS if link.allowed(user)
    ]
