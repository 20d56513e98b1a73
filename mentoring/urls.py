from django.urls import path

from mentoring import excel_views, views
from mentoring.links import URL_PREFIX

app_name = "mentoring"
urlpatterns = [
    path("", views.my_students, name="my_students"),
    path("concerns/", views.concern_list, name="concerns"),
    path("concerns/<int:pk>/close/", views.concern_close, name="concern_close"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("unpaired/", views.unpaired, name="unpaired"),
    path("unpaired/pair/", views.bulk_pair, name="bulk_pair"),
    path("external-mentors/new/", views.external_mentor_create, name="external_mentor_create"),
    path("settings/", views.cadence_settings, name="settings"),
    path("children/<int:pk>/chronology/", views.child_chronology, name="chronology"),
    # The term's logs as Excel (mentoring/excel_views.py)
    path("export/talks/", excel_views.export_logs, {"kind": "talks"}, name="export_talks"),
    path("export/visits/", excel_views.export_logs, {"kind": "visits"}, name="export_visits"),
]

# For each log kind: children/<pk>/talk/new/, talk/<pk>/, talk/<pk>/edit/, talk/<pk>/delete/ …
for kind, prefix in URL_PREFIX.items():
    segment = prefix.replace("_", "-")
    urlpatterns += [
        path(f"children/<int:pk>/{segment}/new/", views.log_create, {"kind": kind}, name=f"{prefix}_create"),
        path(f"{segment}/<int:pk>/", views.log_detail, {"kind": kind}, name=f"{prefix}_detail"),
        path(f"{segment}/<int:pk>/edit/", views.log_edit, {"kind": kind}, name=f"{prefix}_edit"),
        path(f"{segment}/<int:pk>/delete/", views.log_delete, {"kind": kind}, name=f"{prefix}_delete"),
    ]
