"""The 工作总结 says only what is true: what the principal typed, the term's figures (one source), progress
only between comparable exams, no praise over zeros, an opening and a closing, 心理健康 and 安全教育 where
the school recorded them, and each figure once."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.services import record_activity
from caretrack.models import AuditAction, AuditEvent
from reports import selectors
from reports.drafts import draft_sections, opening
from reports.models import TermReport
from tests.factories import ExamFactory, ExamResultFactory, GuardianContactFactory
from tests.reports.helpers import build_known_school, pdf_text

pytestmark = pytest.mark.django_db


def _page_data(client, **changes) -> dict:
    """The edit page's form as the browser would send it, with some fields changed."""
    page = client.get(reverse("reports:term_report"))
    forms = page.context["forms"]
    data = {f"r-{k}": v for k, v in forms.sections.initial.items() if k != "show_full_names"}
    data["r-version"] = forms.sections.initial["version"]
    data.update(changes)
    return data


def _draft_text(world) -> str:
    term = world.school.terms.get()
    figures = selectors.school_term_figures(world.school, term)
    sections = draft_sections(figures, term, selectors.leading_group(world.school))
    return "\n".join([opening(figures, world.school, term), *sections.values()])


def test_export_from_the_page_prints_the_edit_not_yet_saved_and_saves_it(client, world):
    build_known_school(world)
    client.force_login(world.principal)
    data = _page_data(client, **{"r-situation": "我校地处山区，刚修改还没有点保存。"})
    response = client.post(reverse("reports:term_report_pdf"), data)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "我校地处山区，刚修改还没有点保存。" in pdf_text(response.content)
    assert TermReport.objects.get().situation == "我校地处山区，刚修改还没有点保存。"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.CREATE, AuditAction.EXPORT} <= actions
    # The page's form follows the save: saving again from it is not refused as someone else's edit.
    again = {**data, "r-version": response["X-Report-Version"], "r-results": "补充的成效。"}
    assert client.post(reverse("reports:term_report"), again).status_code == 302
    assert TermReport.objects.get().results == "补充的成效。"


def test_export_of_an_edit_that_cannot_be_saved_exports_nothing_and_says_why(client, world):
    client.force_login(world.principal)
    url = reverse("reports:term_report")
    base = {"r-situation": "第一版", "r-practices": "", "r-results": "", "r-plans": "", "r-version": ""}
    assert client.post(url, base).status_code == 302  # a colleague saved first
    response = client.post(reverse("reports:term_report_pdf"), {**base, "r-situation": "我从旧页面改的"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "您修改了内容但尚未保存" in page and "已被其他人修改" in page
    assert "我从旧页面改的" in page  # the text typed is still on the page
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_guardian_contacts_are_counted_for_the_whole_term_not_the_month(world):
    build_known_school(world)
    child = world.school_class.children.get(name="王小0")
    GuardianContactFactory(child=child, date=date(2026, 9, 15))
    GuardianContactFactory(child=child, date=date(2026, 10, 20))
    GuardianContactFactory(child=child, date=timezone.localdate())
    text = _draft_text(world)
    assert "与监护人沟通3次" in text
    assert "本月" not in text


def _two_exams(world, *, second_kind: str, children) -> None:
    first = ExamFactory(school=world.school, name="十月月考", kind="monthly", date=date(2026, 10, 15))
    second = ExamFactory(school=world.school, name="第二次考试", kind=second_kind, date=date(2026, 11, 15))
    for child in children:
        ExamResultFactory(exam=first, child=child, total_score=200)
        ExamResultFactory(exam=second, child=child, total_score=230)


def test_progress_counts_only_the_left_behind_children_of_the_report(world):
    known = build_known_school(world)
    children = list(world.school.children.all())  # 4 left-behind and 不留守
    assert len(children) == known.left_behind + 1
    _two_exams(world, second_kind="monthly", children=children)
    text = _draft_text(world)
    assert f"参加两次考试的{known.left_behind}名留守儿童中有{known.left_behind}人成绩进步" in text
    assert f"{known.left_behind + 1}名留守儿童" not in text
    assert f"共有留守儿童{known.left_behind}人" in text


def test_no_progress_is_claimed_between_a_monthly_and_a_midterm_exam(client, world):
    build_known_school(world)
    _two_exams(world, second_kind="midterm", children=list(world.school.children.all()))
    assert "进步" not in _draft_text(world)
    client.force_login(world.principal)
    assert "进步" not in pdf_text(client.post(reverse("reports:term_report_pdf")).content)


def test_a_term_without_records_gets_no_praise_over_zeros(client, world):
    client.force_login(world.principal)
    text = pdf_text(client.post(reverse("reports:term_report_pdf")).content).replace("\n", "")
    for untrue in ("全校0名", "建档率达到0.0%", "自信", "开朗", "结成对子", "谈心0次", "0名关爱对象"):
        assert untrue not in text
    assert "尚未录入结对帮扶、谈心、家访、关爱活动记录" in text
    assert "尚无可统计的工作成效记录" in text


def test_report_opens_with_the_school_and_term_and_closes_with_next_terms_plans(client, world):
    build_known_school(world)
    client.force_login(world.principal)
    text = pdf_text(client.post(reverse("reports:term_report_pdf")).content).replace("\n", "")
    first = text.index(f"2026-2027学年第一学期，{world.school.name}共有关爱对象")
    assert first < text.index("一、基本情况")
    assert text.index("下学期，我校将") > text.index("四、存在问题与下步打算")


def test_psychology_and_safety_parts_appear_only_where_the_school_recorded_them(client, world):
    build_known_school(world)
    client.force_login(world.principal)
    text = pdf_text(client.post(reverse("reports:term_report_pdf")).content)
    assert "心理健康教育" not in text and "安全教育" not in text
    record_activity(  # through the service, as the activity form saves it: the stored figures follow at once
        school=world.school,
        data={"title": "学会与情绪做朋友", "kind": "lecture", "topic": "psychology", "date": date(2026, 10, 4)},
        participants=[],
        acting_user=world.coordinator,
    )
    text = pdf_text(client.post(reverse("reports:term_report_pdf")).content).replace("\n", "")
    assert "心理健康教育。本学期开展心理健康教育活动1次（10月4日“学会与情绪做朋友”）" in text
    assert "安全教育" not in text


def test_each_figure_is_stated_once_in_the_text(world):
    known = build_known_school(world)
    text = _draft_text(world)
    assert text.count("建档率") == 1 and text.count(f"建档率{known.archive_rate}") == 1
    assert text.count("结对覆盖率") == 1 and text.count(f"结对覆盖率{known.pairing_coverage}") == 1
    assert text.count("75.0%") == 2  # the two rates happen to be equal: each stated once
