from django.urls import path

from territoires.tenancy import views as tenancy_views
from territoires.ui import views

app_name = "ui"
urlpatterns = [
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal, name="legal"),
    path("logos/<str:siren>/", tenancy_views.logo, name="logo"),
]
