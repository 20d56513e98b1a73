"""Operations of the reports app: saving the edited 工作总结, submitting it to the county bureau (and the
bureau returning it, setting the deadline), and exporting PDFs, zips and Excel files, each written to the
audit log in the same transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Model, Prefetch
from django.urls import reverse
from django.utils import timezone

from caretrack import audit
from caretrack.models import AuditAction, School, Term
from caretrack.notifications import Message, send
from caretrack.permissions import is_bureau
from caretrack.selectors import active_staff
from reports import exports, pdf, privacy, selectors, submission_selectors
from reports.drafts import SECTIONS, draft_sections, opening
from reports.mentor_exports import mentor_work_workbook
from reports.models import ReportCase, ReportDeadline, TermReport, TermReportReturn, TermReportSubmission
from reports.permissions import can_review_term_report, can_submit_term_report
from reports.privacy_selectors import school_knowledge

MAX_CASES = 5
MAX_PHOTOS = 6


@dataclass
class ReportData:
    """Cleaned input of the term report form."""

    sections: dict[str, str]
    show_full_names: bool = False
    cases: list[tuple[object, str]] = field(default_factory=list)  # (child, story)
    photos: list[dict] = field(default_factory=list)  # {"id": ..., "caption": ...}
    version: str = ""  # updated_at as the form saw it, to refuse overwriting a colleague's edit

    @property
    def is_empty(self) -> bool:
        """Nothing beyond the drafts: no edited section, no case, no photo, no opt-in."""
        return not (any(v.strip() for v in self.sections.values()) or self.cases or self.photos or self.show_full_names)


def report_for(*, school: School, term: Term) -> TermReport:
    """The saved report of the school and term, or a new unsaved one (a GET writes nothing)."""
    cases = Prefetch("cases", queryset=ReportCase.objects.select_related("child__school_class"))
    report = TermReport.objects.filter(school=school, term=term).prefetch_related(cases).first()
    if report is None:
        return TermReport(school=school, term=term)
    report.school, report.term = school, term  # the objects the caller has: not read again
    return report


def report_version(report: TermReport) -> str:
    return report.updated_at.isoformat() if report.pk and report.updated_at else ""


@transaction.atomic
def save_term_report(*, report: TermReport, data: ReportData, acting_user) -> TermReport:
    """Save the sections, the case choice and the photo choice together, with an audit row. Refuses
    (ValidationError) when someone else saved the report after the form was opened, so nobody overwrites
    a colleague's edit. Writes nothing (and records nothing) when the data is what is saved already."""
    created = not report.pk
    if report.pk:
        current = TermReport.objects.select_for_update().get(pk=report.pk)
        if _same_content(current, data):
            return current  # unchanged, or the same form sent twice (a double click): already saved
        if report_version(current) != data.version:
            raise ValidationError("这份工作总结已被其他人修改，请刷新页面后再编辑。", code="stale")
        report = current
    if len(data.cases) > MAX_CASES:
        raise ValidationError(f"典型案例最多选 {MAX_CASES} 个。")
    if len(data.photos) > MAX_PHOTOS:
        raise ValidationError(f"照片最多选 {MAX_PHOTOS} 张。")
    for key, _ in SECTIONS:
        setattr(report, key, data.sections.get(key, "").strip())
    report.show_full_names = data.show_full_names
    report.photos = data.photos
    report.updated_by = acting_user
    report.full_clean()
    if report.pk:
        report.save(update_fields=[k for k, _ in SECTIONS] + ["show_full_names", "photos", "updated_by", "updated_at"])
    else:
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:  # a colleague saved the first version of this report a moment ago
            raise ValidationError("这份工作总结已被其他人修改，请刷新页面后再编辑。", code="stale") from None
    report.cases.all().delete()
    cases = [
        ReportCase(report=report, child=child, story=story, order=i) for i, (child, story) in enumerate(data.cases)
    ]
    for case in cases:
        case.full_clean(exclude=["report"])
    ReportCase.objects.bulk_create(cases)
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        target=f"{report.school.name} {report.term} 工作总结（{report.pk}）",
        school=report.school,
        kind="term_report",
        cases=len(cases),
    )
    return report


def _same_content(report: TermReport, data: ReportData) -> bool:
    sections_equal = all(getattr(report, key) == data.sections.get(key, "").strip() for key, _ in SECTIONS)
    cases = [(c.child_id, c.story) for c in report.cases.order_by("order", "pk")]
    return (
        sections_equal
        and report.show_full_names == data.show_full_names
        and report.photos == data.photos
        and cases == [(child.pk, story) for child, story in data.cases]
    )


