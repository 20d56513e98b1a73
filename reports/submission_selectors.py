"""Reads of the 工作总结 submission workflow: the one status rule that both the principal's page and the
bureau's county page show, the versions of a report and the bureau's deadlines. A fixed number of queries
whatever the number of schools (three for the statuses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from caretrack.models import School, Term
from reports.models import ReportDeadline, SubmissionState, TermReport, TermReportReturn, TermReportSubmission
from reports.selectors import TermKey


def report_version(updated_at) -> str:
    """The saved state of a TermReport as a string (its updated_at): the form's version and the submission's."""
    return updated_at.isoformat() if updated_at else ""


def term_key(term: Term) -> TermKey:
    return TermKey(term.start_year, term.semester)


@dataclass
class SubmissionStatus:
    """Where a school's 工作总结 of a county term stands: 未开始 (nothing saved), 草稿 (saved but not submitted,
    or edited after the last submission), 已提交 (the last version is the saved text), 已退回 (the bureau sent
    the last version back; it stays so until a new version is submitted)."""

    school: School
    state: SubmissionState
    latest: TermReportSubmission | None = None  # the last version submitted, returned or not
    deadline: ReportDeadline | None = None

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def return_note(self) -> TermReportReturn | None:
        return self.latest.return_note if self.state == SubmissionState.RETURNED else None

    @property
    def edited_since_submission(self) -> bool:
        return self.state == SubmissionState.DRAFT and self.latest is not None

    @property
    def can_be_returned(self) -> bool:
        """The bureau may send back the last version while nobody has sent it back yet."""
        return self.latest is not None and self.state != SubmissionState.RETURNED

    @property
    def due_on(self) -> date | None:
        return self.deadline.due_on if self.deadline else None

    @property
    def deadline_passed(self) -> bool:
        return self.deadline is not None and timezone.localdate() > self.deadline.due_on

    @property
    def next_number(self) -> int:
        return self.latest.number + 1 if self.latest else 1


def status_of(*, saved_version: str | None, latest: TermReportSubmission | None) -> SubmissionState:
    """The status rule. saved_version: the saved report's version, None when nothing was ever saved."""
    if latest is None:
        return SubmissionState.NOT_STARTED if saved_version is None else SubmissionState.DRAFT
    if hasattr(latest, "return_note"):
        return SubmissionState.RETURNED
    if saved_version is not None and saved_version != latest.report_version:
        return SubmissionState.DRAFT
    return SubmissionState.SUBMITTED


def latest_submissions(*, schools, key: TermKey) -> dict[int, TermReportSubmission]:
    """Each school's last submitted version of the term `key` (with its return, if any)."""
    in_term = TermReportSubmission.objects.filter(
        school__in=schools, term__start_year=key.start_year, term__semester=key.semester
    )
    last_number = (
        TermReportSubmission.objects.filter(school=OuterRef("school"), term=OuterRef("term"))
        .values("school")
        .annotate(last=Max("number"))
        .values("last")
    )
    rows = in_term.filter(number=Subquery(last_number)).select_related("return_note", "submitted_by", "term", "school")
    return {s.school_id: s for s in rows}


def deadlines_for(*, counties, key: TermKey) -> dict[str, ReportDeadline]:
    rows = ReportDeadline.objects.filter(county__in=set(counties), start_year=key.start_year, semester=key.semester)
    return {d.county: d for d in rows}


def submission_statuses(*, schools, key: TermKey) -> dict[int, SubmissionStatus]:
    """The status of each school's 工作总结 for the term `key`, keyed by school id."""
    schools = list(schools)
    saved = dict(
        TermReport.objects.filter(
            school__in=schools, term__start_year=key.start_year, term__semester=key.semester
        ).values_list("school_id", "updated_at")
    )
    latest = latest_submissions(schools=schools, key=key)
    deadlines = deadlines_for(counties=[s.county for s in schools], key=key)
    statuses = {}
    for school in schools:
        version = report_version(saved[school.pk]) if school.pk in saved else None
        last = latest.get(school.pk)
        statuses[school.pk] = SubmissionStatus(
            school=school,
            state=status_of(saved_version=version, latest=last),
            latest=last,
            deadline=deadlines.get(school.county),
        )
    return statuses


def school_submission_status(
    *,
    school: School,
    term: Term,
    report: TermReport | None = None,
    submissions: list[TermReportSubmission] | None = None,
) -> SubmissionStatus:
    """The school's status for the term. A page that has read the report (reports.services.report_for) and
    its submissions (submissions_of, newest first) passes them: only the deadline is read then."""
    if report is None or submissions is None:
        return submission_statuses(schools=[school], key=term_key(term))[school.pk]
    latest = submissions[0] if submissions else None
    saved_version = report_version(report.updated_at) if report.pk else None
    return SubmissionStatus(
        school=school,
        state=status_of(saved_version=saved_version, latest=latest),
        latest=latest,
        deadline=deadlines_for(counties=[school.county], key=term_key(term)).get(school.county),
    )


def submissions_of(*, school: School, term: Term) -> list[TermReportSubmission]:
    """The versions the school submitted for the term, newest first, each with its return if any."""
    return list(
        TermReportSubmission.objects.filter(school=school, term=term)
        .select_related("submitted_by", "return_note__returned_by")
        .order_by("-number")
    )


def county_deadline(*, schools, key: TermKey) -> date | None:
    """The deadline the bureau set for its schools' term (the earliest, if its counties differ)."""
    counties = set(schools.values_list("county", flat=True)) if hasattr(schools, "values_list") else set()
    days = [d.due_on for d in deadlines_for(counties=counties, key=key).values()]
    return min(days) if days else None
