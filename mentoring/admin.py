"""Pairings, logs and concerns in the installation admin: read-only (written through mentoring/services.py,
which audits), phones masked."""

from django.contrib import admin

from caretrack.admin import ReadOnlyAdmin
from mentoring.models import (
    CadenceRule,
    CaseAction,
    Concern,
    ExternalMentor,
    FamilyContact,
    GuardianContact,
    HomeVisit,
    HomeVisitPhoto,
    LogSubmission,
    Pairing,
    Referral,
    Talk,
)


@admin.register(ExternalMentor)
class ExternalMentorAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation", "masked_phone", "school"]
    list_filter = ["school"]
    search_fields = ["name", "organisation"]
    list_select_related = ["school"]
    exclude = ["phone"]
    readonly_fields = ["masked_phone"]


@admin.register(Pairing)
class PairingAdmin(ReadOnlyAdmin):
    list_display = ["child", "mentor", "external_mentor", "role", "is_secondary", "start_date", "end_date"]
    list_filter = ["child__school", "role", "is_secondary"]
    search_fields = ["child__name", "mentor__first_name", "external_mentor__name"]
    list_select_related = ["child", "mentor", "external_mentor"]
    readonly_fields = ["created_at"]


@admin.register(CadenceRule)
class CadenceRuleAdmin(ReadOnlyAdmin):
    list_display = ["school", "kind", "times", "per"]
    list_filter = ["school", "kind", "per"]
    list_select_related = ["school"]


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin):
    list_display = ["child", "category", "risk", "status", "assigned_to", "raised_by", "raised_on", "closed_at"]
    list_filter = ["status", "risk", "category", "child__school"]
    search_fields = ["child__name", "description"]
    list_select_related = ["child", "raised_by", "assigned_to"]
    readonly_fields = ["created_at"]


@admin.register(CaseAction)
class CaseActionAdmin(ReadOnlyAdmin):
    list_display = ["concern", "what", "who", "due_on", "done_on"]
    list_filter = ["concern__child__school"]
    list_select_related = ["concern__child", "who"]
    readonly_fields = ["created_at"]


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["concern", "agency", "referred_on", "outcome"]
    list_filter = ["agency", "outcome", "concern__child__school"]
    list_select_related = ["concern__child"]
    readonly_fields = ["created_at"]


class LogAdmin(ReadOnlyAdmin):
    """Deleted logs are listed too (filter 已删除): the admin reads every row, the app only live ones."""

    list_display = ["date", "child", "author", "is_deleted"]
    list_filter = ["is_deleted", "child__school"]
    search_fields = ["child__name", "text", "author__first_name"]
    list_select_related = ["child", "author"]
    readonly_fields = ["created_at", "updated_at", "deleted_at", "deleted_by"]
    date_hierarchy = "date"

    def get_queryset(self, request):
        return self.model.all_objects.select_related("child", "author")


admin.site.register(Talk, LogAdmin)
admin.site.register(HomeVisit, LogAdmin)
admin.site.register(FamilyContact, LogAdmin)
admin.site.register(GuardianContact, LogAdmin)


@admin.register(HomeVisitPhoto)
class HomeVisitPhotoAdmin(ReadOnlyAdmin):
    """The rows only: a photo of a child's home has no URL and is seen in the app, by whom may read the visit."""

    list_display = ["visit", "width", "height", "uploaded_by", "uploaded_at"]
    list_filter = ["visit__child__school"]
    list_select_related = ["visit__child", "uploaded_by"]
    exclude = ["image", "thumbnail"]
    readonly_fields = ["visit", "width", "height", "uploaded_by", "uploaded_at"]


@admin.register(LogSubmission)
class LogSubmissionAdmin(ReadOnlyAdmin):
    """The keys phones sent with a new log (the offline outbox): which log each 保存 became."""

    list_display = ["created_at", "author", "log_kind", "log_id", "key"]
    list_filter = ["log_kind"]
    list_select_related = ["author"]
    search_fields = ["key", "author__username"]
    readonly_fields = ["author", "key", "log_kind", "log_id", "created_at"]
