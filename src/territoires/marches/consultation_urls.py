"""Public consultation pages, under /marches/ beside the portal search (see public_urls)."""

from django.urls import path

from territoires.marches.views import candidature, public

urlpatterns = [
    path("consultations/<int:consultation_id>/", public.consultation_detail, name="consultation"),
    path("consultations/<int:consultation_id>/dce/", public.dce_download, name="dce_download"),
    path("consultations/<int:consultation_id>/dce/<int:file_id>/", public.dce_download, name="dce_file"),
    path("consultations/<int:consultation_id>/questions/", public.question_ask, name="question_ask"),
    path("consultations/<int:consultation_id>/candidature/", candidature.candidature_form, name="candidature"),
    path("consultations/<int:consultation_id>/candidature/dume.xml", candidature.candidature_dume,
         name="candidature_dume"),
    path("consultation-de-test/", public.test_consultation, name="test_consultation"),
    path("attributions/", public.awarded_list, name="awarded"),
    path("donnees-essentielles/decp-<int:year>.json", public.decp_year, name="decp_year"),
]
