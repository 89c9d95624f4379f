"""Login, logout and one-time login links. The sequence itself is in flow.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from territoires.accounts import flow, services
from territoires.accounts.forms import LoginForm
from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.accounts.oidc import proconnect_logout_url
from territoires.accounts.services import LockedOut, LoginLinkError


def lockout_message(until) -> str:
    """French, in Paris local time: the user reads the clock on their wall."""
    return _(
        "Trop d'essais infructueux : par sécurité, ce compte est bloqué jusqu'à %(time)s "
        "(heure de Paris). Vous pourrez réessayer ensuite, ou dès maintenant choisir un "
        "nouveau mot de passe avec « Mot de passe oublié ? »."
    ) % {"time": date_format(timezone.localtime(until), "H:i")}


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    next_url = flow.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if (
        request.method == "GET"
        and request.user.is_authenticated
        and request.session.get(SECOND_FACTOR_SESSION_KEY)
    ):
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate(
                request, username=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except LockedOut as locked:
            form.add_error(None, lockout_message(locked.until))
        else:
            if user is not None:
                return flow.login_begin(
                    request, user, backend=user.backend, method="password", next_url=next_url
                )
            form.add_error(
                None,
                _(
                    "Adresse électronique ou mot de passe incorrect. Après %(count)s essais "
                    "infructueux, le compte est bloqué pendant %(minutes)s minutes."
                )
                % {"count": settings.LOGIN_MAX_FAILURES, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    """Log out here, then at ProConnect when the session came from it (RP-initiated)."""
    provider_logout = proconnect_logout_url(request)  # before logout(): it reads the session
    logout(request)
    if provider_logout is not None:
        return redirect(provider_logout)  # ProConnect comes back to oidc:logout_callback
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("accounts:login")


def _link_invalid(request, error: str):
    return render(
        request,
        "accounts/link_invalid.html",
        {"error": error, "retry_url": reverse("accounts:password_reset")},
        status=410,
    )


@never_cache
def login_link(request, token: str):
    """GET only shows a button; POST spends the link.

    Mail scanners and link previews fetch URLs: a GET must not use up a
    single-use link before its owner clicks it.
    """
    try:
        link = services.login_link_get(token=token)
    except LoginLinkError as error:
        return _link_invalid(request, str(error))
    if request.method == "POST":
        try:
            user = services.login_link_use(token=token)
        except LoginLinkError as error:
            return _link_invalid(request, str(error))
        if not user.has_usable_password():
            messages.info(
                request,
                _(
                    "Bienvenue ! Choisissez maintenant votre mot de passe "
                    "pour vos prochaines connexions."
                ),
            )
        return flow.login_begin(
            request,
            user,
            backend=flow.PASSWORD_BACKEND,
            method="link",
            next_url=reverse("accounts:profile"),
        )
    return render(request, "accounts/login_link.html", {"link_user": link.user})
