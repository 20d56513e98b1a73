from django.urls import path

from children import excel_views, views
from children.archive_sections import SECTIONS

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    path("cards/", views.contact_cards, name="contact_cards"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    # The archive in sections, each saved on its own (children/archive_sections.py): children:archive_basics …
    path("<int:pk>/archive/", views.archive, name="archive"),
    *(
        path(f"<int:pk>/archive/{s.key}/", views.archive_section, {"section": s.key}, name=f"archive_{s.key}")
        for s in SECTIONS
    ),
    path("<int:pk>/parent-status/", views.parent_status_change, name="parent_status"),
    path("parents/<int:pk>/call/", views.call_parent, name="call_parent"),
    path("guardians/<int:pk>/call/", views.call_guardian, name="call_guardian"),
    # Excel import and export (children/excel_views.py)
    path("import/", excel_views.import_children, name="import"),
    path("import/confirm/", excel_views.import_confirm, name="import_confirm"),
    path("import/template.xlsx", excel_views.import_template, name="import_template"),
    path("import/errors/", excel_views.import_errors, name="import_errors"),
    path("import/left-out/", excel_views.import_left_out, name="import_left_out"),
    path("export/roster/", excel_views.export_roster, name="export_roster"),
    path("export/register/", excel_views.export_register, name="export_register"),
    path("export/summary/", excel_views.export_summary, name="export_summary"),
]
