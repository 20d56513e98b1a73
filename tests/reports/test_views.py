from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from caretrack.models import AuditAction, AuditEvent, LeadingGroupMember, LeadingGroupPosition
from reports.figures_store import forget_figures
from reports.models import TermReport
from tests.factories import SchoolFactory, TermFactory
from tests.reports.helpers import build_known_school, left_behind_child, pdf_text, submit_for_bureau

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _scanned_queries(client, url) -> int:
    """The page's queries when its figures are scanned, not read from their stored rows: the data below is
    built by factories, which skip the audited services that renew the stored figures' version, so the test
    renews it as they would. The first request slides the new session's expiry (a write) and is not counted."""
    client.get(url)
    forget_figures()
    return _queries(client, url)


def test_dashboard_needs_the_same_number_of_queries_for_a_small_and_a_large_school(client, world):
    client.force_login(world.principal)
    left_behind_child(world.school_class)
    small = _scanned_queries(client, reverse("reports:dashboard"))
    for i in range(15):
        left_behind_child(world.other_class if i % 2 else world.school_class, complete=i % 3 != 0)
    large = _scanned_queries(client, reverse("reports:dashboard"))
    assert small == large
    # session, user, roles, terms, 4 archive queries, the children in care (困境, 事实无人抚养), then the
    # mentoring and activities selectors' own, and the term's contacts (2), exams and 心理健康/安全 activities
    assert large <= 45
    # Read again with nothing changed: the stored row, not a scan.
    assert _queries(client, reverse("reports:dashboard")) <= 15


def test_term_report_page_needs_the_same_number_of_queries_with_few_or_many_children(client, world):
    from reports.models import ReportCase

    client.force_login(world.principal)
    first = left_behind_child(world.school_class)
    report = TermReport.objects.create(school=world.school, term=world.school.terms.get())
    ReportCase.objects.create(report=report, child=first, story="进步", order=0)
    small = _scanned_queries(client, reverse("reports:term_report"))
    for i in range(12):
        child = left_behind_child(world.other_class if i % 2 else world.school_class)
        if i < 3:
            ReportCase.objects.create(report=report, child=child, story="进步", order=i + 1)
    assert _scanned_queries(client, reverse("reports:term_report")) == small


def test_county_overview_needs_the_same_number_of_queries_for_two_and_five_schools(client, world):
    client.force_login(world.bureau)
    build_known_school(world)
    two = _scanned_queries(client, reverse("reports:county"))
    profile = world.bureau.profile
    for _ in range(3):
        school = SchoolFactory()
        TermFactory(school=school)
        profile.bureau_schools.add(school)
    five = _scanned_queries(client, reverse("reports:county"))
    assert two == five


def test_dashboard_links_each_figure_to_the_list_behind_it(client, world):
    build_known_school(world)
    client.force_login(world.coordinator)
    html = client.get(reverse("reports:dashboard")).content.decode()
    # 建档率 is the left-behind children's: the lists behind it show those (the list's default is everyone in care).
    assert "/children/?left_behind_type=left_behind&amp;archived=no" in html
    assert "/children/?left_behind_type=both_away" in html
    assert f"/children/?left_behind_type=left_behind&amp;school_class={world.other_class.pk}" in html
    assert 'id="report-charts"' in html and "vendor/echarts-6.1.0/echarts.min.js" in html
    assert "cdn" not in html.lower()


def test_term_chooser_shows_a_past_term_and_refuses_another_schools_term(client, world):
    past = TermFactory(
        school=world.school, start_year=2025, semester=2, is_current=False,
        start_date="2026-02-20", end_date="2026-07-05",
    )  # fmt: skip
    client.force_login(world.principal)
    response = client.get(reverse("reports:dashboard"), {"term": past.pk})
    assert response.status_code == 200 and response.context["term"] == past
    foreign = world.other_school.terms.get()
    assert client.get(reverse("reports:dashboard"), {"term": foreign.pk}).status_code == 404


def test_principal_edits_the_narrative_and_the_pdf_uses_it(client, world):
    known = build_known_school(world)
    child = world.school_class.children.get(name="王小1")
    client.force_login(world.principal)
    form = client.get(reverse("reports:term_report"))
    assert "我校现有在校学生600人" in form.content.decode()
    data = {
        "r-situation": "我校是一所山区小学，留守儿童较多。",
        "r-practices": "",
        "r-results": "",
        "r-plans": "",
        "r-version": "",
        "case0-child": child.pk,
        "case0-story": "期初沉默寡言，期末主动参加合唱。",
    }
    response = client.post(reverse("reports:term_report"), data)
    assert response.status_code == 302
    report = TermReport.objects.get(school=world.school)
    assert report.situation.startswith("我校是一所山区小学") and report.practices == ""
    assert report.cases.get().child == child

    text = pdf_text(client.post(reverse("reports:term_report_pdf")).content)
    assert "我校是一所山区小学" in text
    assert "王同学" in text and "王小1" not in text  # surname only unless opted in
    assert f"建档率{known.archive_rate}" in text  # blank section: the draft
    assert f"{known.paired}名关爱对象与帮扶教师结成对子" in text.replace("\n", "")  # not only 留守


def test_a_second_save_from_a_stale_form_is_refused(client, world):
    client.force_login(world.principal)
    url = reverse("reports:term_report")
    base = {"r-situation": "第一版", "r-practices": "", "r-results": "", "r-plans": "", "r-version": ""}
    assert client.post(url, base).status_code == 302
    response = client.post(url, {**base, "r-situation": "第二版（从旧页面提交）"})
    assert response.status_code == 200
    assert "已被其他人修改" in response.content.decode()
    assert TermReport.objects.get().situation == "第一版"


