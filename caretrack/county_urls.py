from django.http import Http404
from django.urls import path


def placeholder(request):  # replaced by the real page of this section
    raise Http404("学校管理")


app_name = "county"
urlpatterns = [
    path("", placeholder, name="schools"),
]
