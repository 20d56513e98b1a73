"""The archive in the installation admin: read-only, identifiers masked (caretrack.admin.ReadOnlyAdmin).
Archives are created, changed and deleted through children/services/, which audits and keeps history;
simple_history's admin is not used because its history pages show and revert unmasked versions."""

from django.contrib import admin

from caretrack.admin import ReadOnlyAdmin, ReadOnlyInline
from children.models import (
    Child,
    ChildHardship,
    FamilyAssessment,
    Grandparent,
    Guardian,
    LeftBehindPeriod,
    Parent,
    PromotionRun,
    TransferRequest,
    UnsupportedPeriod,
)


class HardshipInline(ReadOnlyInline):
    model = ChildHardship


class PeriodInline(ReadOnlyInline):
    model = LeftBehindPeriod
    fields = ["kind", "start_date", "end_date", "reason", "end_reason"]


@admin.register(Child)
class ChildAdmin(ReadOnlyAdmin):
    # The change page shows the ID number masked only, so opening it writes no VIEW_CHILD audit row.
    list_display = ["name", "gender", "school", "school_class", "left_behind_type", "status"]
    list_filter = ["school", "left_behind_type", "status", "school_class__grade"]
    search_fields = ["name", "name_initials", "student_number"]
    list_select_related = ["school", "school_class"]
    exclude = ["id_number"]
    readonly_fields = ["masked_id_number", "left_behind_type", "name_initials", "created_at", "updated_at"]
    inlines = [HardshipInline, PeriodInline]


@admin.register(LeftBehindPeriod)
class LeftBehindPeriodAdmin(ReadOnlyAdmin):
    list_display = ["child", "kind", "start_date", "end_date", "reason", "end_reason"]
    list_filter = ["kind", "child__school"]
    search_fields = ["child__name"]
    list_select_related = ["child"]


@admin.register(ChildHardship)
class ChildHardshipAdmin(ReadOnlyAdmin):
    list_display = ["child", "kind", "evidence", "evidenced_on", "start_date", "end_date"]
    list_filter = ["kind", "child__school"]
    search_fields = ["child__name"]
    list_select_related = ["child"]

    def get_queryset(self, request):
        return ChildHardship.records.select_related("child")  # the ended ones too


@admin.register(UnsupportedPeriod)
class UnsupportedPeriodAdmin(ReadOnlyAdmin):
    list_display = ["child", "start_date", "end_date", "reason", "end_reason"]
    list_filter = ["child__school"]
    search_fields = ["child__name"]
    list_select_related = ["child"]


@admin.register(Parent)
class ParentAdmin(ReadOnlyAdmin):
    list_display = ["child", "role", "name", "away_status", "work_province", "work_city", "masked_phone"]
    list_filter = ["role", "away_status", "work_province"]
    search_fields = ["child__name", "name"]
    list_select_related = ["child", "work_province", "work_city"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_phone", "masked_id_number"]


@admin.register(Grandparent)
class GrandparentAdmin(ReadOnlyAdmin):
    list_display = ["child", "role", "name", "is_alive", "lives_with_child"]
    search_fields = ["child__name", "name"]
    list_select_related = ["child"]


@admin.register(Guardian)
class GuardianAdmin(ReadOnlyAdmin):
    list_display = ["child", "name", "relation", "since", "until", "masked_phone"]
    list_filter = ["relation"]
    search_fields = ["child__name", "name"]
    list_select_related = ["child"]
    exclude = ["id_number", "phone"]
    readonly_fields = ["masked_phone", "masked_id_number"]


@admin.register(FamilyAssessment)
class FamilyAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["child", "guardianship_level", "assessed_on"]
    list_filter = ["guardianship_level"]
    search_fields = ["child__name"]
    list_select_related = ["child"]


@admin.register(TransferRequest)
class TransferRequestAdmin(ReadOnlyAdmin):
    list_display = ["child", "from_school", "to_school", "transfer_on", "status", "requested_at"]
    list_filter = ["status", "from_school", "to_school"]
    search_fields = ["child__name"]
    list_select_related = ["child", "from_school", "to_school"]


@admin.register(PromotionRun)
class PromotionRunAdmin(ReadOnlyAdmin):
    list_display = ["school", "school_year", "run_on", "performed_by", "undone_at"]
    list_filter = ["school"]
    list_select_related = ["school", "performed_by"]
