"""历年趋势 for the bureau (the county by school × term, a school's figures by grade) and 帮扶教师工作情况 for the
principal and the coordinator. Thin: authorize, call reports.trends / grade_figures / mentoring's per-mentor
selector, render."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from caretrack.permissions import require_bureau, require_school_manager
from caretrack.xlsx import CONTENT_TYPE as XLSX
from mentoring.selectors.per_mentor import BEHIND_BELOW, KIND_LABELS, KINDS, mentor_work, sort_mentor_work
from reports import exports, grade_figures, selectors, services, trends

# The terms 帮扶教师工作情况 shows beside the one asked for.
MENTOR_PAST_TERMS = 3


def county_trends(request):
    """The county's headline figures term by term, and one chosen figure school by school."""
    schools = require_bureau(request.user).order_by("name")
    figure = trends.FIGURES_BY_KEY.get(request.GET.get("figure") or "archive_rate")
    if figure is None:
        raise Http404("没有这个统计项目。")
    _, current = selectors.county_term_keys(schools)  # up to the current term: not a term yet to begin
    trend, by_school = trends.county_trend(schools=schools, until=current)
    keys = [p.key for p in trend.points]
    cells = [(school, [by_school[school.pk].get(k) for k in keys]) for school in schools]
    charts = {"trend": trends.chart_rows(trend), "figure": trends.chart_rows(trend, [figure.key])}
    context = {
        "trend": trend,
        "trend_rows": trends.table_rows(trend),
        "figure": figure,
        "figures": trends.FIGURES,
        "table": [(s, [v[figure.key] if v else None for v in values]) for s, values in cells],
        "charts": charts,
    }
    return render(request, "reports/county_trends.html", context)


def county_grades(request, school_id):
    """One of the bureau's schools by grade for a term: counts and rates, never a child."""
    schools = require_bureau(request.user)
    school = get_object_or_404(schools, pk=school_id)
    terms = selectors.school_terms(school)
    if request.GET.get("term"):
        key = selectors.TermKey.parse(request.GET["term"])
        term = next((t for t in terms if (t.start_year, t.semester) == (key.start_year, key.semester)), None)
        if term is None:
            raise Http404("该校没有这个学期。")
    else:
        term = selectors.choose_term(terms, None)
    context = {"school": school, "terms": [(t, selectors.TermKey(t.start_year, t.semester)) for t in terms]}
    if term is not None:
        rows, total = grade_figures.grade_rows(school=school, term=term, today=timezone.localdate())
        context.update(term=term, key=selectors.TermKey(term.start_year, term.semester), rows=rows, total=total)
    return render(request, "reports/county_grades.html", context)


def _mentor_work(request):
    school = require_school_manager(request.user)
    terms = selectors.school_terms(school)
    term = selectors.choose_term(terms, request.GET.get("term") or request.POST.get("term"))
    if term is None:
        return school, terms, None, [], []
    shown = sorted((t for t in terms if t.start_date <= term.start_date), key=lambda t: t.start_date)
    shown = shown[-(MENTOR_PAST_TERMS + 1) :]
    return school, terms, term, shown[:-1], mentor_work(school=school, terms=shown, today=timezone.localdate())


def mentor_work_page(request):
    """帮扶教师工作情况: each mentor's talks, visits and contacts done against due, this term and the ones before."""
    school, terms, term, past, rows = _mentor_work(request)
    sort = request.GET.get("sort", "completion")
    context = {"school": school, "terms": terms, "term": term, "sort": sort, "behind_below": BEHIND_BELOW}
    if term is not None:
        context.update(
            rows=sort_mentor_work(rows, sort),
            kinds=[(k, KIND_LABELS[k]) for k in KINDS],
            past_terms=past,
            behind=sum(1 for r in rows if r.current.behind),
        )
    return render(request, "reports/mentor_work.html", context)


@require_POST
def mentor_work_xlsx(request):
    school, _, term, past, rows = _mentor_work(request)
    if term is None:
        messages.error(request, "本校还没有设置学期，暂无统计数据。")
        return redirect("reports:mentor_work")
    content = services.export_mentor_work_xlsx(
        school=school, term=term, past=past, rows=sort_mentor_work(rows, "name"), acting_user=request.user
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = exports.content_disposition(f"{school.name}帮扶教师工作情况{term}.xlsx")
    return response
