from django.urls import path

from children import promotion_views

app_name = "promotion"
urlpatterns = [
    path("", promotion_views.preview, name="preview"),
    path("run/", promotion_views.run, name="run"),
    path("<int:pk>/", promotion_views.result, name="result"),
    path("<int:pk>/undo/", promotion_views.undo, name="undo"),
]
