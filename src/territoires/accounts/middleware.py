"""Force the second factor where a role requires it.

A user whose roles require TOTP (operator staff, body administrators) is
logged in only halfway until the session holds `SECOND_FACTOR_SESSION_KEY`:
every page except the second-factor pages and logout redirects there.
"""

from django.shortcuts import redirect
from django.urls import reverse

from territoires.tenancy.access import requires_second_factor

SECOND_FACTOR_SESSION_KEY = "second_factor_ok"
ALLOWED_PREFIXES = ("/compte/", "/static/", "/api/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(SECOND_FACTOR_SESSION_KEY)
            and not request.path.startswith(ALLOWED_PREFIXES)
            and requires_second_factor(user)
        ):
            target = "accounts:totp_verify" if user.has_totp else "accounts:totp_setup"
            return redirect(reverse(target))
        return self.get_response(request)
