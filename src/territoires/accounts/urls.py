from django.urls import path

from territoires.accounts import password_views, profile_views, totp_views, views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("lien/<str:token>/", views.login_link, name="login_link"),
    path("profil/", profile_views.profile, name="profile"),
    path("profil/mot-de-passe/", profile_views.password_change, name="password_change"),
    path("double-authentification/", totp_views.totp_verify, name="totp_verify"),
    path("double-authentification/activer/", totp_views.totp_setup, name="totp_setup"),
    path("double-authentification/desactiver/", totp_views.totp_disable, name="totp_disable"),
    path("mot-de-passe-oublie/", password_views.password_reset, name="password_reset"),
    path(
        "mot-de-passe-oublie/<str:uidb64>/<str:token>/",
        password_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
]
