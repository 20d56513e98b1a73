from django.http import Http404
from django.urls import path


def placeholder(request):  # replaced by the real page of this section
    raise Http404("升年级")


app_name = "promotion"
urlpatterns = [
    path("", placeholder, name="preview"),
]
