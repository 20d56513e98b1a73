"""The archive in parts a phone can manage: which fields each section of the archive holds, and how complete
each section is.

A section is one page with its own 保存 (children:archive_section): on a phone one or two screens, where the
whole archive on one page was about ten. The sections follow the groups of the desktop's full form
(学生基本信息, 困境儿童认定, 父亲, 母亲, 祖辈, 委托监护人, 家庭监护评估); the child's own twenty fields are cut
in three, the first of which (基本信息: what identifies the child) is all a new archive asks.

Completeness is not re-derived here: the percentage and the missing items are children.completeness's;
each section only says which of its requirements it is where the user fills them in.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from children.completeness import REQUIREMENTS, Completeness, annotate_completeness, completeness_of, flag_name
from children.models import Child


@dataclass(frozen=True)
class ArchiveSection:
    key: str  # in the URL: /children/<pk>/archive/<key>/
    title: str
    prefixes: tuple[str, ...]  # the ArchiveForms forms it holds (their prefixes)
    child_fields: tuple[str, ...] = ()  # for the "child" prefix: which of the child's own fields
    requirements: tuple[str, ...] = ()  # children.completeness requirement keys filled in here
    # Holds ID numbers or phones: opening it shows them in full (audited as a view, like the full form).
    identifiers: bool = False


BASICS = "basics"
GRANDPARENT_PREFIXES = ("pgf", "pgm", "mgf", "mgm")  # GrandparentRole values, the forms' prefixes

SECTIONS: list[ArchiveSection] = [
    ArchiveSection(
        BASICS,
        "基本信息",
        ("child",),
        ("name", "gender", "birth_date", "id_number", "ethnicity", "school_class", "student_number", "has_hukou"),
        identifiers=True,
    ),
    ArchiveSection(
        "home",
        "住址与就学",
        ("child",),
        ("hukou_address", "current_address", "is_boarder", "enrollment_date", "schooling_status", "status"),
        requirements=("basics",),
    ),
    ArchiveSection("father", "父亲", ("father",), requirements=("parent_work", "evidence"), identifiers=True),
    ArchiveSection("mother", "母亲", ("mother",), requirements=("parent_work", "evidence"), identifiers=True),
    ArchiveSection("grandparents", "祖辈", GRANDPARENT_PREFIXES),
    ArchiveSection("guardian", "委托监护人", ("guardian",), requirements=("guardian",), identifiers=True),
    ArchiveSection("assessment", "家庭监护评估", ("assessment",), requirements=("assessment",)),
    ArchiveSection("hardship", "困境儿童认定", ("hardship",), requirements=("evidence",)),
    ArchiveSection(
        "study",
        "学习与健康",
        ("child",),
        ("health_status", "disability", "academic_performance", "interests", "personality", "rewards"),
    ),
]
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}


def sections_posted(data) -> list[str]:
    """The sections a POST carries fields of: 基本信息 always, and every other section one of whose fields
    was sent. The phone's first page sends 基本信息 alone; the desktop's full form sends them all."""
    posted = {name.split("-", 1)[0]: None for name in data if "-" in name}
    keys = [BASICS]
    for section in SECTIONS[1:]:
        if section.child_fields:
            if any(f"child-{name}" in data for name in section.child_fields):
                keys.append(section.key)
        elif any(prefix in posted for prefix in section.prefixes):
            keys.append(section.key)
    return keys


@dataclass(frozen=True)
class SectionProgress:
    section: ArchiveSection
    missing: list[str]  # labels of children.completeness requirements this section has not met


@dataclass(frozen=True)
class ArchiveProgress:
    completeness: Completeness
    sections: list[SectionProgress] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)  # requirements registered without a section here

    def next_missing(self, after: str | None = None) -> ArchiveSection | None:
        """The first section, after `after`, that still misses something (the one to open next)."""
        keys = [s.section.key for s in self.sections]
        start = keys.index(after) + 1 if after in keys else 0
        return next((s.section for s in self.sections[start:] if s.missing), None)


def archive_progress(child_pk: int) -> ArchiveProgress:
    """The archive's completeness (children.completeness, one query) and, per section, what it lacks."""
    child = annotate_completeness(Child.objects.filter(pk=child_pk), on=timezone.localdate()).get()
    missing = {r.key: r.label for r in REQUIREMENTS if not getattr(child, flag_name(r))}
    placed = {key for section in SECTIONS for key in section.requirements}
    return ArchiveProgress(
        completeness=completeness_of(child),
        sections=[
            SectionProgress(section, [missing[key] for key in section.requirements if key in missing])
            for section in SECTIONS
        ],
        elsewhere=[label for key, label in missing.items() if key not in placed],
    )
