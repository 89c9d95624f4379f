from django.urls import path

from territoires.core import views

app_name = "core"

urlpatterns = [
    path("", views.upload_create, name="uploads"),
    path("<uuid:upload_id>/", views.upload_resource, name="upload"),
]
