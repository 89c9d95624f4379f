from django.urls import path

from territoires.accounts import oidc_views

app_name = "oidc"
urlpatterns = [
    path("connexion/", oidc_views.login, name="login"),
    path("callback/", oidc_views.callback, name="callback"),
    path("deconnexion/", oidc_views.logout_callback, name="logout_callback"),
]
