from django.contrib import admin

from reports.models import ReportCase, TermReport


class ReportCaseInline(admin.TabularInline):
    model = ReportCase
    extra = 0
    raw_id_fields = ["child"]


@admin.register(TermReport)
class TermReportAdmin(admin.ModelAdmin):
    list_display = ["school", "term", "updated_at", "updated_by"]
    list_filter = ["school"]
    search_fields = ["school__name"]
    readonly_fields = ["updated_at", "updated_by"]
    inlines = [ReportCaseInline]


@admin.register(ReportCase)
class ReportCaseAdmin(admin.ModelAdmin):
    list_display = ["report", "child", "order"]
    list_filter = ["report__school"]
    search_fields = ["child__name", "report__school__name"]
    raw_id_fields = ["report", "child"]
