"""学业: exams, their results entered a class at a time, and how many children improved."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from activities import selectors, services
from activities.filters import ExamFilter
from activities.forms import ExamForm, ExamResultRowForm, row_formset
from activities.models import Exam
from activities.permissions import can_record_exams, get_exam_for_user, require_exam_recorder
from activities.views.shared import (
    TABLE_INVALID,
    all_rows_valid,
    class_from_query,
    filtered,
    row_values,
    simple_form,
    table_saved,
)
from caretrack.models import Term
from caretrack.permissions import require_staff
from children.permissions import children_visible_to


def _compared_pair(request, exams: list):
    """The two exams compared: those picked with ?first= and ?second=, else the first and the last."""
    by_pk = {str(e.pk): e for e in exams}
    first = by_pk.get(request.GET.get("first")) or (exams[0] if len(exams) >= 2 else None)
    second = by_pk.get(request.GET.get("second")) or (exams[-1] if len(exams) >= 2 else None)
    return first, second


def exam_list(request):
    school = require_staff(request.user)
    exam_filter = filtered(request, ExamFilter, Exam.objects.filter(school=school), school)
    first, second = _compared_pair(request, list(exam_filter.qs.order_by("date", "pk")))
    improvement = None
    if first and second and first != second:
        improvement = selectors.improvement_between(
            first=first, second=second, children=children_visible_to(request.user), with_rows=True
        )
    return render(
        request,
        "activities/exam_list.html",
        {
            "filter": exam_filter,
            "exams": selectors.exam_rows(exam_filter.qs),
            "first": first,
            "second": second,
            "improvement": improvement,
            "can_record": can_record_exams(request.user),
        },
    )


def exam_create(request):
    school = require_exam_recorder(request.user)
    form = ExamForm(request.POST or None, terms=Term.objects.filter(school=school))
    if request.method == "POST" and form.is_valid():
        try:
            exam = services.create_exam(school=school, data=form.exam_data(), acting_user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"已登记考试“{exam.name}”，请按班级录入成绩。")
            return redirect("activities:exam_results", pk=exam.pk)
    return simple_form(request, form, "登记考试", "activities:exams")


def exam_results(request, pk):
    """One class's results of an exam on one page."""
    exam = get_exam_for_user(request.user, pk, write=True)
    classes, school_class = class_from_query(request)
    rows = []
    if school_class is not None:
        children = selectors.class_table_children(school_class)
        entered = selectors.exam_results_entered(exam=exam, children=children)
        rows = row_formset(
            ExamResultRowForm, children, request.POST or None, initial_by_child=entered, full_score=exam.full_score
        )
        if request.method == "POST" and all_rows_valid(rows):
            try:
                saved = services.record_exam_results(exam=exam, rows=row_values(rows), acting_user=request.user)
            except ValidationError as error:
                messages.error(request, "；".join(error.messages))
            else:
                messages.success(request, table_saved(school_class, saved))
                return redirect(f"{request.path}?school_class={school_class.pk}")
        elif request.method == "POST":
            messages.error(request, TABLE_INVALID)
    context = {"exam": exam, "classes": classes, "school_class": school_class, "rows": rows}
    return render(request, "activities/exam_results.html", context)
