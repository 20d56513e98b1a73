from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/delete/", views.activity_delete, name="delete"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("care-room/", views.care_room_list, name="care_room"),
    path("care-room/new/", views.care_room_create, name="care_room_create"),
    path("care-room/<int:pk>/", views.care_room_edit, name="care_room_edit"),
    path("care-room/<int:pk>/delete/", views.care_room_delete, name="care_room_delete"),
    path("aid/", views.aid_list, name="aid"),
    path("aid/new/", views.aid_create, name="aid_create"),
    path("aid/<int:pk>/", views.aid_edit, name="aid_edit"),
    path("aid/<int:pk>/delete/", views.aid_delete, name="aid_delete"),
    path("health/", views.health_list, name="health"),
    path("health/new/", views.health_create, name="health_create"),
    path("health/class/", views.health_class_table, name="health_class"),
    path("exams/", views.exam_list, name="exams"),
    path("exams/new/", views.exam_create, name="exam_create"),
    path("exams/<int:pk>/results/", views.exam_results, name="exam_results"),
]
