"""The dashboard, the county overview and the PDF say the same numbers for a school with known counts."""

import re

import pytest
from django.urls import reverse

from tests.reports.helpers import build_known_school, pdf_text

pytestmark = pytest.mark.django_db


def _figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">([^<]+)<', html)
    assert match, f"no figure {key} on the page"
    return match.group(1).strip()


def _county_row(html: str, school_pk: int) -> str:
    match = re.search(rf'<tr data-school="{school_pk}">(.*?)</tr>', html, re.S)
    assert match
    return match.group(1)


def test_dashboard_county_overview_and_pdf_agree_on_a_school_with_known_counts(client, world):
    known = build_known_school(world)

    client.force_login(world.principal)
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    pdf = client.post(reverse("reports:term_report_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = re.sub(r"[ \t]+", " ", pdf_text(pdf.content))

    client.force_login(world.bureau)
    row = _county_row(client.get(reverse("reports:county")).content.decode(), world.school.pk)

    # Left-behind children
    assert _figure(dashboard, "left_behind") == str(known.left_behind)
    assert _figure(row, "left_behind") == str(known.left_behind)
    assert re.search(rf"留守儿童\s*{known.left_behind} 人", text)
    # Ratio to enrolled students
    assert known.ratio in dashboard
    assert _figure(row, "ratio") == known.ratio
    assert re.search(rf"留守儿童占在校学生比例\s*{re.escape(known.ratio)}", text)
    # 建档率
    assert _figure(dashboard, "archive_rate") == known.archive_rate
    assert _figure(row, "archive_rate") == known.archive_rate
    assert re.search(rf"建档率\s*{re.escape(known.archive_rate)}", text)
    assert re.search(rf"已建档（档案完整）\s*{known.complete} 人", text)
    # 留守类型
    assert _figure(dashboard, "type_both_away") == str(known.both_away)
    assert _figure(dashboard, "type_one_away_incapable") == str(known.incapable)
    assert re.search(rf"父母均外出\s*{known.both_away}", text)
    assert re.search(rf"一方外出另一方无监护能力\s*{known.incapable}", text)
    # Parents' provinces
    assert re.search(rf"广东省\s*{known.guangdong}", text) and re.search(rf"浙江省\s*{known.zhejiang}", text)
    assert f'<td>广东省</td><td class="text-end">{known.guangdong}</td>' in dashboard
    # Pairing coverage (from the mentoring selectors)
    assert _figure(dashboard, "pairing_coverage") == known.pairing_coverage
    assert _figure(row, "pairing_coverage") == known.pairing_coverage
    assert re.search(rf"结对覆盖率\s*{re.escape(known.pairing_coverage)}", text)
    assert re.search(rf"已结对关爱对象\s*{known.paired} 人", text)


def test_activity_counts_agree_on_the_dashboard_the_county_overview_and_the_pdf(client, world):
    from datetime import date

    from activities.models import Activity, ActivityKind

    build_known_school(world)
    Activity.objects.create(school=world.school, title="中秋节慰问", kind=ActivityKind.FESTIVAL, date=date(2026, 9, 25))
    Activity.objects.create(
        school=world.school, title="安全教育讲座", kind=ActivityKind.LECTURE, date=date(2026, 10, 9)
    )
    Activity.objects.create(
        school=world.other_school, title="外校活动", kind=ActivityKind.SPORTS, date=date(2026, 10, 9)
    )

    client.force_login(world.principal)
    dashboard = client.get(reverse("reports:dashboard")).content.decode()
    text = re.sub(r"[ \t]+", " ", pdf_text(client.post(reverse("reports:term_report_pdf")).content))
    client.force_login(world.bureau)
    row = _county_row(client.get(reverse("reports:county")).content.decode(), world.school.pk)

    assert _figure(dashboard, "activities") == "2"
    assert _figure(row, "activities") == "2"
    assert re.search(r"关爱活动\s*2 次", text)
    assert "中秋节慰问" in text and "安全教育讲座" in text  # the activity list with dates
    term = world.school.terms.get()
    assert f"/activities/?term={term.pk}&amp;kind=festival" in dashboard  # the list behind the row
