"""Activities, aid, health checks and exams in the installation admin: read-only, since each is written
through activities/services/, which audits."""

from django.contrib import admin

from activities.models import (
    Activity,
    ActivityParticipant,
    ActivityPhoto,
    Aid,
    CareRoomOpening,
    Exam,
    ExamResult,
    HealthCheck,
)
from caretrack.admin import ReadOnlyAdmin, ReadOnlyInline


class ParticipantInline(ReadOnlyInline):
    model = ActivityParticipant


class PhotoInline(ReadOnlyInline):
    model = ActivityPhoto
    readonly_fields = ["width", "height", "uploaded_by", "uploaded_at"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["date", "title", "kind", "school", "school_class"]
    list_filter = ["kind", "school"]
    search_fields = ["title", "partners"]
    date_hierarchy = "date"
    list_select_related = ["school", "school_class"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [ParticipantInline, PhotoInline]


@admin.register(ActivityParticipant)
class ActivityParticipantAdmin(ReadOnlyAdmin):
    list_display = ["activity", "child"]
    search_fields = ["child__name", "activity__title"]
    list_select_related = ["activity", "child"]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    list_display = ["activity", "caption", "width", "height", "uploaded_at"]
    search_fields = ["caption", "activity__title"]
    readonly_fields = ["width", "height", "uploaded_by", "uploaded_at"]
    list_select_related = ["activity"]


@admin.register(CareRoomOpening)
class CareRoomOpeningAdmin(ReadOnlyAdmin):
    list_display = ["date", "school", "duty_teacher", "reading", "family_calls", "sports", "tutoring", "counselling"]
    list_filter = ["school"]
    date_hierarchy = "date"
    readonly_fields = ["created_by"]
    list_select_related = ["school", "duty_teacher"]


@admin.register(Aid)
class AidAdmin(ReadOnlyAdmin):
    list_display = ["date", "child", "kind", "amount", "donor"]
    list_filter = ["kind", "child__school"]
    search_fields = ["child__name", "donor", "items"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at"]
    list_select_related = ["child"]


@admin.register(HealthCheck)
class HealthCheckAdmin(ReadOnlyAdmin):
    list_display = ["date", "child", "height_cm", "weight_kg", "vision_left", "vision_right", "findings"]
    list_filter = ["child__school"]
    search_fields = ["child__name", "findings"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "created_at"]
    list_select_related = ["child"]


class ResultInline(ReadOnlyInline):
    model = ExamResult


@admin.register(Exam)
class ExamAdmin(ReadOnlyAdmin):
    list_display = ["date", "name", "kind", "school", "term", "full_score"]
    list_filter = ["kind", "school"]
    search_fields = ["name"]
    readonly_fields = ["created_by"]
    list_select_related = ["school", "term"]
    inlines = [ResultInline]


@admin.register(ExamResult)
class ExamResultAdmin(ReadOnlyAdmin):
    list_display = ["exam", "child", "total_score", "class_rank"]
    list_filter = ["exam__school", "exam__kind"]
    search_fields = ["child__name", "exam__name"]
    list_select_related = ["exam", "child"]
