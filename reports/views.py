from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from caretrack.permissions import require_bureau, require_school_manager
from caretrack.selectors import term_notice
from reports import exports, selectors, services, submission_selectors, trends
from reports.forms import TermReportForms
from reports.permissions import can_submit_term_report
from reports.presentation import dashboard_charts, dashboard_links, dashboard_tables, dashboard_tiles
from reports.submission_forms import DeadlineForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _school_term(request):
    school = require_school_manager(request.user)
    terms = selectors.school_terms(school)
    term = selectors.choose_term(terms, request.GET.get("term") or request.POST.get("term"))
    return school, terms, term


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = exports.content_disposition(filename)
    return response


def dashboard(request):
    """The principal's and coordinator's figures for a term (the current one by default)."""
    school, terms, term = _school_term(request)
    notice = term_notice(school, timezone.localdate(), terms)
    context = {"school": school, "terms": terms, "term": term, "term_notice": notice}
    if term is not None:
        figures = selectors.school_term_figures(school, term)
        links = dashboard_links(figures, term.pk)
        trend = trends.school_trend(school=school, until=term, current=figures)  # 历年趋势, 与上学期相比
        context.update(
            figures=figures,
            links=links,
            tiles=trends.tiles_with_changes(dashboard_tiles(figures, links), trend),
            tables=dashboard_tables(figures, links),
            charts={**dashboard_charts(figures), "trend": trends.chart_rows(trend)},
            trend=trend,
            trend_rows=trends.table_rows(trend),
        )
    return render(request, "reports/dashboard.html", context)


def term_report(request):
    """Edit the narrative of the 工作总结 (drafts written from the figures) and pick cases and photos."""
    school, terms, term = _school_term(request)
    if term is None:
        messages.error(request, "本校还没有设置学期，无法生成工作总结。")
        return redirect("reports:dashboard")
    figures = selectors.school_term_figures(school, term)
    report = services.report_for(school=school, term=term)
    forms = TermReportForms(request.POST or None, report=report, figures=figures)
    if request.method == "POST" and forms.is_valid():
        try:
            services.save_term_report(report=report, data=forms.report_data(), acting_user=request.user)
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            messages.success(request, "工作总结已保存。")
            return redirect(f"{request.path}?term={term.pk}")
    context = {"school": school, "terms": terms, "term": term, "forms": forms}
    submissions = submission_selectors.submissions_of(school=school, term=term)
    context.update(  # its way to the bureau (reports.submission_views)
        submission=submission_selectors.school_submission_status(
            school=school, term=term, report=report, submissions=submissions
        ),
        submissions=submissions,
        can_submit=can_submit_term_report(request.user, school),
    )
    return render(request, "reports/term_report.html", context)


def _term_report_download(request, *, bureau_copy: bool):
    school, terms, term = _school_term(request)
    if term is None:
        messages.error(request, "本校还没有设置学期，无法生成工作总结。")
        return redirect("reports:dashboard")
    version = None
    if not bureau_copy and "r-version" in request.POST:  # 保存并导出 from the edit page: what is on the page
        report = services.report_for(school=school, term=term)
        forms = TermReportForms(request.POST, report=report, figures=selectors.school_term_figures(school, term))
        version = _save_before_export(request, forms, report)
        if version is None:
            context = {"school": school, "terms": terms, "term": term, "forms": forms}
            return render(request, "reports/term_report.html", context)
    pdf = services.export_term_report_pdf(school=school, term=term, acting_user=request.user, bureau_copy=bureau_copy)
    suffix = "（教育局）" if bureau_copy else ""
    response = _download(pdf, f"{school.name}{term}关爱留守儿童工作总结{suffix}.pdf", "application/pdf")
    if version is not None:
        response["X-Report-Version"] = version  # the page's form follows the save (term_report.js)
    return response


