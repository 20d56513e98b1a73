from django.http import Http404
from django.urls import path


def placeholder(request):  # replaced by the real page of this section
    raise Http404("转学")


app_name = "transfers"
urlpatterns = [
    path("", placeholder, name="list"),
]
