from django.contrib import admin

from caretrack.admin import AuditedAdmin
from guardians.models import Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
