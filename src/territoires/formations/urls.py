from django.urls import path

from territoires.formations import views

app_name = "formations"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("o/<str:siren>/", views.body_home, name="body_home"),
]