def report_content(*, school: School, term: Term, bureau_copy: bool) -> pdf.ReportContent:
    """Everything the PDF shows: the figures, the edited text (drafts for blank sections), the cases and photos.

    For the bureau copy every piece of free text that reaches the PDF (sections, case stories, photo captions,
    activity titles, the leading group's titles and duties) goes through reports.privacy.scrub with what the
    school knows, each case is titled 王同学, and the replacements made are returned with the content (the
    preview lists them). The leading group's names stay: staff, not children or families."""
    figures = selectors.school_term_figures(school, term)
    group = selectors.leading_group(school)
    report = report_for(school=school, term=term)
    drafts = draft_sections(figures, term, group)
    known = school_knowledge(school) if bureau_copy else None
    replacements: list[privacy.Replacement] = []

    def clean(text: str) -> str:
        if known is None:
            return text
        result = privacy.scrub(text, known)
        replacements.extend(result.replacements)
        return result.text

    sections = [(title, clean(getattr(report, key) or drafts[key])) for key, title in SECTIONS]
    rows = [
        pdf.GroupRow(m.get_position_display(), m.user.get_full_name() or m.user.username, clean(m.title),
                     clean(m.responsibility))
        for m in group
    ]  # fmt: skip
    full_names = report.show_full_names and not bureau_copy
    cases = []
    for case in report.cases.all() if report.pk else []:
        name = case_name(case.child, full=full_names)
        if bureau_copy:
            replacements.append(privacy.Replacement(case.child.name, name, privacy.Kind.CHILD_NAME))
        cases.append((name, clean(case.story)))
    photos = [
        dataclasses.replace(photo, caption=clean(photo.caption))
        for photo in selectors.report_photos(school=school, term=term, chosen=report.photos)
    ]
    if bureau_copy:
        activities = figures.activities
        titles = [(day, clean(title), label) for day, title, label in activities.activity_list]
        figures = dataclasses.replace(figures, activities=dataclasses.replace(activities, activity_list=titles))
    return pdf.ReportContent(
        school=school,
        term=term,
        figures=figures,
        sections=sections,
        opening=clean(opening(figures, school, term)),
        leading_group=rows,
        cases=cases,
        photos=photos,
        bureau_copy=bureau_copy,
        replacements=replacements,
    )


def case_name(child, *, full: bool) -> str:
    """A child in a case: 王同学 unless the principal opted in to full names."""
    return child.name if full else privacy.child_alias(child.name)


def bureau_copy_replacements(*, school: School, term: Term) -> list[tuple[privacy.Replacement, int]]:
    """What the bureau copy replaces (each distinct replacement once, with its count), for the preview: the
    same call as the PDF, so the preview cannot promise what the file does not do."""
    return privacy.summarize(report_content(school=school, term=term, bureau_copy=True).replacements)


def export_term_report_pdf(*, school: School, term: Term, acting_user, bureau_copy: bool) -> bytes:
    """The 工作总结 PDF; the export is recorded (who, when, school, term, which copy)."""
    content = report_content(school=school, term=term, bureau_copy=bureau_copy)
    data = pdf.build_term_report(content)
    with transaction.atomic():
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=f"{school.name} {term} 工作总结{'（教育局）' if bureau_copy else ''}PDF",
            school=school,
            kind="term_report_pdf",
            term_id=term.pk,
            term=str(term),
            bureau_copy=bureau_copy,
            full_identifiers=False,  # the PDF never carries ID numbers or phones
            **({"copy": "教育局版（已隐去姓名、证件号、电话和住址）", "replacements": len(content.replacements)}
               if bureau_copy else {}),
        )  # fmt: skip
    return data


def export_county_xlsx(*, schools, key: selectors.TermKey, acting_user) -> bytes:
    """The county overview as an Excel file; one audit row per export, naming the schools."""
    rows = selectors.county_rows(schools=schools, key=key, sort="name")
    data = exports.county_workbook(rows=rows, totals=selectors.county_totals(rows), key=key)
    with transaction.atomic():
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=f"县域概览 {key.label} Excel",
            kind="county_xlsx",
            term=key.slug,
            schools=[r.school.pk for r in rows],
            full_identifiers=False,  # aggregate figures only
        )
    return data


# --- Submission to the county bureau ---------------------------------------------------------------

