"""The bureau copy of the 工作总结 carries no child's full name, no family member's name, no stored address,
no village with its 组/号, and no phone or ID number however it was typed; the principal sees what was
replaced before downloading it."""

import re
from datetime import date
from types import SimpleNamespace

import pytest
from django.urls import reverse
from PIL import Image

from caretrack.models import AuditAction, AuditEvent, LeadingGroupMember, LeadingGroupPosition
from children.models import Grandparent, GrandparentRole
from reports import selectors
from reports.models import TermReport
from tests.factories import ActivityFactory
from tests.reports.helpers import left_behind_child, pdf_text, submit_for_bureau

pytestmark = pytest.mark.django_db

NARRATIVE = (
    "王小明同学家住青山村3组15号，父亲王建国、母亲李秀兰常年在广东务工，由奶奶王秀英照顾，外婆张桂兰也常来看望。"
    "班主任多次与家长电话联系（138 1234 5678、138-1234-5679），核对了孩子的身份证号431224 20170302 0071。"
    "奶奶住在溆浦县龙潭镇白马岭村2组8号，另留有电话１３８１２３４５６７８。"
)
STORY = "王小明期初沉默寡言，在奶奶王秀英的陪伴下，期末主动参加了学校合唱。"
CAPTION = "王秀英奶奶陪王小明参加中秋活动"
# What must not reach the bureau, in any form the PDF could print it.
LEAKS = [
    "王小明", "王建国", "李秀兰", "王秀英", "张桂兰", "青山村", "白马岭", "3组15号", "2组8号",
    "13812345678", "13812345679", "431224201703020071", "１３８１２３４５６７８",
]  # fmt: skip


@pytest.fixture
def family(world):
    """王小明 of 三年级(2)班: father 王建国, mother 李秀兰, guardian grandmother 王秀英 (at 白马岭村2组8号),
    maternal grandmother 张桂兰; his stored address is the factory's 溆浦县青山村3组."""
    child = left_behind_child(world.school_class, name="王小明")
    child.guardians.update(address="溆浦县龙潭镇白马岭村2组8号")
    Grandparent.objects.create(child=child, role=GrandparentRole.MATERNAL_GRANDMOTHER, name="张桂兰")
    return child


@pytest.fixture
def report(world, family, tmp_path, monkeypatch):
    term = world.school.terms.get()
    report = TermReport.objects.create(
        school=world.school,
        term=term,
        situation=NARRATIVE,
        show_full_names=True,
        photos=[{"id": 7, "caption": CAPTION}],
    )
    report.cases.create(child=family, story=STORY)
    LeadingGroupMember.objects.create(
        school=world.school, user=world.principal, position=LeadingGroupPosition.LEADER, title="校长",
        responsibility="全面负责，家长可拨打13912345678",
    )  # fmt: skip
    ActivityFactory(school=world.school, title="看望王小明和奶奶王秀英")
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 48), (30, 140, 80)).save(path, "JPEG")
    photo = SimpleNamespace(
        pk=7,
        image=SimpleNamespace(path=str(path)),
        label="",
        caption="",
        activity=SimpleNamespace(date=date(2026, 9, 25)),
    )
    monkeypatch.setattr(selectors, "photos_for_report", lambda *, school, start, end: [photo])
    return report


def flat(content: bytes) -> str:
    """The PDF's text without the line breaks and spaces a wrapped paragraph puts inside a name."""
    return re.sub(r"\s", "", pdf_text(content))


def test_the_bureau_copy_carries_no_name_address_or_number_of_the_family(client, world, report, settings, tmp_path):
    """Fails on the scrubber that only knew unspaced phone and ID numbers."""
    submit_for_bureau(world, settings, tmp_path)
    client.force_login(world.bureau)
    text = flat(client.post(reverse("reports:county_school_pdf", args=[world.school.pk])).content)
    assert [leak for leak in LEAKS if leak in text] == []
    assert "王同学家住某村" in text and "奶奶王某照顾" in text and "外婆张某" in text
    assert "案例1：王同学。王同学期初沉默寡言" in text
    assert "王某奶奶陪王同学参加中秋活动" in text  # the photo's caption
    assert "看望王同学和奶奶王某" in text  # the activity's title
    assert "李校长" in text and "全面负责" in text  # staff are not children: the leading group stays
    assert "不含" not in text and "姓氏（如“王某”）" in text  # the footer says what was taken out


