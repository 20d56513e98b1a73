"""The import preview is no oracle for ID numbers of other schools: the duplicate rule holds but names no
school, each preview that hits other schools' numbers is audited with the count (not the numbers), and a
user gets at most 3 such previews in 10 minutes, after which every preview is refused for a while."""

import json
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent
from children.importing.lookups import LOOKUP_KIND
from tests.excel.archives import make_archive
from tests.excel.sheets import build_sheet
from tests.factories import StaffFactory, valid_id_number

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "性别", "出生日期", "班级", "身份证号"]
REFUSED = "您在 10 分钟内已有 3 次预览发现本县已登记的身份证号"


@pytest.fixture
def elsewhere(world):
    """Two children archived at the other school."""
    return [
        make_archive(world, name, school=world.other_school, school_class=world.foreign_class, seq=seq)
        for name, seq in (("外校甲", 21), ("外校乙", 23))
    ]


def upload(client, rows, name="名单.xlsx"):
    content = build_sheet([HEADER, *rows]).getvalue()
    return client.post(reverse("children:import"), {"file": SimpleUploadedFile(name, content)})


def hitting_rows():
    return [
        ["张一", "男", "2017-03-02", "三(2)班", valid_id_number(date(2017, 3, 2), "M", 21)],
        ["张二", "男", "2017-03-02", "三(2)班", valid_id_number(date(2017, 3, 2), "M", 23)],
        ["张三", "男", "2017-03-02", "三(2)班", valid_id_number(date(2017, 3, 2), "M", 25)],
    ]


def clean_rows():
    return [["李四", "女", "2016-05-08", "三(2)班", ""]]


def lookups():
    return AuditEvent.objects.filter(action=AuditAction.IMPORT, detail__kind=LOOKUP_KIND)


def test_a_number_registered_at_another_school_is_refused_without_naming_the_school(client, world, elsewhere):
    client.force_login(world.principal)
    html = upload(client, hitting_rows()).content.decode()
    assert html.count("该身份证号已在本县登记，请联系县教育局核实") == 2
    assert world.other_school.name not in html and "其他学校" not in html


def test_a_preview_that_hits_other_schools_numbers_is_audited_with_the_count_not_the_numbers(client, world, elsewhere):
    client.force_login(world.principal)
    upload(client, clean_rows())
    assert not lookups().exists()  # nothing hit: nothing to record
    upload(client, hitting_rows())
    event = lookups().get()
    assert event.user == world.principal and event.school == world.school
    assert event.detail["registered_elsewhere"] == 2 and event.detail["rows"] == 3
    recorded = json.dumps(event.detail) + event.target
    assert not any(child.id_number in recorded for child in elsewhere)


def test_after_three_hitting_previews_in_ten_minutes_every_preview_is_refused_in_chinese(client, world, elsewhere):
    client.force_login(world.principal)
    for _ in range(3):
        assert "该身份证号已在本县登记" in upload(client, hitting_rows()).content.decode()
    refused = upload(client, clean_rows()).content.decode()  # whatever the file: the refusal tells nothing
    assert REFUSED in refused and "李四" not in refused
    assert REFUSED in upload(client, hitting_rows()).content.decode()
    assert lookups().count() == 3

    colleague = StaffFactory(school=world.school, is_coordinator=True).user  # the cap is per user
    client.force_login(colleague)
    assert "该身份证号已在本县登记" in upload(client, hitting_rows()).content.decode()

    lookups().filter(user=world.principal).update(at=timezone.now() - timedelta(minutes=11))
    client.force_login(world.principal)
    assert "该身份证号已在本县登记" in upload(client, hitting_rows()).content.decode()


def test_previews_that_hit_nothing_are_never_capped(client, world, elsewhere):
    client.force_login(world.principal)
    for _ in range(5):
        assert REFUSED not in upload(client, clean_rows()).content.decode()
    assert not lookups().exists()
