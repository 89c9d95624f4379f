"""Force the second factor where a role requires it.

A user whose roles require TOTP (operator staff, body administrators) is
logged in only halfway until the session holds `SECOND_FACTOR_SESSION_KEY`:
every page except the second-factor pages and logout redirects there.

A session that needed no second factor at login is marked with the time of
that check (`NOT_REQUIRED_AT_KEY`) and re-checked every RECHECK_SECONDS: an
agent promoted to administrator mid-session is asked for TOTP within a
minute, without a query on every request.
"""

import time

from django.shortcuts import redirect
from django.urls import reverse

from territoires.tenancy.access import requires_second_factor

SECOND_FACTOR_SESSION_KEY = "second_factor_ok"
NOT_REQUIRED_AT_KEY = "second_factor_not_required_at"
RECHECK_SECONDS = 60
ALLOWED_PREFIXES = ("/compte/", "/static/", "/api/")


def second_factor_mark(session, *, verified: bool) -> None:
    """Record a completed login: second factor verified, or not required (as of now)."""
    session[SECOND_FACTOR_SESSION_KEY] = True
    if verified:
        session.pop(NOT_REQUIRED_AT_KEY, None)
    else:
        session[NOT_REQUIRED_AT_KEY] = time.time()


def _still_not_required(request) -> bool:
    checked_at = request.session.get(NOT_REQUIRED_AT_KEY)
    if checked_at is None or time.time() - checked_at < RECHECK_SECONDS:
        return True
    if requires_second_factor(request.user):
        request.session[SECOND_FACTOR_SESSION_KEY] = False
        request.session.pop(NOT_REQUIRED_AT_KEY, None)
        return False
    request.session[NOT_REQUIRED_AT_KEY] = time.time()
    return True


def second_factor_satisfied(request) -> bool:
    """True when the logged-in user may act: second factor done, or not required."""
    if request.session.get(SECOND_FACTOR_SESSION_KEY) and _still_not_required(request):
        return True
    return not requires_second_factor(request.user)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not second_factor_satisfied(request)
        ):
            target = "accounts:totp_verify" if user.has_totp else "accounts:totp_setup"
            return redirect(reverse(target))
        return self.get_response(request)
