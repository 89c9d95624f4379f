"""The JSON API root: one NinjaAPI, OpenAPI document at /api/v1/openapi.json."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Territoires API",
    version="1.0.0",
    description="API de la plateforme Territoires pour les logiciels des organismes adhérents.",
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)


@api.get("/health", auth=None, tags=["plateforme"])
def health(request) -> dict:
    """Liveness probe for load balancers."""
    return {"status": "ok"}
