from django.urls import path

from caretrack import rollover_views

app_name = "rollover"
urlpatterns = [
    path("", rollover_views.checklist, name="checklist"),
]
