"""The prefecture simulator as a WSGI application of its own.

The ministry is another server; so can the simulator be, in a load test or a
shared test environment: `gunicorn territoires.actes.simulator_wsgi:application`.
It serves the same view as `/simulateur/actes/depot/` in the platform, without
the platform's middleware (sessions, users, CSP), which the ministry does not
have either. Any other path is a 404.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoires.config.settings")
django.setup(set_prefix=False)

from django.core.handlers.wsgi import WSGIRequest  # noqa: E402
from django.http import HttpResponseNotFound  # noqa: E402

from territoires.actes.views.simulator import depot  # noqa: E402

DEPOT_PATH = "/simulateur/actes/depot/"


def application(environ, start_response):
    request = WSGIRequest(environ)
    response = depot(request) if request.path == DEPOT_PATH else HttpResponseNotFound()
    start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
    return [response.content]
