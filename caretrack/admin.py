"""The installation admin. Two kinds of ModelAdmin, built from the mixins here and used by every app:

- AuditedAdmin for what is only managed here (schools, classes, terms, staff, users, regions): every
  add, change and delete writes an AuditEvent in the same transaction, naming the admin who did it.
- ReadOnlyAdmin for the archive and the logs: they are written through each app's services (which
  audit and keep history), so the admin may look but never add, change or delete, and it shows ID
  numbers and phones masked only. Because nothing unmasked is shown, viewing needs no audit row.

Users are deactivated (停用), never deleted: a user's audit rows must keep saying who acted.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import transaction

from caretrack.audit import record
from caretrack.models import (
    AuditAction,
    AuditEvent,
    Delivery,
    FiguresVersion,
    LeadingGroupMember,
    Notification,
    School,
    SchoolClass,
    StaffProfile,
    Term,
)
from caretrack.services import set_current_term
from caretrack.validation import mask_id_number, mask_phone


def _school_of(obj) -> School | None:
    if isinstance(obj, School):
        return obj
    if isinstance(obj, User):
        profile = StaffProfile.objects.filter(user=obj).select_related("school").first()
        return profile.school if profile else None
    school = getattr(obj, "school", None)
    return school if isinstance(school, School) else None


def admin_target(obj) -> str:
    """What the row is, and which model and pk to look it up by: 学校 城关小学 (caretrack.school #3)."""
    return f"{obj._meta.verbose_name} {obj} ({obj._meta.label_lower} #{obj.pk})"


def record_admin_change(request, obj, action: AuditAction, **detail) -> AuditEvent:
    return record(
        user=request.user, action=action, target=admin_target(obj), school=_school_of(obj), via="admin", **detail
    )


class AuditedAdminMixin:
    """Every write made through this ModelAdmin (and its inlines) is audited in the same transaction.
    The admin's change and delete views already run in a transaction; the explicit atomic blocks cover
    the changelist's bulk delete, which does not."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change:
                record_admin_change(request, obj, AuditAction.CHANGE, fields=sorted(form.changed_data))
            else:
                record_admin_change(request, obj, AuditAction.CREATE)

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                record_admin_change(request, obj, AuditAction.CREATE)
            for obj, fields in formset.changed_objects:
                record_admin_change(request, obj, AuditAction.CHANGE, fields=sorted(fields))
            for obj in formset.deleted_objects:
                record_admin_change(request, obj, AuditAction.DELETE)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_admin_change(request, obj, AuditAction.DELETE)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_admin_change(request, obj, AuditAction.DELETE)
            super().delete_queryset(request, queryset)


class AuditedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdminMixin:
    """View only: no add, change or delete (the bulk delete action goes with it). Writes go through the
    app's services. List and change page show what get_fields/list_display name; models with
    identifiers exclude the raw fields and show masked_id_number / masked_phone instead."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="身份证号")
    def masked_id_number(self, obj) -> str:
        return mask_id_number(obj.id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["bureau_schools"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(AuditedAdminMixin, UserAdmin):
    """Deactivate (停用), never delete: there is no delete here, and the database refuses to delete a user
    who has audit rows (AuditEvent.user is PROTECT)."""

    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "profile__school", "is_active", "is_staff"]
    list_select_related = ["profile__school"]
    list_filter = [
        "is_active",
        "profile__school",
        "profile__is_principal",
        "profile__is_coordinator",
        "profile__is_bureau",
    ]
    actions = ["deactivate"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="停用所选用户")
    def deactivate(self, request, queryset):
        with transaction.atomic():
            users = list(queryset.filter(is_active=True).exclude(pk=request.user.pk).select_for_update(of=("self",)))
            for user in users:
                user.is_active = False
                user.save(update_fields=["is_active"])
                record_admin_change(request, user, AuditAction.CHANGE, fields=["is_active"], deactivated=True)
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "不能停用您自己的账号。", messages.WARNING)
        self.message_user(request, f"已停用 {len(users)} 个用户。")

    def user_change_password(self, request, id, form_url=""):
        # Django's password view saves the user itself, not through save_model: audit it here.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                record_admin_change(request, user, AuditAction.CHANGE, fields=["password"])
        return response


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["name", "county", "enrolled_students", "counts_one_parent_away", "max_children_per_mentor"]
    search_fields = ["name", "county"]
    list_filter = ["county"]

    def has_delete_permission(self, request, obj=None):
        # Deleting a school would cascade to its terms, activities and reports, bypassing their services.
        return False


@admin.register(SchoolClass)
class SchoolClassAdmin(AuditedAdmin):
    list_display = ["__str__", "school", "head_teacher"]
    list_filter = ["school", "grade"]
    list_select_related = ["school", "head_teacher"]
    autocomplete_fields = ["head_teacher"]


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ["__str__", "school", "start_date", "end_date", "is_current"]
    list_filter = ["school", "is_current"]
    actions = ["make_current"]

    def has_delete_permission(self, request, obj=None):
        # Deleting a term would cascade to its 工作总结, bypassing the reports service.
        return False

    @admin.action(description="设为本校当前学期")
    def make_current(self, request, queryset):
        with transaction.atomic():
            for term in queryset.select_related("school"):
                set_current_term(term=term)
                record_admin_change(request, term, AuditAction.CHANGE, fields=["is_current"])
        self.message_user(request, f"已将 {queryset.count()} 个学期设为各自学校的当前学期。")


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(AuditedAdmin):
    list_display = ["user", "school", "position", "title", "responsibility", "order"]
    list_filter = ["school", "position"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail cannot be edited from any UI."""

    list_display = ["at", "user", "school", "action", "target"]
    list_filter = ["action", "school"]
    search_fields = ["target", "user__username", "user__first_name"]
    date_hierarchy = "at"


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["user", "school", "is_principal", "is_coordinator", "is_teacher", "is_bureau", "masked_phone"]
    list_filter = ["school", "is_principal", "is_coordinator", "is_bureau"]
    search_fields = ["user__username", "user__first_name"]
    list_select_related = ["user", "school"]
    filter_horizontal = ["bureau_schools"]

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone)


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ["channel", "status", "attempts", "last_error", "sent_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Read-only: notifications are written by caretrack.notifications.send; a failed e-mail or robot delivery
    shows here with its error and is retried by send_reminders."""

    list_display = ["created_at", "recipient", "title", "urgent", "read_at"]
    list_filter = ["urgent", "deliveries__status"]
    search_fields = ["key", "title", "recipient__username", "recipient__first_name"]
    list_select_related = ["recipient"]
    fields = ["recipient", "key", "title", "body", "link", "urgent", "created_at", "read_at"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["notification", "channel", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["channel", "status"]
    list_select_related = ["notification"]


@admin.register(FiguresVersion)
class FiguresVersionAdmin(ReadOnlyAdmin):
    """Each school's figures version (renewed by caretrack.audit.record in every change's transaction)."""

    list_display = ["school", "token"]
