from django.urls import path

from reports import submission_views, transfer_views, trend_views, views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("term-report/", views.term_report, name="term_report"),
    path("term-report/pdf/", views.term_report_pdf, name="term_report_pdf"),
    path("term-report/bureau-copy/", views.bureau_copy, name="bureau_copy"),
    path("term-report/bureau-copy/pdf/", views.bureau_copy_pdf, name="bureau_copy_pdf"),
    path("term-report/submit/", submission_views.term_report_submit, name="term_report_submit"),
    path("term-report/submitted/pdf/", submission_views.submitted_pdf, name="submitted_pdf"),
    path("county/", views.county, name="county"),
    path("county/trends/", trend_views.county_trends, name="county_trends"),
    path("county/<int:school_id>/grades/", trend_views.county_grades, name="county_grades"),
    path("mentors/", trend_views.mentor_work_page, name="mentor_work"),
    path("mentors/export/", trend_views.mentor_work_xlsx, name="mentor_work_xlsx"),
    path("county/deadline/", submission_views.county_deadline, name="county_deadline"),
    path("county/submitted.zip", submission_views.county_submitted_zip, name="county_submitted_zip"),
    path("county/<int:school_id>/return/", submission_views.county_return, name="county_return"),
    path("county/export/", views.county_xlsx, name="county_xlsx"),
    path("county/<int:school_id>/pdf/", views.county_school_pdf, name="county_school_pdf"),
    path("transfer/<int:pk>/pdf/", transfer_views.transfer_pdf_download, name="transfer_pdf"),
]
