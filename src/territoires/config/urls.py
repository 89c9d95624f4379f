from django.urls import include, path

from territoires.ui import views as ui_views

urlpatterns = [
    path("", ui_views.root, name="root"),
    path("compte/", include("territoires.accounts.urls")),
    path("compte/proconnect/", include("territoires.accounts.oidc_urls")),
    path("o/<str:siren>/api/", include("territoires.api.ui_urls")),
    path("o/<str:siren>/actes/", include("territoires.actes.urls")),
    path("o/<str:siren>/marches/", include("territoires.marches.urls")),
    path("o/", include("territoires.tenancy.urls")),
    path("operateur/", include("territoires.backoffice.urls")),
    path("formations/", include("territoires.formations.urls")),
    path("simulateur/actes/", include("territoires.actes.simulator_urls")),
    path("api/v1/", include("territoires.api.urls")),
    path("registre/", include("territoires.actes.public_urls")),
    path("marches/", include("territoires.marches.public_urls")),
    path("entreprise/", include("territoires.marches.company_urls")),
    path("televersements/", include("territoires.core.urls")),
    path("", include("territoires.ui.urls")),
]

handler403 = "territoires.ui.views.error_403"
handler404 = "territoires.ui.views.error_404"
