"""工作总结 in the installation admin: read-only, since reports/services.py writes and audits them."""

from django.contrib import admin

from caretrack.admin import ReadOnlyAdmin, ReadOnlyInline
from reports.models import ReportCase, TermReport


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
