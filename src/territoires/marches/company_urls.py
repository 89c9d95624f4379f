"""Company space, under /entreprise/: registration by SIRET, colleagues, document safe, alerts."""

from django.urls import path

from territoires.marches.views import company

app_name = "marches_company"
urlpatterns: list = [
    path("", company.home, name="home"),
    path("inscription/", company.register, name="register"),
    path("changer/", company.switch, name="switch"),
    path("actualiser/", company.refresh, name="refresh"),
    path("collegues/inviter/", company.colleague_invite, name="colleague_invite"),
    path("collegues/<int:membership_id>/retirer/", company.colleague_remove, name="colleague_remove"),
    path("collegues/<int:membership_id>/administrateur/", company.colleague_admin, name="colleague_admin"),
    path("invitations/<int:invitation_id>/annuler/", company.invitation_revoke, name="invitation_revoke"),
    path("invitation/<str:token>/", company.colleague_accept, name="colleague_accept"),
    path("documents/ajouter/", company.document_upload, name="document_upload"),
    path("documents/attestations/", company.attestations_fetch, name="attestations_fetch"),
    path("documents/<int:document_id>/telecharger/", company.document_download, name="document_download"),
    path("documents/<int:document_id>/supprimer/", company.document_delete, name="document_delete"),
    path("alertes/", company.alerts, name="alerts"),
    path("alertes/creer/", company.alert_create, name="alert_create"),
    path("alertes/<int:alert_id>/supprimer/", company.alert_delete, name="alert_delete"),
]
