from django.http import Http404
from django.urls import path


def placeholder(request):  # replaced by the real page of this section
    raise Http404("学校设置·教职工")


app_name = "staff"
urlpatterns = [
    path("", placeholder, name="list"),
]
