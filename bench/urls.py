"""The project's URLs plus the floor: the cheapest page Django can serve."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from territoires.config.urls import handler403, handler404
from territoires.config.urls import urlpatterns as project_urlpatterns

__all__ = ["handler403", "handler404", "urlpatterns"]


def floor(request):
    """No database, no template, no session: the server's own cost per request."""
    return HttpResponse(b"ok", content_type="text/plain")


@login_required
def floor_logged_in(request):
    """The floor plus what every agent page pays first: the session and the user."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("_bench/floor/", floor),
    path("_bench/floor-logged-in/", floor_logged_in),
    *project_urlpatterns,
]
