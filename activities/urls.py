from django.urls import path

from activities.views import activity, aid, care_room, exam, health, participants

app_name = "activities"
urlpatterns = [
    path("", activity.activity_list, name="list"),
    path("new/", activity.activity_create, name="create"),
    path("participants/", participants.participant_options, name="participant_options"),
    path("<int:pk>/", activity.activity_detail, name="detail"),
    path("<int:pk>/edit/", activity.activity_edit, name="edit"),
    path("<int:pk>/delete/", activity.activity_delete, name="delete"),
    path("<int:pk>/photos/", activity.photo_add, name="photo_add"),
    path("photos/<int:pk>/", activity.photo_file, name="photo"),
    path("photos/pending/<str:token>/", activity.pending_photo_file, name="pending_photo"),
    path("photos/<int:pk>/delete/", activity.photo_delete, name="photo_delete"),
    path("care-room/", care_room.care_room_list, name="care_room"),
    path("care-room/new/", care_room.care_room_create, name="care_room_create"),
    path("care-room/<int:pk>/", care_room.care_room_edit, name="care_room_edit"),
    path("care-room/<int:pk>/delete/", care_room.care_room_delete, name="care_room_delete"),
    path("aid/", aid.aid_list, name="aid"),
    path("aid/new/", aid.aid_create, name="aid_create"),
    path("aid/<int:pk>/", aid.aid_edit, name="aid_edit"),
    path("aid/<int:pk>/delete/", aid.aid_delete, name="aid_delete"),
    path("health/", health.health_list, name="health"),
    path("health/new/", health.health_create, name="health_create"),
    path("health/class/", health.health_class_table, name="health_class"),
    path("exams/", exam.exam_list, name="exams"),
    path("exams/new/", exam.exam_create, name="exam_create"),
    path("exams/<int:pk>/results/", exam.exam_results, name="exam_results"),
]
