from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from children.models import Child, ChildHardship, FamilyAssessment, Grandparent, Guardian, LeftBehindPeriod, Parent


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


@admin.register(Parent)
class ParentAdmin(SimpleHistoryAdmin):
    list_display = ["child", "role", "name", "away_status", "work_province", "work_city"]
    list_filter = ["role", "away_status", "work_province"]
    search_fields = ["child__name", "name"]
    list_select_related = ["child", "work_province", "work_city"]
    raw_id_fields = ["child"]
    autocomplete_fields = ["work_province", "work_city", "work_county"]


@admin.register(Grandparent)
class GrandparentAdmin(SimpleHistoryAdmin):
    list_display = ["child", "role", "name", "is_alive", "lives_with_child"]
    search_fields = ["child__name", "name"]
    raw_id_fields = ["child"]


@admin.register(Guardian)
class GuardianAdmin(SimpleHistoryAdmin):
    list_display = ["child", "name", "relation", "since", "until"]
    list_filter = ["relation"]
    search_fields = ["child__name", "name"]
    raw_id_fields = ["child"]


@admin.register(FamilyAssessment)
class FamilyAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["child", "guardianship_level", "assessed_on"]
    list_filter = ["guardianship_level"]
    search_fields = ["child__name"]
    raw_id_fields = ["child"]
