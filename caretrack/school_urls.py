from django.urls import path

from caretrack import school_views as views

app_name = "school"
urlpatterns = [
    path("", views.index, name="index"),
    path("settings/", views.settings, name="settings"),
    path("classes/", views.classes, name="classes"),
    path("classes/new/", views.class_create, name="class_create"),
    path("classes/<int:pk>/head-teacher/", views.class_head_teacher, name="class_head_teacher"),
    path("classes/<int:pk>/enrolment/", views.class_enrolment, name="class_enrolment"),
    path("classes/<int:pk>/delete/", views.class_delete, name="class_delete"),
    path("terms/", views.terms, name="terms"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/current/", views.term_make_current, name="term_make_current"),
    path("leading-group/", views.leading_group, name="leading_group"),
    path("leading-group/new/", views.leading_group_add, name="leading_group_add"),
    path("leading-group/<int:pk>/edit/", views.leading_group_edit, name="leading_group_edit"),
    path("leading-group/<int:pk>/remove/", views.leading_group_remove, name="leading_group_remove"),
]
