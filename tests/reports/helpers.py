"""A school with known counts for the reports tests."""

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from children.models import AwayStatus, ParentRole
from children.services import reclassify_child
from tests.factories import AssessmentFactory, ChildFactory, GuardianFactory, PairingFactory, ParentFactory

START = date(2026, 9, 1)


def left_behind_child(school_class, *, complete=True, incapable_mother=False, **kwargs):
    """A left-behind child: father in 广东; mother in 浙江 (both away) or at home without capacity."""
    child = ChildFactory(school_class=school_class, **kwargs)
    ParentFactory(child=child, role=ParentRole.FATHER)
    if incapable_mother:
        ParentFactory(
            child=child,
            role=ParentRole.MOTHER,
            name="李秀兰",
            away_status=AwayStatus.AT_HOME,
            has_guardianship_capacity=False,
            work_province_id=None,
            work_city_id=None,
        )
    else:
        ParentFactory(child=child, role=ParentRole.MOTHER, name="李秀兰", work_province_id="330000", work_city_id=None)
    if complete:
        GuardianFactory(child=child)
        AssessmentFactory(child=child)
        PairingFactory(child=child)
    reclassify_child(child=child, on=START)
    return child


@dataclass
class KnownSchool:
    """4 left-behind children of 600 enrolled: 3 父母均外出 with complete archives (三年级(2)班), 1 一方外出另一方
    无监护能力 without guardian, assessment or pairing (四年级(1)班); 7 parents away: 4 in 广东省, 3 in 浙江省."""

    left_behind = 4
    both_away = 3
    incapable = 1
    complete = 3
    archive_rate = "75.0%"
    ratio = "0.7%"
    guangdong = 4
    zhejiang = 3
    paired = 3
    pairing_coverage = "75.0%"


def ensure_regions() -> None:
    """The provinces the parents work in. A transactional (browser) test flushes the divisions that a data
    migration loaded, so put back the few used here."""
    from guardians.models import Region

    guangdong, _ = Region.objects.get_or_create(code="440000", defaults={"name": "广东省", "level": 1})
    Region.objects.get_or_create(code="441900", defaults={"name": "东莞市", "level": 2, "parent": guangdong})
    Region.objects.get_or_create(code="330000", defaults={"name": "浙江省", "level": 1})


def build_known_school(world) -> KnownSchool:
    ensure_regions()
    for i in range(3):
        left_behind_child(world.school_class, name=f"王小{i}")
    left_behind_child(world.other_class, complete=False, incapable_mother=True, name="赵小明")
    ChildFactory(school_class=world.school_class, name="不留守")  # not left-behind: never counted
    left_behind_child(world.foreign_class, name="外校生")  # another school: never counted
    return KnownSchool()


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def submit_for_bureau(world, settings, tmp_path):
    """The principal submits the saved 工作总结: the bureau downloads only submitted versions (issue 17)."""
    from reports import services
    from reports.models import TermReport

    settings.MEDIA_ROOT = tmp_path / "media"
    term = world.school.terms.get()
    report = TermReport.objects.get(school=world.school, term=term)
    return services.submit_term_report(
        school=world.school, term=term, version=services.report_version(report), acting_user=world.principal
    )