NOT_SAVED_MESSAGE = "这份工作总结还没有保存过，页面上的文字只是系统生成的草稿。请您先修改并点“保存”，再提交教育局。"
STALE_SUBMIT_MESSAGE = "这份工作总结在您打开后又被修改过，请刷新页面，确认内容后再提交。"


@transaction.atomic
def submit_term_report(*, school: School, term: Term, version: str, acting_user) -> TermReportSubmission:
    """Freeze the saved 工作总结 as the next version for the bureau: the text of every section (drafts for
    blank ones, as the PDF prints them), the figures, and the bureau copy PDF, stored as a file. Only the
    school's principal may submit; a report never saved (auto-drafted text only) is refused, and so is a
    report saved again since the page showed `version`. Submitting after the bureau's deadline is allowed and
    marks the version 逾期提交. Submitting the same saved text twice (a double click) returns the version
    already made. The audit row is written in the same transaction."""
    if not can_submit_term_report(acting_user, school):
        raise PermissionDenied("只有校长可以把工作总结提交教育局。")
    report = TermReport.objects.select_for_update().filter(school=school, term=term).first()
    if report is None:
        raise ValidationError(NOT_SAVED_MESSAGE, code="not_saved")
    if report_version(report) != version:
        raise ValidationError(STALE_SUBMIT_MESSAGE, code="stale")
    key = submission_selectors.term_key(term)
    last = submission_selectors.latest_submissions(schools=[school], key=key).get(school.pk)
    if last is not None and last.report_version == version and not hasattr(last, "return_note"):
        return last  # this saved text is submitted already
    content = report_content(school=school, term=term, bureau_copy=False)
    now = timezone.now()
    copy = report_content(school=school, term=term, bureau_copy=True)
    copy.made_on = timezone.localdate(now)
    data = pdf.build_term_report(copy)
    deadline = submission_selectors.deadlines_for(counties=[school.county], key=key).get(school.county)
    submission = TermReportSubmission(
        school=school,
        term=term,
        number=(last.number + 1) if last else 1,
        sections=[
            {"key": key_, "title": title, "text": text}
            for (key_, _), (title, text) in zip(SECTIONS, content.sections, strict=True)
        ],
        figures=frozen_figures(content.figures),
        bureau_copy_sha256=hashlib.sha256(data).hexdigest(),
        report_version=version,
        late=deadline is not None and timezone.localdate(now) > deadline.due_on,
        submitted_at=now,
        submitted_by=acting_user,
    )
    submission.bureau_copy.save(f"{school.pk}-{term.pk}-v{submission.number}.pdf", ContentFile(data), save=False)
    submission.full_clean()
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:  # a second tab submitted the same version number a moment ago
        submission.bureau_copy.delete(save=False)
        raise ValidationError(STALE_SUBMIT_MESSAGE, code="stale") from None
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=f"{school.name} {term} 工作总结 第{submission.number}版 提交教育局",
        school=school,
        kind="term_report_submission",
        term_id=term.pk,
        number=submission.number,
        late=submission.late,
        sha256=submission.bureau_copy_sha256,
    )
    return submission


def frozen_figures(figures) -> dict:
    """The figures as JSON: dataclasses as objects, dates as ISO text, amounts as text, and any database row
    (the school, an exam) by its model and id only, so no name is frozen alongside them."""

    def convert(value):
        if isinstance(value, Model):
            return {"model": value._meta.label, "pk": value.pk}
        if dataclasses.is_dataclass(value):
            return {f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value

    result = convert(figures)
    result.update(enrolled=figures.enrolled, left_behind_ratio=figures.left_behind_ratio)
    return result


@transaction.atomic
def return_term_report(*, submission: TermReportSubmission, comment: str, acting_user) -> TermReportReturn:
    """Send a submitted version back to the school with the bureau's comment (required). Only a bureau user
    whose schools include the school may; a version is sent back once, and only the school's last one."""
    if not can_review_term_report(acting_user, submission.school):
        raise PermissionDenied("只有县教育局用户可以退回工作总结。")
    comment = comment.strip()
    if not comment:
        raise ValidationError("请填写退回意见，告诉学校需要修改什么。", code="required")
    submission = TermReportSubmission.objects.select_for_update().get(pk=submission.pk)
    newer = TermReportSubmission.objects.filter(
        school=submission.school, term=submission.term, number__gt=submission.number
    )
    if hasattr(submission, "return_note") or newer.exists():
        raise ValidationError("这一版已经退回或已有新版本，请刷新页面。", code="stale")
    note = TermReportReturn(submission=submission, comment=comment, returned_by=acting_user)
    note.full_clean()
    note.save()
    _tell_school_of_return(note)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"{submission.school.name} {submission.term} 工作总结 第{submission.number}版 退回",
        school=submission.school,
        kind="term_report_return",
        number=submission.number,
    )
    return note


