"""Who is calling the API: a per-body bearer token, or a logged-in browser.

A token acts as its user but only inside its body: `request.api_body` is set
and every endpoint scopes through `caller_bodies`, so another SIREN is a 404.
"""

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from territoires.accounts.middleware import second_factor_satisfied
from territoires.api import selectors
from territoires.api.services import api_token_touch
from territoires.tenancy.models import Body

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer trt_…`; a present but unusable token is a 401, never a fallback."""

    def authenticate(self, request: HttpRequest, token: str):
        api_token = selectors.api_token_resolve(secret=token.strip())
        if api_token is None:
            raise AuthenticationError(message=_("Jeton d'API invalide, révoqué ou expiré."))
        api_token_touch(token=api_token)
        request.user = api_token.user
        request.api_token = api_token
        request.api_body = api_token.body
        return api_token


class SessionAuth(APIKeyCookie):
    """The browser session, for the browsable docs; CSRF is checked on unsafe methods.

    A user whose roles require a second factor must have passed it: the
    second-factor middleware lets /api/ through, so the check lives here.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not second_factor_satisfied(request):
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, _("Jeton CSRF absent ou invalide : rechargez la page de documentation."))
        request.api_token = None
        request.api_body = None
        return user


def caller_bodies(request: HttpRequest):
    return selectors.api_bodies(user=request.user, token=getattr(request, "api_token", None))


def caller_body(request: HttpRequest, siren: str) -> Body:
    """The body the caller may see, else 404 (an outsider cannot tell it exists)."""
    try:
        return caller_bodies(request).get(siren=siren)
    except Body.DoesNotExist:
        raise Http404 from None
