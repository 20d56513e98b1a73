"""Submitting the 工作总结 to the county bureau (issue 17, item 4): the principal submits a frozen version,
later edits make a new version only when submitted again, the bureau sees each school's status, sets the
deadline, returns a version with a comment and downloads what was submitted, never the auto-draft."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from caretrack.models import AuditAction, AuditEvent, Notification
from reports import services, submission_selectors
from reports.models import SubmissionState, TermReport, TermReportSubmission
from reports.selectors import TermKey
from tests.factories import SchoolFactory, StaffFactory, TermFactory
from tests.reports.helpers import left_behind_child, pdf_text

pytestmark = pytest.mark.django_db

KEY = TermKey(2026, 1)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def flat(content: bytes) -> str:
    return re.sub(r"\s", "", pdf_text(content))


def term_of(school):
    return school.terms.get()


def save(world, *, situation: str, school=None, user=None) -> TermReport:
    school = school or world.school
    report = services.report_for(school=school, term=term_of(school))
    data = services.ReportData(
        sections={"situation": situation, "practices": "", "results": "", "plans": ""},
        version=services.report_version(report),
    )
    return services.save_term_report(report=report, data=data, acting_user=user or world.principal)


def submit(world, *, school=None, user=None) -> TermReportSubmission:
    school = school or world.school
    report = TermReport.objects.get(school=school, term=term_of(school))
    return services.submit_term_report(
        school=school,
        term=term_of(school),
        version=services.report_version(report),
        acting_user=user or world.principal,
    )


def status(world, school=None):
    """The school's status read by itself, and as the 工作总结 page reads it (from the report and the
    submissions it has already read): always the same."""
    school = school or world.school
    term = term_of(school)
    alone = submission_selectors.school_submission_status(school=school, term=term)
    on_page = submission_selectors.school_submission_status(
        school=school,
        term=term,
        report=services.report_for(school=school, term=term),
        submissions=submission_selectors.submissions_of(school=school, term=term),
    )
    assert (on_page.state, on_page.latest, on_page.deadline) == (alone.state, alone.latest, alone.deadline)
    return alone


# --- Freezing ------------------------------------------------------------------------------------------


def test_submission_freezes_text_figures_and_pdf_and_later_edits_do_not_change_it(world):
    left_behind_child(world.school_class, name="王小明")
    save(world, situation="第一稿：本校认真排查留守儿童。")
    first = submit(world)
    assert first.number == 1
    assert first.sections[0] == {"key": "situation", "title": "一、基本情况", "text": "第一稿：本校认真排查留守儿童。"}
    assert first.sections[1]["text"]  # a blank section is frozen with the draft text the PDF printed
    assert first.figures["left_behind"] == 1 and first.figures["school"] == {
        "model": "caretrack.School",
        "pk": world.school.pk,
    }
    frozen_pdf = first.bureau_copy.read()
    assert "第一稿" in flat(frozen_pdf)

    save(world, situation="第二稿：改过的文字。")
    left_behind_child(world.school_class, name="王小红")  # the figures move too
    first.refresh_from_db()
    assert first.sections[0]["text"] == "第一稿：本校认真排查留守儿童。"
    assert first.figures["left_behind"] == 1
    with first.bureau_copy.open("rb") as f:
        assert f.read() == frozen_pdf

    second = submit(world)
    assert second.number == 2 and second.sections[0]["text"] == "第二稿：改过的文字。"
    assert second.figures["left_behind"] == 2
    assert "第二稿" in flat(second.bureau_copy.read())


def test_an_unsaved_report_cannot_be_submitted_and_the_principal_is_asked_to_save_first(world):
    with pytest.raises(ValidationError) as error:
        services.submit_term_report(
            school=world.school, term=term_of(world.school), version="", acting_user=world.principal
        )
    assert "保存" in error.value.messages[0]
    assert not TermReportSubmission.objects.exists()


def test_a_report_saved_again_since_the_page_was_opened_is_not_submitted_blind(world):
    report = save(world, situation="甲")
    seen = services.report_version(report)
    save(world, situation="乙", user=world.coordinator)
    with pytest.raises(ValidationError, match="刷新页面"):
        services.submit_term_report(
            school=world.school, term=term_of(world.school), version=seen, acting_user=world.principal
        )


def test_submitting_the_same_saved_text_twice_makes_one_version(world):
    save(world, situation="甲")
    assert submit(world).pk == submit(world).pk
    assert TermReportSubmission.objects.count() == 1


def test_submission_is_audited_in_the_same_transaction(world):
    save(world, situation="甲")
    submission = submit(world)
    event = AuditEvent.objects.get(detail__kind="term_report_submission")
    assert event.user == world.principal and event.action == AuditAction.CREATE and event.school == world.school
    assert event.detail["number"] == 1 and event.detail["sha256"] == submission.bureau_copy_sha256


# --- Deadline and lateness ----------------------------------------------------------------------------


def test_a_submission_after_the_deadline_is_accepted_and_marked_late(world):
    schools = world.bureau.profile.bureau_schools.all()
    services.set_deadline(
        schools=schools, key=KEY, due_on=timezone.localdate() - timedelta(days=1), acting_user=world.bureau
    )
    save(world, situation="甲")
    assert submit(world).late is True
    assert AuditEvent.objects.filter(detail__kind="term_report_deadline", user=world.bureau).count() == 1


def test_a_submission_before_the_deadline_is_on_time(world):
    schools = world.bureau.profile.bureau_schools.all()
    services.set_deadline(
        schools=schools, key=KEY, due_on=timezone.localdate() + timedelta(days=3), acting_user=world.bureau
    )
    save(world, situation="甲")
    assert submit(world).late is False
    assert status(world).due_on == timezone.localdate() + timedelta(days=3)


# --- Status -------------------------------------------------------------------------------------------


def test_status_moves_from_not_started_to_draft_submitted_returned_and_back(world):
    assert status(world).state == SubmissionState.NOT_STARTED
    save(world, situation="甲")
    assert status(world).state == SubmissionState.DRAFT
    first = submit(world)
    assert status(world).state == SubmissionState.SUBMITTED and status(world).latest == first
    save(world, situation="乙")  # edited after the submission
    current = status(world)
    assert current.state == SubmissionState.DRAFT and current.edited_since_submission and current.latest == first
    services.return_term_report(submission=first, comment="请补充家访数据。", acting_user=world.bureau)
    current = status(world)
    assert current.state == SubmissionState.RETURNED and current.return_note.comment == "请补充家访数据。"
    second = submit(world)
    assert second.number == 2 and status(world).state == SubmissionState.SUBMITTED


def test_a_return_needs_a_comment_and_is_audited(world):
    save(world, situation="甲")
    submission = submit(world)
    with pytest.raises(ValidationError, match="退回意见"):
        services.return_term_report(submission=submission, comment="  ", acting_user=world.bureau)
    services.return_term_report(submission=submission, comment="数字有误", acting_user=world.bureau)
    event = AuditEvent.objects.get(detail__kind="term_report_return")
    assert event.user == world.bureau and event.school == world.school
    with pytest.raises(ValidationError):  # once only
        services.return_term_report(submission=submission, comment="再退", acting_user=world.bureau)


def test_a_return_tells_the_principal_and_the_coordinator(world):
    save(world, situation="甲")
    services.return_term_report(submission=submit(world), comment="请补充家访数据。", acting_user=world.bureau)
    notes = Notification.objects.filter(title__contains="退回")
    assert {n.recipient for n in notes} == {world.principal, world.coordinator}
    assert all("请补充家访数据。" in n.body and n.link.startswith(reverse("reports:term_report")) for n in notes)


def test_statuses_of_many_schools_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    schools = [world.school, world.other_school]
    for _ in range(5):
        school = SchoolFactory()
        TermFactory(school=school)
        schools.append(school)
    for school in schools[:4]:
        save(world, situation="甲", school=school, user=StaffFactory(school=school, is_principal=True).user)
    for school in schools[:2]:
        principal = StaffFactory(school=school, is_principal=True).user
        report = TermReport.objects.get(school=school)
        services.submit_term_report(
            school=school, term=term_of(school), version=services.report_version(report), acting_user=principal
        )
    with django_assert_max_num_queries(3):  # saved reports, last versions (with returns), deadlines
        statuses = submission_selectors.submission_statuses(schools=schools, key=KEY)
        labels = [(statuses[s.pk].label, statuses[s.pk].return_note) for s in schools]
    assert [label for label, _ in labels] == ["已提交", "已提交", "草稿", "草稿", "未开始", "未开始", "未开始"]


# --- Permissions (services) ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "class_teacher", "mentor", "bureau", "other_principal"])
def test_only_the_school_principal_can_submit(world, persona):
    save(world, situation="甲")
    with pytest.raises(PermissionDenied):
        submit(world, user=getattr(world, persona))
    assert not TermReportSubmission.objects.exists()


def test_a_bureau_user_of_another_county_cannot_return(world):
    save(world, situation="甲")
    submission = submit(world)
    elsewhere = StaffFactory(school=None, is_bureau=True, is_teacher=False)
    elsewhere.bureau_schools.set([SchoolFactory(county="辰溪县")])
    for user in (elsewhere.user, world.principal):
        with pytest.raises(PermissionDenied):
            services.return_term_report(submission=submission, comment="不行", acting_user=user)


# --- Pages --------------------------------------------------------------------------------------------


def test_principal_sees_status_and_submit_button_coordinator_sees_status_only(client, world):
    save(world, situation="甲")
    client.force_login(world.principal)
    page = client.get(reverse("reports:term_report")).content.decode()
    assert "草稿" in page and "提交教育局" in page and reverse("reports:term_report_submit") in page
    client.force_login(world.coordinator)
    page = client.get(reverse("reports:term_report")).content.decode()
    assert "草稿" in page and reverse("reports:term_report_submit") not in page and "提交由校长操作" in page


def test_confirm_page_submits_on_post_only(client, world):
    report = save(world, situation="甲")
    client.force_login(world.principal)
    page = client.get(reverse("reports:term_report_submit")).content.decode()
    assert "确认提交" in page and "第1版" in page
    assert not TermReportSubmission.objects.exists()
    response = client.post(reverse("reports:term_report_submit"), {"version": services.report_version(report)})
    assert response.status_code == 302
    assert TermReportSubmission.objects.get().number == 1
    page = client.get(response["Location"]).content.decode()
    assert "已提交教育局：第1版" in page and "已提交（" in page


def test_a_stale_confirmation_says_why_and_can_be_confirmed_again(client, world):
    seen = services.report_version(save(world, situation="甲"))
    save(world, situation="乙", user=world.coordinator)  # saved again while the principal was confirming
    client.force_login(world.principal)
    page = client.post(reverse("reports:term_report_submit"), {"version": seen}).content.decode()
    assert "又被修改过" in page and not TermReportSubmission.objects.exists()
    current = services.report_version(TermReport.objects.get())
    assert f'value="{current}"' in page  # the confirmation now carries what is saved
    client.post(reverse("reports:term_report_submit"), {"version": current})
    assert TermReportSubmission.objects.get().sections[0]["text"] == "乙"


def test_confirm_page_of_an_unsaved_report_asks_to_save_first(client, world):
    client.force_login(world.principal)
    page = client.get(reverse("reports:term_report_submit")).content.decode()
    assert "请您先修改并点“保存”" in page and "确认提交" not in page
    page = client.post(reverse("reports:term_report_submit"), {"version": ""}).content.decode()
    assert "请您先修改并点“保存”" in page and not TermReportSubmission.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "class_teacher", "mentor", "bureau", "other_teacher"])
def test_others_cannot_reach_the_submit_page(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("reports:term_report_submit")).status_code == 403
    assert client.post(reverse("reports:term_report_submit"), {"version": ""}).status_code == 403


def test_the_bureau_gets_the_submitted_version_not_the_later_edit_nor_the_draft(client, world):
    client.force_login(world.bureau)
    url = reverse("reports:county_school_pdf", args=[world.school.pk])
    response = client.post(url)  # nothing submitted: no auto-drafted PDF, a clear message instead
    assert response.status_code == 302 and response["Content-Type"].startswith("text/html")
    assert "还没有提交" in client.get(response["Location"]).content.decode()

    save(world, situation="已提交的文字。")
    submission = submit(world)
    save(world, situation="之后改过的文字。")
    response = client.post(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content == submission.bureau_copy.read()
    text = flat(response.content)
    assert "已提交的文字" in text and "之后改过的文字" not in text
    event = AuditEvent.objects.filter(detail__kind="term_report_submission_pdf", user=world.bureau).get()
    assert event.action == AuditAction.EXPORT and event.detail["number"] == 1


def test_zip_holds_one_pdf_per_submitted_school_and_no_childs_name(client, world):
    left_behind_child(world.school_class, name="王小明")
    left_behind_child(world.foreign_class, name="赵小红")
    save(world, situation="王小明同学进步很大，家住青山村3组。")
    report = services.report_for(school=world.school, term=term_of(world.school))
    report.cases.create(child=world.school_class.children.get(name="王小明"), story="王小明爱上了阅读。")
    report.save()  # a new updated_at
    submit(world)
    save(world, situation="赵小红同学很好。", school=world.other_school, user=world.other_principal)
    submit(world, school=world.other_school, user=world.other_principal)
    third = SchoolFactory(name="龙潭镇中学")
    TermFactory(school=third)
    world.bureau.profile.bureau_schools.add(third)  # saved nothing: not in the zip

    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_submitted_zip"))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    assert names == [
        "思蒙镇中心小学_2026-2027学年第一学期_工作总结_第1版.pdf",
        "桥江镇第一小学_2026-2027学年第一学期_工作总结_第1版.pdf",
    ]
    texts = {name: flat(archive.read(name)) for name in names}
    assert all(child not in text for text in texts.values() for child in ("王小明", "赵小红", "青山村"))
    assert "王同学" in texts[names[0]] and "赵同学" in texts[names[1]]
    event = AuditEvent.objects.get(detail__kind="term_report_submissions_zip")
    assert event.action == AuditAction.EXPORT and sorted(event.detail["schools"]) == sorted(
        [world.school.pk, world.other_school.pk]
    )


def test_zip_leaves_out_a_returned_version(client, world):
    save(world, situation="甲")
    services.return_term_report(submission=submit(world), comment="重写", acting_user=world.bureau)
    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_submitted_zip"))
    assert response.status_code == 302  # nothing submitted that stands
    assert "还没有提交" in client.get(response["Location"]).content.decode()


def test_county_page_shows_each_schools_status_date_and_return_comment(client, world, django_assert_max_num_queries):
    save(world, situation="甲")
    submission = submit(world)
    save(world, situation="乙", school=world.other_school, user=world.other_principal)
    services.return_term_report(
        submission=submit(world, school=world.other_school, user=world.other_principal),
        comment="请补充典型案例。",
        acting_user=world.bureau,
    )
    client.force_login(world.bureau)
    client.get(reverse("reports:county"))  # warm the figures cache
    with django_assert_max_num_queries(20):  # 16 measured, for 2 schools as for 12
        page = client.get(reverse("reports:county")).content.decode()
    date_text = f"{submission.submitted_at.astimezone(timezone.get_current_timezone()):%Y年%-m月%-d日}"
    assert f"已提交（{date_text}）" in page
    assert "已退回" in page and "退回意见：请补充典型案例。" in page
    assert "下载全部已提交" in page and "设置截止日期" in page


def test_bureau_sets_the_deadline_and_the_principal_sees_it(client, world):
    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_deadline"), {"due_on": "2027-01-15"})
    assert response.status_code == 302
    assert "修改截止日期" in client.get(response["Location"]).content.decode()
    client.force_login(world.principal)
    assert "2027年1月15日 前提交" in client.get(reverse("reports:term_report")).content.decode()
    client.force_login(world.bureau)
    response = client.post(reverse("reports:county_deadline"), {"due_on": ""})
    assert "请选择提交截止日期" in client.get(response["Location"]).content.decode()


def test_bureau_returns_with_a_comment_through_the_page(client, world):
    save(world, situation="甲")
    submit(world)
    client.force_login(world.bureau)
    url = reverse("reports:county_return", args=[world.school.pk])
    assert "确认退回" in client.get(url).content.decode()
    page = client.post(url, {"comment": ""}).content.decode()
    assert "请填写退回意见" in page
    assert client.post(url, {"comment": "请补充家访情况。"}).status_code == 302
    assert status(world).state == SubmissionState.RETURNED
    client.force_login(world.principal)
    page = client.get(reverse("reports:term_report")).content.decode()
    assert "已退回" in page and "请补充家访情况。" in page


def test_the_school_downloads_the_frozen_copy_of_each_version(client, world):
    save(world, situation="第一版文字")
    first = submit(world)
    save(world, situation="第二版文字")
    submit(world)
    client.force_login(world.coordinator)
    response = client.post(reverse("reports:submitted_pdf"), {"number": "1"})
    assert response.content == first.bureau_copy.read()
    assert client.post(reverse("reports:submitted_pdf"), {"number": "9"}).status_code == 404
    client.force_login(world.other_principal)  # their school has no such version
    assert client.post(reverse("reports:submitted_pdf"), {"number": "1"}).status_code == 404


def test_other_countys_bureau_and_other_schools_staff_cannot_reach_a_schools_submission(client, world):
    save(world, situation="甲")
    submit(world)
    elsewhere = StaffFactory(school=None, is_bureau=True, is_teacher=False)
    elsewhere.bureau_schools.set([SchoolFactory(county="辰溪县")])
    client.force_login(elsewhere.user)
    assert client.post(reverse("reports:county_school_pdf", args=[world.school.pk])).status_code == 404
    assert client.get(reverse("reports:county_return", args=[world.school.pk])).status_code == 404
    assert client.post(reverse("reports:county_return", args=[world.school.pk]), {"comment": "x"}).status_code == 404
    for user in (world.principal, world.other_principal, world.class_teacher):
        client.force_login(user)
        assert client.post(reverse("reports:county_school_pdf", args=[world.school.pk])).status_code == 403
        assert client.post(reverse("reports:county_submitted_zip")).status_code == 403
        assert client.post(reverse("reports:county_deadline"), {"due_on": "2027-01-15"}).status_code == 403
        assert client.get(reverse("reports:county_return", args=[world.school.pk])).status_code == 403
    assert status(world).state == SubmissionState.SUBMITTED


def test_deadline_form_rejects_a_non_date(client, world):
    client.force_login(world.bureau)
    client.post(reverse("reports:county_deadline"), {"due_on": "明天"})
    assert not submission_selectors.deadlines_for(counties=["溆浦县"], key=KEY)