def test_the_principal_sees_each_replacement_before_downloading(client, world, report):
    client.force_login(world.principal)
    response = client.get(reverse("reports:bureau_copy"))
    assert response.status_code == 200
    cache = response["Cache-Control"]
    assert "no-store" in cache and "private" in cache and "public" not in cache
    rows = {(r.original, r.replacement, r.kind_label): n for r, n in response.context["rows"]}
    assert rows == {
        ("王小明同学", "王同学", "学生姓名"): 1,
        ("青山村3组15号", "某村", "村组门牌"): 1,
        ("王建国", "王某", "家长/监护人姓名"): 1,
        ("李秀兰", "李某", "家长/监护人姓名"): 1,
        ("王秀英", "王某", "家长/监护人姓名"): 4,  # narrative, story, caption, activity title
        ("张桂兰", "张某", "家长/监护人姓名"): 1,
        ("138 1234 5678", "***********", "电话号码"): 1,
        ("138-1234-5679", "***********", "电话号码"): 1,
        ("431224 20170302 0071", "******************", "身份证号"): 1,
        ("溆浦县龙潭镇白马岭村2组8号", "某地", "住址"): 1,
        ("１３８１２３４５６７８", "***********", "电话号码"): 1,
        ("王小明", "王同学", "学生姓名"): 4,  # the case's title, its story, the caption, the activity title
        ("13912345678", "***********", "电话号码"): 1,
    }
    page = response.content.decode()
    assert "原文" in page and "替换为" in page and "138-1234-5679" in page


def test_the_principal_downloads_the_bureau_copy_and_the_export_is_audited_as_such(client, world, report):
    client.force_login(world.principal)
    response = client.post(reverse("reports:bureau_copy_pdf"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "%EF%BC%88%E6%95%99%E8%82%B2%E5%B1%80%EF%BC%89" in response["Content-Disposition"]  # （教育局）
    text = flat(response.content)
    assert [leak for leak in LEAKS if leak in text] == []
    assert "王同学" in text and "王某" in text and "教育局存档" in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.user == world.principal and event.school == world.school
    assert event.detail["bureau_copy"] is True and event.detail["replacements"] == 19
    assert "教育局" in event.target and "教育局版" in event.detail["copy"]
    # The school's own copy is unchanged: full names when the principal opted in, the narrative as typed.
    own = flat(client.post(reverse("reports:term_report_pdf")).content)
    assert "王小明" in own and "王秀英" in own and "青山村3组15号" in own


def test_the_coordinator_may_preview_and_download_but_a_teacher_and_the_bureau_may_not(client, world, report):
    client.force_login(world.coordinator)
    assert client.get(reverse("reports:bureau_copy")).status_code == 200
    assert client.post(reverse("reports:bureau_copy_pdf")).status_code == 200
    for user in (world.class_teacher, world.mentor, world.bureau):
        client.force_login(user)
        assert client.get(reverse("reports:bureau_copy")).status_code == 403
        assert client.post(reverse("reports:bureau_copy_pdf")).status_code == 403


def test_another_schools_principal_cannot_ask_for_this_schools_bureau_copy(client, world, report):
    term = world.school.terms.get()
    client.force_login(world.other_principal)
    assert client.get(reverse("reports:bureau_copy"), {"term": term.pk}).status_code == 404
    assert client.post(reverse("reports:bureau_copy_pdf"), {"term": term.pk}).status_code == 404
    own = client.get(reverse("reports:bureau_copy"))  # their own school's copy, which knows nothing of 王小明
    assert own.status_code == 200 and "王小明" not in own.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_preview_needs_the_same_number_of_queries_for_few_or_many_children(
    client, world, report, django_assert_max_num_queries
):
    client.force_login(world.principal)
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("reports:bureau_copy"))
    for i in range(10):
        left_behind_child(world.school_class, name=f"李小{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:bureau_copy"))