def test_the_same_form_sent_twice_saves_once_without_an_error(client, world):
    client.force_login(world.principal)
    url = reverse("reports:term_report")
    data = {"r-situation": "只保存一次", "r-practices": "", "r-results": "", "r-plans": "", "r-version": ""}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert TermReport.objects.get().situation == "只保存一次"


def test_a_case_without_a_story_is_refused_with_a_chinese_message(client, world):
    child = left_behind_child(world.school_class)
    client.force_login(world.principal)
    response = client.post(
        reverse("reports:term_report"),
        {"r-situation": "", "r-practices": "", "r-results": "", "r-plans": "", "case0-child": child.pk},
    )
    assert response.status_code == 200
    assert "请写几句这名学生的变化" in response.content.decode()
    assert not TermReport.objects.exists()


def test_a_child_of_another_school_cannot_be_picked_as_a_case(client, world):
    foreign = left_behind_child(world.foreign_class)
    client.force_login(world.principal)
    response = client.post(
        reverse("reports:term_report"),
        {"r-situation": "", "r-practices": "", "r-results": "", "r-plans": "", "case0-child": foreign.pk,
         "case0-story": "外校学生"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not TermReport.objects.exists()


def test_pdf_export_is_audited_and_shows_the_leading_group(client, world):
    LeadingGroupMember.objects.create(
        school=world.school, user=world.principal, position=LeadingGroupPosition.LEADER, title="校长",
        responsibility="全面负责",
    )  # fmt: skip
    client.force_login(world.coordinator)
    response = client.post(reverse("reports:term_report_pdf"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "关爱留守儿童工作领导小组" in text and "李校长" in text and "全面负责" in text
    assert "第 1 页" in text and world.school.name in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.user == world.coordinator and event.school == world.school
    assert event.detail["kind"] == "term_report_pdf" and event.detail["bureau_copy"] is False


def test_bureau_copy_shows_surnames_only_even_when_the_principal_opted_in(client, world, settings, tmp_path):
    build_known_school(world)
    child = world.school_class.children.get(name="王小1")
    report = TermReport.objects.create(school=world.school, term=world.school.terms.get(), show_full_names=True)
    report.cases.create(child=child, story="进步很大。")
    client.force_login(world.principal)
    assert "王小1" in pdf_text(client.post(reverse("reports:term_report_pdf")).content)
    submit_for_bureau(world, settings, tmp_path)

    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_school_pdf", args=[world.school.pk]))
    text = pdf_text(response.content)
    assert "王同学" in text and "王小1" not in text
    assert "13912345678" not in text and "青山村" not in text
    assert AuditEvent.objects.filter(detail__bureau_copy=True, user=world.bureau).count() == 1


def test_bureau_user_cannot_fetch_the_pdf_of_a_school_outside_their_county(client, world):
    outside = SchoolFactory()
    TermFactory(school=outside)
    client.force_login(world.bureau)
    assert client.post(reverse("reports:county_school_pdf", args=[outside.pk])).status_code == 404


def test_county_excel_export_has_one_row_per_school_with_totals_and_is_audited(client, world):
    build_known_school(world)
    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:3] == ("学校", "在校学生", "留守儿童")
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name[world.school.name][2] == 4 and by_name[world.school.name][5] == 75.0
    assert by_name["合计（2 所学校）"][2] == 5
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).detail["kind"] == "county_xlsx"


def test_county_overview_shows_no_child_level_data(client, world):
    build_known_school(world)
    client.force_login(world.bureau)
    html = client.get(reverse("reports:county"), {"sort": "-archive"}).content.decode()
    assert world.school.name in html
    for name in ("王小0", "赵小明", "/children/"):
        assert name not in html


def test_dashboard_without_any_term_says_so(client, world):
    world.school.terms.all().delete()
    client.force_login(world.principal)
    assert "还没有设置学期" in client.get(reverse("reports:dashboard")).content.decode()


def test_county_overview_of_schools_without_terms_says_so(client, world):
    world.school.terms.all().delete()
    world.other_school.terms.all().delete()
    client.force_login(world.bureau)
    assert "还没有设置学期" in client.get(reverse("reports:county")).content.decode()
    assert client.post(reverse("reports:county_xlsx")).status_code == 302
    assert client.get(reverse("reports:county"), {"term": "bad"}).status_code == 404


def test_two_first_saves_of_the_same_report_do_not_both_succeed(world):
    from django.core.exceptions import ValidationError

    from reports.services import ReportData, save_term_report

    term = world.school.terms.get()
    opened_by_both = TermReport(school=world.school, term=term)
    save_term_report(
        report=TermReport(school=world.school, term=term), data=ReportData(sections={"situation": "甲"}),
        acting_user=world.principal,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        save_term_report(
            report=opened_by_both, data=ReportData(sections={"situation": "乙"}), acting_user=world.coordinator
        )
    assert TermReport.objects.get().situation == "甲"


def test_county_overview_keeps_each_schools_figures_for_a_few_minutes(client, world):
    from django.core.cache import cache

    client.force_login(world.bureau)
    build_known_school(world)
    cold = _queries(client, reverse("reports:county"))
    import re

    def figures_html():
        html = client.get(reverse("reports:county")).content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    first_html = figures_html()
    warm = _queries(client, reverse("reports:county"))
    assert warm < cold
    cache.clear()
    assert figures_html() == first_html