def _save_before_export(request, forms: TermReportForms, report) -> str | None:
    """Save the edited text (through the service, audited) so the PDF prints what the principal sees. The
    saved version, or None when the edits could not be saved (the page shows why; nothing is exported)."""
    if not forms.is_valid():
        forms.extra_errors.insert(0, "您修改的内容有误，尚未保存，也没有导出，请修改后再导出。")
        return None
    data = forms.report_data()
    if not report.pk and data.is_empty:
        return ""  # only drafts: nothing to save
    try:
        saved = services.save_term_report(report=report, data=data, acting_user=request.user)
    except ValidationError as error:
        forms.extra_errors.append("您修改了内容但尚未保存，也没有导出：")
        forms.add_service_error(error)
        return None
    return services.report_version(saved)


@require_POST
def term_report_pdf(request):
    return _term_report_download(request, bureau_copy=False)


@never_cache  # it quotes the narrative's names and numbers: no shared cache may keep it
def bureau_copy(request):
    """The bureau copy before it is downloaded: each name, address and number it replaces, and with what."""
    school, terms, term = _school_term(request)
    if term is None:
        messages.error(request, "本校还没有设置学期，无法生成工作总结。")
        return redirect("reports:dashboard")
    replacements = services.bureau_copy_replacements(school=school, term=term)
    return render(
        request, "reports/bureau_copy.html", {"school": school, "terms": terms, "term": term, "rows": replacements}
    )


@require_POST
def bureau_copy_pdf(request):
    """The principal's or coordinator's download of the copy the bureau gets (audited as the bureau copy)."""
    return _term_report_download(request, bureau_copy=True)


def _county_context(request):
    schools = require_bureau(request.user)
    keys, default = selectors.county_term_keys(schools)
    key = selectors.TermKey.parse(request.GET["term"]) if request.GET.get("term") else default
    return schools, keys, key


def county(request):
    """The county bureau's overview: one row per school, aggregates only, never a child."""
    schools, keys, key = _county_context(request)
    sort = request.GET.get("sort", "name")
    rows = selectors.county_rows(schools=schools, key=key, sort=sort) if key else []
    context = {"keys": keys, "key": key, "rows": rows, "totals": selectors.county_totals(rows), "sort": sort}
    if key is not None:  # the 工作总结 submission of each school (reports.submission_selectors)
        statuses = submission_selectors.submission_statuses(schools=[r.school for r in rows], key=key)
        context.update(
            statuses=[statuses[r.school.pk] for r in rows],
            deadline=submission_selectors.county_deadline(schools=schools, key=key),
            deadline_form=DeadlineForm(),
        )
    return render(request, "reports/county.html", context)


@require_POST
def county_xlsx(request):
    schools, _, key = _county_context(request)
    if key is None:
        messages.error(request, "所辖学校还没有设置学期。")
        return redirect("reports:county")
    content = services.export_county_xlsx(schools=schools, key=key, acting_user=request.user)
    return _download(content, f"县域关爱留守儿童工作统计{key.label}.xlsx", XLSX)


@require_POST
def county_school_pdf(request, school_id):
    """The bureau copy of the version the school submitted last (names by surname only, no ID numbers, phones
    or addresses), exactly as submitted: never the auto-draft, never edits made after the submission."""
    schools, _, key = _county_context(request)
    school = get_object_or_404(schools, pk=school_id)
    if key is None:
        raise Http404("所辖学校还没有设置学期。")
    submission = submission_selectors.latest_submissions(schools=[school], key=key).get(school.pk)
    if submission is None:
        messages.error(request, f"{school.name}还没有提交{key.label}的工作总结，暂无可下载的文件。")
        return redirect(f"{reverse('reports:county')}?term={key.slug}")
    pdf = services.export_submitted_copy(submission=submission, acting_user=request.user)
    name = f"{school.name}{submission.term}关爱留守儿童工作总结（教育局）第{submission.number}版.pdf"
    return _download(pdf, name, "application/pdf")
