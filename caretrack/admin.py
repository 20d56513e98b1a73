from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from caretrack.models import AuditEvent, LeadingGroupMember, School, SchoolClass, StaffProfile, Term
from caretrack.services import set_current_term


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    filter_horizontal = ["bureau_schools"]


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "first_name", "profile__school", "is_active", "is_staff"]
    list_select_related = ["profile__school"]
    list_filter = ["profile__school", "profile__is_principal", "profile__is_coordinator", "profile__is_bureau"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "enrolled_students", "counts_one_parent_away", "max_children_per_mentor"]
    search_fields = ["name", "county"]
    list_filter = ["county"]


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "head_teacher"]
    list_filter = ["school", "grade"]
    list_select_related = ["school", "head_teacher"]
    autocomplete_fields = ["head_teacher"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "start_date", "end_date", "is_current"]
    list_filter = ["school", "is_current"]
    actions = ["make_current"]

    @admin.action(description="设为本校当前学期")
    def make_current(self, request, queryset):
        for term in queryset:
            set_current_term(term=term)
        self.message_user(request, f"已将 {queryset.count()} 个学期设为各自学校的当前学期。")


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "position", "title", "responsibility", "order"]
    list_filter = ["school", "position"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail cannot be edited from any UI."""

    list_display = ["at", "user", "school", "action", "target"]
    list_filter = ["action", "school"]
    search_fields = ["target", "user__username", "user__first_name"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "is_principal", "is_coordinator", "is_teacher", "is_bureau", "phone"]
    list_filter = ["school", "is_principal", "is_coordinator", "is_bureau"]
    search_fields = ["user__username", "user__first_name", "phone"]
    list_select_related = ["user", "school"]
    filter_horizontal = ["bureau_schools"]
