"""Operations of the reports app: saving the edited 工作总结 and exporting PDFs and Excel files, each
export written to the audit log in the same transaction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from caretrack import audit
from caretrack.models import AuditAction, School, Term
from reports import exports, pdf, privacy, selectors
from reports.drafts import SECTIONS, draft_sections, opening
from reports.models import ReportCase, TermReport
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
    report = TermReport.objects.filter(school=school, term=term).prefetch_related("cases__child__school_class").first()
    return report or TermReport(school=school, term=term)


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
