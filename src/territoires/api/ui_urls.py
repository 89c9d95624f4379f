"""Mounted at o/<siren>/api/ by config/urls.py."""

from django.urls import path

from territoires.api import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.token_list, name="list"),
    path("<int:token_id>/revoquer/", views.token_revoke, name="revoke"),
]
