from django.urls import path

from territoires.backoffice.views import adhesions, agents, bodies, dashboard, tasks

app_name = "backoffice"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("organismes/", bodies.body_list, name="body_list"),
    path("organismes/nouveau/", bodies.body_create, name="body_create"),
    path("organismes/<str:siren>/", bodies.body_detail, name="body_detail"),
    path("organismes/<str:siren>/modifier/", bodies.body_edit, name="body_edit"),
    path(
        "organismes/<str:siren>/abonnements/", bodies.body_subscriptions, name="body_subscriptions"
    ),
    path("organismes/<str:siren>/inviter/", bodies.body_invite_admin, name="body_invite_admin"),
    path("organismes/<str:siren>/activation/", bodies.body_set_active, name="body_set_active"),
    path("adhesions/", adhesions.request_list, name="request_list"),
    path("adhesions/<int:request_id>/", adhesions.request_detail, name="request_detail"),
    path("adhesions/<int:request_id>/accepter/", adhesions.request_approve, name="request_approve"),
    path("adhesions/<int:request_id>/refuser/", adhesions.request_reject, name="request_reject"),
    path("agents/", agents.agent_list, name="agent_list"),
    path("agents/<int:user_id>/", agents.agent_detail, name="agent_detail"),
    path("acces/<int:membership_id>/retirer/", agents.membership_revoke, name="membership_revoke"),
    path("taches/", tasks.task_list, name="task_list"),
]
