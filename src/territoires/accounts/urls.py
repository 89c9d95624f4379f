from django.urls import path

from territoires.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("profil/", views.profile, name="profile"),
    path("double-authentification/", views.totp_verify, name="totp_verify"),
    path("double-authentification/activer/", views.totp_setup, name="totp_setup"),
]
