from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from guardians.models import FamilyAssessment, Grandparent, Guardian, Parent, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


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
