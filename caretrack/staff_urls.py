from django.urls import path

from caretrack import staff_views

app_name = "staff"
urlpatterns = [
    path("", staff_views.staff_list, name="list"),
    path("add/", staff_views.staff_add, name="add"),
    path("accounts/", staff_views.new_accounts, name="new_accounts"),
    path("import/", staff_views.staff_import, name="import"),
    path("import/confirm/", staff_views.staff_import_confirm, name="import_confirm"),
    path("import/template/", staff_views.staff_import_template, name="import_template"),
    path("<int:pk>/edit/", staff_views.staff_edit, name="edit"),
    path("<int:pk>/reset-password/", staff_views.staff_reset_password, name="reset_password"),
    path("<int:pk>/deactivate/", staff_views.staff_deactivate, name="deactivate"),
]
