"""Browsable API documentation (Swagger UI) that runs under our strict CSP.

Ninja's own page needs "ninja" in INSTALLED_APPS or falls back to a CDN
template with an inline script; both break `script-src 'self'`. Here the
page extends the site layout, loads Swagger UI's bundle (shipped inside
ninja's package, served by `docs_asset`) and a small external init script
that reads its settings from data attributes.
"""

import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from ninja.openapi.docs import DocsBase

NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
# Only these files are served: nothing else of the package is reachable.
ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css"}


class CspSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        return render(
            request,
            "api/docs.html",
            {
                "openapi_url": self.get_openapi_url(api, kwargs),
                "bundle_url": reverse("api:docs_asset", args=["swagger-ui-bundle.js"]),
                "css_url": reverse("api:docs_asset", args=["swagger-ui.css"]),
                "api": api,
            },
        )


@require_safe
@cache_control(public=True, max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
