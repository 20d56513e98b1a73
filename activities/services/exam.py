"""学业: exams and a class's results from the one-page table."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from activities.models import Exam, ExamResult
from activities.selectors import RESULT_ROW_FIELDS
from activities.services.shared import TableSaved, _audit_table, _is_blank, _target, _value
from caretrack import audit
from caretrack.models import AuditAction, School


@transaction.atomic
def create_exam(*, school: School, data: dict, acting_user) -> Exam:
    """An exam of one of the school's terms, dated within it; audited. The same exam twice is refused."""
    exam = Exam(school=school, created_by=acting_user, **data)
    exam.full_clean(exclude=["school", "created_by"], validate_unique=False)
    if exam.term.school_id != school.pk:
        raise ValidationError({"term": "请选择本校的学期。"})
    if not exam.term.contains(exam.date):
        raise ValidationError({"date": f"考试日期不在{exam.term}（{exam.term.start_date}—{exam.term.end_date}）内。"})
    if Exam.objects.filter(school=school, name=exam.name, date=exam.date).exists():
        raise ValidationError(f"{exam.date:%Y-%m-%d} 的“{exam.name}”已经登记过了。", code="duplicate")
    exam.save()
    audit.record(
        user=acting_user,
        action=AuditAction.CREATE,
        target=_target(exam),
        school=school,
        name=exam.name,
        date=f"{exam.date:%Y-%m-%d}",
    )
    return exam


@transaction.atomic
def record_exam_results(*, exam: Exam, rows: list[dict], acting_user) -> TableSaved:
    """Save one class's results of an exam from the one-page table: blank rows skipped, existing results
    updated (a second submission changes nothing). Audited like the health-check table."""
    existing = {r.child_id: r for r in ExamResult.objects.filter(exam=exam, child__in=[r["child"] for r in rows])}
    created, updated, skipped = [], [], 0
    for row in rows:
        if _is_blank(row, ["total_score", "class_rank"]):
            skipped += 1
            continue
        result = existing.get(row["child"].pk)
        if result is None:
            result = ExamResult(exam=exam, child=row["child"])
            for name in RESULT_ROW_FIELDS:
                setattr(result, name, _value(row, name, result))
            result.full_clean(validate_unique=False)
            created.append(result)
        else:
            changed = [n for n in RESULT_ROW_FIELDS if getattr(result, n) != _value(row, n, result)]
            for name in changed:
                setattr(result, name, _value(row, name, result))
            result.full_clean(validate_unique=False)
            if changed:
                result.save(update_fields=changed)
                updated.append(result)
    try:
        ExamResult.objects.bulk_create(created)
    except IntegrityError:
        raise ValidationError("成绩已被其他人同时录入，请刷新页面后再试。", code="conflict") from None
    _audit_table(acting_user, ExamResult, _target(exam), created, updated, exam=exam.pk)
    return TableSaved(len(created), len(updated), skipped)
