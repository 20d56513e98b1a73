from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from children.models import Child, ChildHardship, LeftBehindPeriod


class HardshipInline(admin.TabularInline):
    model = ChildHardship
    extra = 0


class PeriodInline(admin.TabularInline):
    model = LeftBehindPeriod
    extra = 0
    readonly_fields = ["kind", "start_date", "end_date", "reason"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
    list_display = ["name", "gender", "school", "school_class", "left_behind_type", "status"]
    list_filter = ["school", "left_behind_type", "status", "school_class__grade"]
    search_fields = ["name", "name_initials", "student_number"]
    list_select_related = ["school", "school_class"]
    readonly_fields = ["left_behind_type", "name_initials", "created_at", "updated_at", "created_by"]
    inlines = [HardshipInline, PeriodInline]


@admin.register(LeftBehindPeriod)
class LeftBehindPeriodAdmin(admin.ModelAdmin):
    list_display = ["child", "kind", "start_date", "end_date", "reason"]
    list_filter = ["kind", "child__school"]
    search_fields = ["child__name"]
    list_select_related = ["child"]


@admin.register(ChildHardship)
class ChildHardshipAdmin(admin.ModelAdmin):
    list_display = ["child", "kind"]
    list_filter = ["kind", "child__school"]
    search_fields = ["child__name"]
    list_select_related = ["child"]
