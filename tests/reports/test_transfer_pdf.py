"""The 转学档案 PDF a school hands to a school outside this installation."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from caretrack.models import AuditAction, AuditEvent
from children import services
from children.models import AwayStatus
from children.services import ArchiveData
from children.services.transfers import transfer_out_elsewhere
from reports.transfer_pdf import CONFIDENTIAL
from tests.factories import ActivityFactory, ActivityParticipantFactory, TalkFactory, valid_id_number

pytestmark = pytest.mark.django_db
ID_NUMBER = valid_id_number()


@pytest.fixture
def child(world):
    data = ArchiveData(
        child={
            "name": "张小明",
            "gender": "M",
            "birth_date": date(2017, 3, 2),
            "id_number": ID_NUMBER,
            "school_class": world.school_class,
        },
        parents={"father": {"name": "张建国", "away_status": AwayStatus.WORKING_AWAY, "phone": "13912345678"}},
        guardian={"name": "王秀英", "relation": "pgm", "phone": "13712345678"},
        assessment={"guardianship_level": "fair"},
    )
    child = services.save_archive(school=world.school, data=data, acting_user=world.coordinator, on=date(2026, 9, 10))
    TalkFactory(child=child, author=world.mentor, date=date(2026, 9, 20), text="谈心：最近学习进步明显")
    activity = ActivityFactory(school=world.school, title="中秋慰问活动", date=date(2026, 9, 25))
    ActivityParticipantFactory(activity=activity, child=child)
    return child


def _pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(BytesIO(response.content)).pages]


def test_the_transfer_archive_is_marked_confidential_on_every_page_and_carries_the_whole_archive(client, world, child):
    for i in range(40):  # a long chronology, so the archive runs over several pages
        TalkFactory(child=child, author=world.mentor, date=date(2026, 10, 1), text=f"第{i}次谈心：情况良好，继续关注。")
    client.force_login(world.principal)
    pages = _pages(client.post(reverse("reports:transfer_pdf", args=[child.pk])))
    assert len(pages) > 1
    for text in pages:
        assert CONFIDENTIAL in text and "思蒙镇中心小学" in text
    text = "".join(pages)
    archive = ("张小明", ID_NUMBER, "张建国", "13912345678", "外出务工", "王秀英", "监护情况一般")
    chronology = ("谈心：最近学习进步明显", "中秋慰问活动")
    for expected in archive + chronology:
        assert expected in text


def test_the_download_is_audited_as_an_export_with_full_identifiers(client, world, child):
    client.force_login(world.coordinator)
    client.post(reverse("reports:transfer_pdf", args=[child.pk]))
    event = AuditEvent.objects.get(user=world.coordinator, action=AuditAction.EXPORT)
    assert event.school == world.school and event.detail["full_identifiers"] is True
    assert event.detail["child"] == child.pk


def test_the_transfer_archive_of_a_child_who_left_for_elsewhere_is_still_there(client, world, child):

    transfer_out_elsewhere(child=child, on=timezone.localdate(), destination="外省某小学", acting_user=world.principal)
    client.force_login(world.principal)
    assert "张小明" in "".join(_pages(client.post(reverse("reports:transfer_pdf", args=[child.pk]))))


@pytest.mark.parametrize(
    "persona,status", [("class_teacher", 403), ("mentor", 403), ("bureau", 403), ("other_principal", 404)]
)
def test_only_the_schools_principal_or_coordinator_downloads_it(client, world, child, persona, status):
    client.force_login(getattr(world, persona))
    assert client.post(reverse("reports:transfer_pdf", args=[child.pk])).status_code == status
    assert client.get(reverse("reports:transfer_pdf", args=[child.pk])).status_code in (403, 404, 405)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_child_protection_records_stay_out_of_the_transfer_archive_and_are_counted(client, world, child):
    """A 心理危机 concern (and the talk that raised it) is handed over in person, not in a PDF that leaves the
    school: the PDF says how many such records there are; an ordinary concern's talk stays in."""
    from tests.factories import ConcernFactory

    crisis = ConcernFactory(child=child, category="crisis", raised_by=world.mentor, description="作文里写到不想活了")
    TalkFactory(child=child, author=world.mentor, date=date(2026, 10, 8), text="谈到轻生的念头", concern=crisis)
    academic = ConcernFactory(child=child, category="academic", raised_by=world.mentor)
    TalkFactory(child=child, author=world.mentor, date=date(2026, 10, 9), text="数学成绩下滑", concern=academic)
    client.force_login(world.principal)
    text = "".join(_pages(client.post(reverse("reports:transfer_pdf", args=[child.pk]))))
    assert "谈到轻生的念头" not in text and "不想活了" not in text
    assert "数学成绩下滑" in text
    assert "另有 1 条儿童保护记录未列入本档案" in text
    # The school's own chronology still shows it to the principal.
    page = client.get(reverse("mentoring:chronology", args=[child.pk])).content.decode()
    assert "谈到轻生的念头" in page
