"""The checklist a principal works through when a new term starts (学期初检查清单). Each app registers the
sections about the records it owns in its AppConfig.ready(): the archive its children whose 留守 status
must be checked again and its incomplete archives, mentoring the pairings to carry over or end and the
mentors over their cap. The core page shows them in `position` order."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChecklistItem:
    text: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ChecklistSection:
    title: str
    items: list[ChecklistItem] = field(default_factory=list)
    # A template rendered under the title instead of the plain item list (e.g. a form per pairing).
    template: str = ""
    context: dict = field(default_factory=dict)
    empty_text: str = "无需处理。"


@dataclass(frozen=True)
class SectionProvider:
    position: int
    # build(*, school, term, user) -> ChecklistSection
    build: Callable[..., ChecklistSection]


_PROVIDERS: list[SectionProvider] = []


def register(provider: SectionProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
        _PROVIDERS.sort(key=lambda p: p.position)


def checklist(*, school, term, user) -> list[ChecklistSection]:
    return [provider.build(school=school, term=term, user=user) for provider in _PROVIDERS]
