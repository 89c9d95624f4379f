from django.urls import path

from territoires.formations.views import body, manage, public

app_name = "formations"
urlpatterns = [
    path("", public.catalogue, name="catalogue"),
    path("session/<int:session_id>/", public.session_detail, name="session_detail"),
    path("attestations/<int:registration_id>/", public.certificate, name="certificate"),
    path("o/<str:siren>/", body.body_home, name="body_home"),
    path("o/<str:siren>/inscriptions/<int:registration_id>/annuler/", body.registration_cancel,
         name="registration_cancel"),
    path("gestion/", manage.session_list, name="manage_list"),
    path("gestion/nouvelle/", manage.session_create, name="manage_create"),
    path("gestion/<int:session_id>/", manage.session_participants, name="manage_participants"),
    path("gestion/<int:session_id>/modifier/", manage.session_edit, name="manage_edit"),
    path("gestion/<int:session_id>/annuler/", manage.session_cancel, name="manage_cancel"),
]
