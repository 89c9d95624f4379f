"""Buyer pages, under /o/<siren>/marches/ (the active body is in the URL)."""

from django.urls import path

from territoires.marches.views import buyer, candidature, decp

app_name = "marches"
urlpatterns = [
    path("", buyer.consultation_list, name="list"),
    path("nouvelle/", buyer.consultation_create, name="create"),
    path("cpv/", buyer.cpv_suggestions, name="cpv"),
    path("donnees-essentielles/", decp.decp_list, name="decp_list"),
    path("donnees-essentielles/<int:decp_id>/", decp.decp_edit, name="decp_edit"),
    path("donnees-essentielles/<int:decp_id>/publier/", decp.decp_publish, name="decp_publish"),
    path("donnees-essentielles/decp-<int:year>.json", decp.decp_export, name="decp_export"),
    path("<int:consultation_id>/", buyer.consultation_detail, name="detail"),
    path("<int:consultation_id>/modifier/", buyer.consultation_edit, name="edit"),
    path("<int:consultation_id>/lots/", buyer.lot_add, name="lot_add"),
    path("<int:consultation_id>/lots/<int:lot_id>/supprimer/", buyer.lot_delete, name="lot_delete"),
    path("<int:consultation_id>/dce/", buyer.dce_upload, name="dce_upload"),
    path("<int:consultation_id>/dce/<int:file_id>/", buyer.dce_file, name="dce_file"),
    path("<int:consultation_id>/dce/<int:file_id>/retirer/", buyer.dce_remove, name="dce_remove"),
    path("<int:consultation_id>/publier/", buyer.publish, name="publish"),
    path("<int:consultation_id>/retraits.csv", buyer.retraits_csv, name="retraits_csv"),
    path("<int:consultation_id>/modificatif/", buyer.amend, name="amend"),
    path("<int:consultation_id>/sans-suite/", buyer.cancel, name="cancel"),
    path("<int:consultation_id>/questions/<int:question_id>/", buyer.answer, name="answer"),
    path("<int:consultation_id>/attribution/", buyer.award, name="award"),
    path("<int:consultation_id>/issue/", buyer.conclude, name="conclude"),
    path("<int:consultation_id>/dume-acheteur.xml", candidature.espd_request, name="espd_request"),
    path("<int:consultation_id>/candidatures/<int:candidature_id>/dume.xml", candidature.candidature_dume_for_buyer,
         name="candidature_dume"),
    path("<int:consultation_id>/<str:kind>.xml", buyer.notice_xml, name="notice_xml"),
]
