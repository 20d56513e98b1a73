from django.urls import path

from guardians import views

app_name = "guardians"
urlpatterns = [
    path("regions/", views.region_options, name="region_options"),
]