def _tell_school_of_return(note: TermReportReturn) -> None:
    """The principal and the coordinators hear of a return at once (the comment names no child: the bureau
    never sees one)."""
    submission = note.submission
    staff = active_staff(submission.school)
    managers = staff.filter(is_principal=True) | staff.filter(is_coordinator=True)
    send(
        Message(
            key=f"term-report-return:{note.pk}",
            recipients=tuple(User.objects.filter(profile__in=managers).order_by("pk")),
            title=f"教育局退回了{submission.term}工作总结（第{submission.number}版）",
            body=f"退回意见：{note.comment}\n请您修改后重新提交。",
            link=f"{reverse('reports:term_report')}?term={submission.term_id}",
        )
    )


@transaction.atomic
def set_deadline(*, schools, key: selectors.TermKey, due_on: date, acting_user) -> list[ReportDeadline]:
    """The bureau's deadline for the term's 工作总结, for each county its schools are in."""
    if not is_bureau(acting_user):
        raise PermissionDenied("只有县教育局用户可以设置截止日期。")
    counties = sorted(set(schools.values_list("county", flat=True)))
    deadlines = []
    for county in counties:
        deadline, _ = ReportDeadline.objects.update_or_create(
            county=county,
            start_year=key.start_year,
            semester=key.semester,
            defaults={"due_on": due_on, "set_by": acting_user, "set_at": timezone.now()},
        )
        deadlines.append(deadline)
    audit.record(
        user=acting_user,
        action=AuditAction.CHANGE,
        target=f"工作总结截止日期 {key.label} {due_on.isoformat()}",
        kind="term_report_deadline",
        term=key.slug,
        counties=counties,
        due_on=due_on.isoformat(),
    )
    return deadlines


def export_submitted_copy(*, submission: TermReportSubmission, acting_user) -> bytes:
    """The frozen bureau copy of one submitted version, as it was submitted; the download is recorded."""
    data = _read_copy(submission)
    with transaction.atomic():
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=f"{submission.school.name} {submission.term} 工作总结 第{submission.number}版（教育局）PDF",
            school=submission.school,
            kind="term_report_submission_pdf",
            number=submission.number,
            bureau_copy=True,
            full_identifiers=False,
        )
    return data


def export_submitted_zip(*, submissions: list[TermReportSubmission], key: selectors.TermKey, acting_user) -> bytes:
    """One zip of the submitted bureau copies (one PDF per school, named by school); one audit row naming
    the schools and versions."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for s in submissions:
            archive.writestr(f"{s.school.name}_{key.label}_工作总结_第{s.number}版.pdf", _read_copy(s))
    with transaction.atomic():
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=f"已提交工作总结 {key.label} 压缩包（{len(submissions)} 所学校）",
            kind="term_report_submissions_zip",
            term=key.slug,
            schools=[s.school_id for s in submissions],
            versions={str(s.school_id): s.number for s in submissions},
            bureau_copy=True,
            full_identifiers=False,
        )
    return buffer.getvalue()


def _read_copy(submission: TermReportSubmission) -> bytes:
    with submission.bureau_copy.open("rb") as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != submission.bureau_copy_sha256:
        raise ValueError(f"提交版本 {submission.pk} 的 PDF 与提交时不一致")  # fail loudly, never serve it
    return data


# --- 帮扶教师工作情况 (reports.trend_views) -----------------------------------------------------------


def export_mentor_work_xlsx(*, school: School, term: Term, past: list[Term], rows, acting_user) -> bytes:
    """帮扶教师工作情况 as an Excel file (mentors' figures, no child named); one audit row per export."""
    data = mentor_work_workbook(school=school, term=term, past=past, rows=rows)
    with transaction.atomic():
        audit.record(
            user=acting_user,
            action=AuditAction.EXPORT,
            target=f"帮扶教师工作情况 {term} Excel",
            school=school,
            kind="mentor_work_xlsx",
            term=term.pk,
            full_identifiers=False,  # staff names and counts only
        )
    return data
