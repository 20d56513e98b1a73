from django.urls import path

from mentoring import cadence_views, case_views, excel_views, views
from mentoring.links import URL_PREFIX

app_name = "mentoring"
urlpatterns = [
    path("", views.my_students, name="my_students"),
    # Concern cases (mentoring/case_views.py)
    path("concerns/", case_views.concern_list, name="concerns"),
    path("concerns/mine/", case_views.my_cases, name="my_cases"),
    path("concerns/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("concerns/<int:pk>/assign/", case_views.case_assign, name="case_assign"),
    path("concerns/<int:pk>/risk/", case_views.case_risk, name="case_risk"),
    path("concerns/<int:pk>/actions/new/", case_views.case_action_add, name="case_action_add"),
    path("concerns/actions/<int:pk>/done/", case_views.case_action_done, name="case_action_done"),
    path("concerns/<int:pk>/referrals/new/", case_views.case_referral_add, name="case_referral_add"),
    path("concerns/referrals/<int:pk>/outcome/", case_views.case_referral_outcome, name="case_referral_outcome"),
    path("concerns/<int:pk>/close/", case_views.concern_close, name="concern_close"),
    path("concerns/<int:pk>/reopen/", case_views.case_reopen, name="case_reopen"),
    path("pairings/", views.pairing_list, name="pairings"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/new/children/", views.pairing_children, name="pairing_children"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("unpaired/", views.unpaired, name="unpaired"),
    path("unpaired/pair/", views.bulk_pair, name="bulk_pair"),
    path("external-mentors/new/", views.external_mentor_create, name="external_mentor_create"),
    path("settings/", cadence_views.cadence_settings, name="settings"),
    path("children/<int:pk>/chronology/", views.child_chronology, name="chronology"),
    path("visit-photos/<int:pk>/", views.visit_photo, name="visit_photo"),
    path("visit-photos/<int:pk>/thumbnail/", views.visit_photo, {"thumbnail": True}, name="visit_photo_thumbnail"),
    path("visit-photos/pending/<str:token>/", views.pending_visit_photo, name="pending_visit_photo"),
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
