from datetime import date
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from reports import selectors
from reports.models import TermReport
from tests.reports.helpers import build_known_school, pdf_text, submit_for_bureau

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(tmp_path, monkeypatch):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (640, 480), (30, 140, 80)).save(path, "JPEG")
    fake = SimpleNamespace(
        pk=7,
        image=SimpleNamespace(path=str(path), url="/media/photo.jpg"),
        label="中秋节慰问留守儿童",
        caption="",
        activity=SimpleNamespace(date=date(2026, 9, 25), title="中秋节慰问"),
    )
    monkeypatch.setattr(selectors, "photos_for_report", lambda *, school, start, end: [fake])
    return fake


def test_picked_photo_appears_in_the_pdf_with_its_caption(client, world, photo):
    build_known_school(world)
    client.force_login(world.principal)
    page = client.get(reverse("reports:term_report")).content.decode()
    assert "photo7-use" in page
    response = client.post(
        reverse("reports:term_report"),
        {"r-situation": "", "r-practices": "", "r-results": "", "r-plans": "", "photo7-use": "on",
         "photo7-caption": "孩子们收到月饼"},
    )  # fmt: skip
    assert response.status_code == 302
    assert TermReport.objects.get().photos == [{"id": 7, "caption": "孩子们收到月饼"}]
    content = client.post(reverse("reports:term_report_pdf")).content
    assert "孩子们收到月饼（2026年9月25日）" in pdf_text(content)  # dates not zero-padded
    images = sum(len(p.images) for p in PdfReader(BytesIO(content)).pages)
    assert images == 1


def test_pdf_has_title_sections_header_page_numbers_and_seal_place(client, world):
    build_known_school(world)
    client.force_login(world.principal)
    content = client.post(reverse("reports:term_report_pdf")).content
    reader = PdfReader(BytesIO(content))
    text = pdf_text(content)
    for heading in ("一、基本情况", "二、主要做法", "三、工作成效", "四、存在问题与下步打算", "（学校盖章）"):
        assert heading in text
    assert "2026-2027学年第一学期关爱留守儿童工作总结" in text
    pages = len(reader.pages)
    assert f"第 {pages} 页 / 共 {pages} 页" in text
    assert reader.pages[0].extract_text().startswith(world.school.name)  # the running header
    fonts = {f["/BaseFont"] for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("WenQuanYi" in str(f) or "CJK" in str(f) for f in fonts)  # the embedded Chinese font


def test_a_line_never_starts_with_chinese_punctuation(world):
    from reportlab.lib import textsplit

    from reports.pdf import register_font

    register_font()
    assert "，" in textsplit.ALL_CANNOT_START and "。" in textsplit.ALL_CANNOT_START


def test_pdf_of_a_school_without_any_data_still_builds_and_says_so(client, world):
    client.force_login(world.principal)
    response = client.post(reverse("reports:term_report_pdf"))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "留守儿童 0 人" in text.replace("\n", " ") or "留守儿童\n0 人" in text
    assert "暂无数据" in text  # the empty charts


def test_demo_seed_starts_a_term_report_with_two_cases(world):
    import random

    from reports.demo import seed

    build_known_school(world)
    term = world.school.terms.get()
    seed(school=world.school, term=term, rng=random.Random(1), today=date(2026, 11, 25))
    report = TermReport.objects.get(school=world.school, term=term)
    assert report.cases.count() == 2 and report.situation == ""


def test_bureau_copy_masks_phone_and_id_numbers_typed_into_the_narrative(client, world, settings, tmp_path):
    from reports.privacy import scrub_identifiers

    assert scrub_identifiers("家长电话13912345678，身份证43122420170302123X。") == (
        "家长电话***********，身份证******************。"
    )
    assert scrub_identifiers("2026年共40060元") == "2026年共40060元"
    TermReport.objects.create(
        school=world.school, term=world.school.terms.get(), situation="联系家长13912345678后，孩子情绪好转。"
    )
    client.force_login(world.principal)
    assert "13912345678" in pdf_text(client.post(reverse("reports:term_report_pdf")).content)
    submit_for_bureau(world, settings, tmp_path)
    client.force_login(world.bureau)
    text = pdf_text(client.post(reverse("reports:county_school_pdf", args=[world.school.pk])).content)
    assert "13912345678" not in text and "联系家长" in text
