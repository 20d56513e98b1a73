from django.urls import path

from caretrack import county_views as views

app_name = "county"
urlpatterns = [
    path("", views.schools, name="schools"),
    path("new/", views.school_create, name="school_create"),
]
