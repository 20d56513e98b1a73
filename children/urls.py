from django.urls import path

from children import views

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    path("cards/", views.contact_cards, name="contact_cards"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/parent-status/", views.parent_status_change, name="parent_status"),
]
