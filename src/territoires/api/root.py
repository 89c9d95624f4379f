"""The JSON API root: one NinjaAPI, OpenAPI document at /api/v1/openapi.json.

Every endpoint needs a caller (bearer token or browser session) unless it
says `auth=None`; errors share one French JSON shape (see errors.py).
"""

from ninja import NinjaAPI

from territoires.actes.api import router as actes_router
from territoires.api import errors
from territoires.api.auth import SessionAuth, TokenAuth
from territoires.api.docs import CspSwagger
from territoires.api.routes import router
from territoires.marches.api import router as marches_router

api = NinjaAPI(
    title="Territoires API",
    version="1.0.0",
    description=(
        "API de la plateforme Territoires pour les logiciels des organismes adhérents. "
        "Authentification : jeton d'API de l'organisme dans l'en-tête "
        "« Authorization: Bearer trt_… » (créé par un administrateur de l'organisme), "
        "ou session du navigateur pour essayer depuis cette documentation. "
        "Un jeton n'agit que dans son organisme, avec les rôles de son agent."
    ),
    openapi_url="/openapi.json",
    docs=CspSwagger(),
    docs_url="/docs",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    parser=errors.ObjectJSONParser(),
)
errors.install(api)
api.add_router("", router)
api.add_router("/actes", actes_router)
api.add_router("/marches", marches_router)


@api.get("/health", auth=None, tags=["plateforme"], summary="État du service")
def health(request) -> dict:
    """Liveness probe for load balancers."""
    return {"status": "ok"}
