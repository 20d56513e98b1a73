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


class ParticipantInline(admin.TabularInline):
    model = ActivityParticipant
    extra = 0
    raw_id_fields = ["child"]


class PhotoInline(admin.TabularInline):
    model = ActivityPhoto
    extra = 0
    readonly_fields = ["width", "height", "uploaded_by", "uploaded_at"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["date", "title", "kind", "school", "school_class"]
    list_filter = ["kind", "school"]
    search_fields = ["title", "partners"]
    date_hierarchy = "date"
    list_select_related = ["school", "school_class"]
    raw_id_fields = ["organiser"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [ParticipantInline, PhotoInline]


@admin.register(ActivityParticipant)
class ActivityParticipantAdmin(admin.ModelAdmin):
    list_display = ["activity", "child"]
    search_fields = ["child__name", "activity__title"]
    raw_id_fields = ["activity", "child"]
    list_select_related = ["activity", "child"]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(admin.ModelAdmin):
    list_display = ["activity", "caption", "width", "height", "uploaded_at"]
    search_fields = ["caption", "activity__title"]
    raw_id_fields = ["activity"]
    readonly_fields = ["width", "height", "uploaded_by", "uploaded_at"]
    list_select_related = ["activity"]


@admin.register(CareRoomOpening)
class CareRoomOpeningAdmin(admin.ModelAdmin):
    list_display = ["date", "school", "duty_teacher", "reading", "family_calls", "sports", "tutoring", "counselling"]
    list_filter = ["school"]
    date_hierarchy = "date"
    raw_id_fields = ["duty_teacher"]
    readonly_fields = ["created_by"]
    list_select_related = ["school", "duty_teacher"]


@admin.register(Aid)
class AidAdmin(admin.ModelAdmin):
    list_display = ["date", "child", "kind", "amount", "donor"]
    list_filter = ["kind", "child__school"]
    search_fields = ["child__name", "donor", "items"]
    date_hierarchy = "date"
    raw_id_fields = ["child", "activity"]
    readonly_fields = ["created_by", "created_at"]
    list_select_related = ["child"]


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = ["date", "child", "height_cm", "weight_kg", "vision_left", "vision_right", "findings"]
    list_filter = ["child__school"]
    search_fields = ["child__name", "findings"]
    date_hierarchy = "date"
    raw_id_fields = ["child"]
    readonly_fields = ["created_by", "created_at"]
    list_select_related = ["child"]


class ResultInline(admin.TabularInline):
    model = ExamResult
    extra = 0
    raw_id_fields = ["child"]


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "kind", "school", "term", "full_score"]
    list_filter = ["kind", "school"]
    search_fields = ["name"]
    readonly_fields = ["created_by"]
    list_select_related = ["school", "term"]
    inlines = [ResultInline]


@admin.register(ExamResult)
class ExamResultAdmin(admin.ModelAdmin):
    list_display = ["exam", "child", "total_score", "class_rank"]
    list_filter = ["exam__school", "exam__kind"]
    search_fields = ["child__name", "exam__name"]
    raw_id_fields = ["exam", "child"]
    list_select_related = ["exam", "child"]
