from django.urls import path

from caretrack import org_views

app_name = "caretrack"
urlpatterns = [
    path("audit/", org_views.audit_log, name="audit"),
]
