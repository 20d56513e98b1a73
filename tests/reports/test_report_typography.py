"""How the 工作总结 prints: a Song-style body with the sans face for headings, rare characters of names set
glyph by glyph in the fallback face, dates without leading zeros, and a last page never left with only the
seal."""

import dataclasses
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from reports import pdf, services
from reports.models import TermReport
from tests.factories import ActivityFactory
from tests.reports.helpers import build_known_school, pdf_text

pytestmark = pytest.mark.django_db


def _fonts(content: bytes) -> set[str]:
    reader = PdfReader(BytesIO(content))
    return {str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()}


def test_body_is_set_in_an_embedded_song_face_and_headings_in_the_sans_face(client, world):
    build_known_school(world)
    client.force_login(world.principal)
    fonts = _fonts(client.post(reverse("reports:term_report_pdf")).content)
    assert any("UMingCN" in f for f in fonts)  # AR PL UMing, the Song-style body
    assert any("WenQuanYi" in f for f in fonts)  # title, headings, header
    assert pdf.BODY_FONT_PATH.stat().st_size < 6_000_000  # the subset, not the 21 MB collection


def test_the_song_subset_lacks_rare_name_characters_and_they_fall_back_glyph_by_glyph(client, world):
    assert pdf.font_runs("王堃同学") == '王<font name="CJK">堃</font>同学'
    assert pdf.font_runs("刘䶮<好>") == "刘䶮&lt;好&gt;"  # 䶮 is in the subset (the fallback lacks it)
    TermReport.objects.create(
        school=world.school, term=world.school.terms.get(), situation="张堃和刘䶮两名同学进步明显，李玥获得表扬。"
    )
    client.force_login(world.principal)
    text = pdf_text(client.post(reverse("reports:term_report_pdf")).content)
    assert "张堃和刘䶮两名同学进步明显，李玥获得表扬。" in text.replace("\n", "")


def test_dates_in_the_report_are_not_zero_padded(world):
    build_known_school(world)
    ActivityFactory(school=world.school, title="开学第一课", date=date(2026, 9, 7))
    term = world.school.terms.get()
    content = services.report_content(school=world.school, term=term, bureau_copy=False)
    text = pdf_text(pdf.build_term_report(dataclasses.replace(content, made_on=date(2026, 12, 2))))
    assert "2026年12月2日" in text and "9月7日" in text
    assert "12月02日" not in text and "09月07日" not in text


def test_the_last_page_holds_the_closing_paragraph_with_the_signature(world):
    """Fill 四、 line by line so the text ends just past a page boundary at some step: the last page must
    always carry the closing paragraph with the seal, never the seal alone."""
    term = world.school.terms.get()
    content = services.report_content(school=world.school, term=term, bureau_copy=False)
    closing = "下学期，我校将继续完善留守儿童档案，落实结对帮扶，办好留守儿童之家。"
    pages_seen = set()
    for lines in range(0, 48, 2):
        plans = "\n".join(f"{i}. 第{i}项工作打算。" for i in range(1, lines + 1)) + "\n" + closing
        sections = content.sections[:-1] + [(content.sections[-1][0], plans)]
        data = pdf.build_term_report(dataclasses.replace(content, sections=sections, made_on=date(2026, 12, 2)))
        reader = PdfReader(BytesIO(data))
        pages_seen.add(len(reader.pages))
        last = reader.pages[-1].extract_text().replace("\n", "")
        assert "（学校盖章）" in last and "2026年12月2日" in last
        assert closing in last, f"{lines} lines: the seal went to a page without the closing paragraph"
    assert len(pages_seen) >= 2  # the text did cross a page boundary


def test_title_and_section_headings_are_set_bold(client, world):
    client.force_login(world.principal)
    reader = PdfReader(BytesIO(client.post(reverse("reports:term_report_pdf")).content))
    stream = reader.pages[0].get_contents().get_data().decode("latin-1")
    # The title and 一、基本情况 on page 1 are filled and stroked (text render mode 2), the body is not.
    assert stream.count("2 Tr") >= 2 and stream.count("2 Tr") == stream.count("0 Tr")
