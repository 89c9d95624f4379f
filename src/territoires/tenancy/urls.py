from django.urls import path

from territoires.tenancy import views

app_name = "tenancy"
urlpatterns = [
    path("", views.switch, name="switch"),
    path("adhesion/", views.adhesion, name="adhesion"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("<str:siren>/", views.home, name="home"),
    path("<str:siren>/service/<str:code>/", views.service_placeholder, name="service"),
    path("<str:siren>/agents/", views.agents, name="agents"),
    path("<str:siren>/agents/<int:membership_id>/", views.membership_edit, name="membership_edit"),
    path("<str:siren>/invitations/<int:invitation_id>/annuler/", views.invitation_revoke,
         name="invitation_revoke"),
    path("<str:siren>/journal/", views.journal, name="journal"),
    path("<str:siren>/fiche/", views.profile, name="profile"),
]
