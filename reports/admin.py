"""工作总结, their submitted versions, returns and deadlines in the installation admin: read-only, since
reports/services.py writes and audits them."""

from django.contrib import admin

from caretrack.admin import ReadOnlyAdmin, ReadOnlyInline
from reports.models import (
    FiguresSnapshot,
    ReportCase,
    ReportDeadline,
    TermReport,
    TermReportReturn,
    TermReportSubmission,
)


class ReportCaseInline(ReadOnlyInline):
    model = ReportCase


@admin.register(TermReport)
class TermReportAdmin(ReadOnlyAdmin):
    list_display = ["school", "term", "updated_at", "updated_by"]
    list_filter = ["school"]
    search_fields = ["school__name"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [ReportCaseInline]


@admin.register(ReportCase)
class ReportCaseAdmin(ReadOnlyAdmin):
    list_display = ["report", "child", "order"]
    list_filter = ["report__school"]
    search_fields = ["child__name", "report__school__name"]


@admin.register(TermReportSubmission)
class TermReportSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["school", "term", "number", "late", "submitted_at", "submitted_by"]
    list_filter = ["school", "late"]
    search_fields = ["school__name"]


@admin.register(TermReportReturn)
class TermReportReturnAdmin(ReadOnlyAdmin):
    list_display = ["submission", "returned_at", "returned_by"]
    search_fields = ["submission__school__name", "comment"]


@admin.register(ReportDeadline)
class ReportDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["county", "start_year", "semester", "due_on", "set_by", "set_at"]
    list_filter = ["county"]


@admin.register(FiguresSnapshot)
class FiguresSnapshotAdmin(ReadOnlyAdmin):
    """The figures engine's rows (reports.figures_store): derived, rewritten by every read that finds one
    out of date, so only looked at here."""

    list_display = ["school", "kind", "start", "end", "day", "version", "computed_at"]
    list_filter = ["kind", "school"]
    search_fields = ["school__name"]
