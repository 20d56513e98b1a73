from django.urls import path

from children import transfer_views as views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("child/<int:pk>/", views.transfer_start, name="start"),
    path("child/<int:pk>/request/", views.transfer_request, name="request"),
    path("child/<int:pk>/elsewhere/", views.transfer_elsewhere, name="elsewhere"),
    path("<int:pk>/cancel/", views.transfer_cancel, name="cancel"),
    path("<int:pk>/accept/", views.transfer_accept, name="accept"),
    path("<int:pk>/decline/", views.transfer_decline, name="decline"),
]
