"""The term's 谈心记录 / 家访记录 from the command line (mentoring's export_logs), and the hint that
export_children gives for them now."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from caretrack.models import AuditAction, AuditEvent
from tests.excel.archives import make_archive
from tests.excel.sheets import sheet_rows
from tests.factories import HomeVisitFactory, PairingFactory, TalkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def logs(world):
    child = make_archive(world, "张小明")
    PairingFactory(child=child, mentor=world.mentor)
    TalkFactory(child=child, author=world.mentor, date=date(2026, 10, 9))
    HomeVisitFactory(child=child, author=world.mentor, date=date(2026, 10, 20))
    return child


def test_export_logs_command_writes_the_terms_talks_and_visits(world, logs, tmp_path):
    path = tmp_path / "谈心.xlsx"
    term = world.school.terms.get()
    call_command("export_logs", "--school", str(world.school.pk), "--term", str(term.pk), "-o", str(path))
    rows = sheet_rows(path.read_bytes())
    assert rows[0][0].startswith("思蒙镇中心小学谈心记录") and rows[2][1] == "张小明"
    call_command("export_logs", "--school", str(world.school.pk), "-o", str(path), "--kind", "visits")
    assert sheet_rows(path.read_bytes())[0][0].startswith("思蒙镇中心小学家访记录")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=None).count() == 2


def test_export_logs_command_refuses_an_unknown_school(db, tmp_path):
    with pytest.raises(CommandError, match="没有 ID 为 999 的学校"):
        call_command("export_logs", "--school", "999", "-o", str(tmp_path / "x.xlsx"))


def test_export_children_points_to_export_logs_for_talks_and_visits(world, tmp_path):
    for kind in ("talks", "visits"):
        with pytest.raises(CommandError, match="export_logs"):
            call_command("export_children", "--school", str(world.school.pk), "-o", str(tmp_path / "x"), "--kind", kind)
    assert not AuditEvent.objects.exists()


def test_the_log_downloads_keep_their_addresses_on_the_import_page(client, world, logs):
    client.force_login(world.coordinator)
    page = client.get(reverse("children:import")).content.decode()
    assert reverse("mentoring:export_talks") in page and reverse("mentoring:export_visits") in page
    response = client.post(reverse("mentoring:export_talks"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).detail["kind"] == "talks"
