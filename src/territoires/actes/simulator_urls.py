from django.urls import path

from territoires.actes.views import simulator

app_name = "actes_simulator"
urlpatterns = [
    path("depot/", simulator.depot, name="depot"),
]
