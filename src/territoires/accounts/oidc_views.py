"""ProConnect pages: start the login, receive the callback, come back from logout.

The protocol lives in `territoires.accounts.oidc`; these views only turn its
results and `OIDCError`s into redirects and French pages (never a 500).
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from territoires.accounts import oidc


def _error(request, error: oidc.OIDCError):
    oidc.login_failure_record(code=error.code, request=request)
    return render(
        request,
        "accounts/oidc_error.html",
        {"message": error.message, "retry_url": reverse("oidc:login")},
        status=error.status,
    )


@never_cache
@require_GET
def login(request):
    """Send the browser to ProConnect (`?next=` and `?login_hint=` are passed along)."""
    if not oidc.is_enabled():
        raise Http404
    try:
        url = oidc.authorization_url(
            request,
            next_url=request.GET.get("next"),
            login_hint=request.GET.get("login_hint", "")[:254],
        )
    except oidc.OIDCError as error:
        return _error(request, error)
    return redirect(url)


@never_cache
@require_GET
def callback(request):
    if not oidc.is_enabled():
        raise Http404
    try:
        identity, next_url = oidc.callback_identity(request)
    except oidc.OIDCError as error:
        return _error(request, error)
    outcome = oidc.proconnect_agent_match(identity=identity)
    if outcome.user is None:
        # Kept so "use another ProConnect account" can end the provider's session.
        request.session[oidc.ID_TOKEN_SESSION_KEY] = identity.id_token
        return render(
            request,
            "accounts/oidc_no_account.html",
            {"email": identity.email, "refusal": outcome.refusal},
            status=403,
        )
    return oidc.session_open(request, user=outcome.user, identity=identity, next_url=next_url)


@never_cache
@require_GET
def logout_callback(request):
    """Where ProConnect sends the browser back after its own logout."""
    if not oidc.logout_state_valid(request.GET.get("state", "")):
        return render(
            request,
            "accounts/oidc_error.html",
            {
                "message": _("Le retour de ProConnect après la déconnexion n'a pas été reconnu. "
                             "Vous êtes bien déconnecté de Territoires."),
                "retry_url": "",
            },
            status=400,
        )
    messages.info(request, _("Vous êtes déconnecté de Territoires et de ProConnect."))
    return redirect("accounts:login")
