from django.http import Http404
from django.urls import path


def placeholder(request):  # replaced by the real page of this section
    raise Http404("学校设置")


app_name = "school"
urlpatterns = [
    path("", placeholder, name="index"),
]
