"""The 工作总结's way to the county bureau: the principal submits a frozen version (after a confirmation
step), the bureau sets the deadline, sends a version back with a comment, and downloads what was submitted,
one school's copy or all of them in one zip. Never the auto-draft: only frozen versions leave the school."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from caretrack.permissions import require_school_manager
from reports import selectors, services, submission_selectors
from reports.models import SubmissionState, TermReport
from reports.permissions import require_report_reviewer, require_report_submitter
from reports.submission_forms import DeadlineForm, ReturnForm, SubmitForm
from reports.views import _county_context, _download

PDF = "application/pdf"


def _term_page(term) -> str:
    return f"{reverse('reports:term_report')}?term={term.pk}"


def term_report_submit(request):
    """提交教育局: the confirmation (GET) and the submission (POST) of the saved 工作总结."""
    school = require_report_submitter(request.user)
    term = selectors.choose_term(selectors.school_terms(school), request.GET.get("term") or request.POST.get("term"))
    if term is None:
        messages.error(request, "本校还没有设置学期，无法提交工作总结。")
        return redirect("reports:dashboard")
    errors: list[str] = []
    form = SubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submit_term_report(
                school=school, term=term, version=form.cleaned_data["version"], acting_user=request.user
            )
        except ValidationError as error:
            errors = error.messages
        else:
            late = "（已过截止日期，标记为逾期提交）" if submission.late else ""
            messages.success(request, f"已提交教育局：第{submission.number}版{late}。之后的修改需要再次提交。")
            return redirect(_term_page(term))
    # The confirmation always carries the version saved now, so a refused (stale) submission can be retried.
    report = TermReport.objects.filter(school=school, term=term).first()
    form = SubmitForm(initial={"version": services.report_version(report) if report else ""})
    status = submission_selectors.school_submission_status(school=school, term=term)
    context = {"term": term, "form": form, "errors": errors, "report": report, "status": status}
    return render(request, "reports/submit.html", context)


@require_POST
def submitted_pdf(request):
    """The school's own download of a version it submitted: the very file the bureau gets."""
    school = require_school_manager(request.user)
    term = selectors.choose_term(selectors.school_terms(school), request.POST.get("term"))
    versions = submission_selectors.submissions_of(school=school, term=term) if term else []
    number = request.POST.get("number")
    submission = next((s for s in versions if str(s.number) == number), None) if number else None
    if submission is None:
        if number:
            raise Http404("没有找到这个提交版本。")
        messages.error(request, "本学期的工作总结还没有提交过。")
        return redirect(_term_page(term) if term else "reports:dashboard")
    data = services.export_submitted_copy(submission=submission, acting_user=request.user)
    return _download(data, _copy_name(submission), PDF)


def _copy_name(submission) -> str:
    return f"{submission.school.name}{submission.term}关爱留守儿童工作总结（教育局）第{submission.number}版.pdf"


def _county_page(key) -> str:
    return f"{reverse('reports:county')}?term={key.slug}" if key else reverse("reports:county")


@require_POST
def county_deadline(request):
    """The bureau sets (or moves) the deadline of the term's 工作总结 for its schools."""
    schools, _, key = _county_context(request)
    if key is None:
        raise Http404("所辖学校还没有设置学期。")
    form = DeadlineForm(request.POST)
    if form.is_valid():
        due_on = form.cleaned_data["due_on"]
        services.set_deadline(schools=schools, key=key, due_on=due_on, acting_user=request.user)
        messages.success(request, f"已设置{key.label}工作总结的提交截止日期：{due_on:%Y年%-m月%-d日}。")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(_county_page(key))


def county_return(request, school_id):
    """退回: the bureau sends the school's last submitted version back with a comment."""
    schools, _, key = _county_context(request)
    school = get_object_or_404(require_report_reviewer(request.user), pk=school_id)
    status = submission_selectors.submission_statuses(schools=[school], key=key)[school.pk] if key else None
    if status is None or not status.can_be_returned:
        messages.error(request, f"{school.name}没有可以退回的已提交工作总结。")
        return redirect(_county_page(key))
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_term_report(
                submission=status.latest, comment=form.cleaned_data["comment"], acting_user=request.user
            )
        except ValidationError as error:
            form.add_error("comment", error)
        else:
            messages.success(request, f"已退回{school.name}的工作总结（第{status.latest.number}版）。")
            return redirect(_county_page(key))
    return render(request, "reports/county_return.html", {"school": school, "key": key, "status": status, "form": form})


@require_POST
def county_submitted_zip(request):
    """下载全部已提交: every school's submitted (not returned) version of the term, one PDF each, in one zip."""
    schools, _, key = _county_context(request)
    statuses = submission_selectors.submission_statuses(schools=schools.order_by("name"), key=key) if key else {}
    submitted = [s.latest for s in statuses.values() if s.latest and s.state != SubmissionState.RETURNED]
    if not submitted:
        messages.error(request, "所辖学校本学期还没有提交工作总结。")
        return redirect(_county_page(key))
    data = services.export_submitted_zip(submissions=submitted, key=key, acting_user=request.user)
    return _download(data, f"县域工作总结（已提交）{key.label}.zip", "application/zip")
