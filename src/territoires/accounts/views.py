"""Login pages (interim: password only; TOTP, reset and ProConnect are added next)."""

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.accounts.backends import LockedOut
from territoires.accounts.forms import LoginForm
from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def login_view(request):
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate(request, username=form.cleaned_data["email"],
                                password=form.cleaned_data["password"])
        except LockedOut as locked:
            form.add_error(None, _("Trop d'essais infructueux : ce compte est bloqué jusqu'à %(time)s.")
                           % {"time": locked.until.strftime("%H:%M")})
        else:
            if user is None:
                form.add_error(None, _("Adresse électronique ou mot de passe incorrect."))
            else:
                login(request, user)
                request.session[SECOND_FACTOR_SESSION_KEY] = False
                return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Vous êtes déconnecté."))
    return redirect("accounts:login")


@login_required
def profile(request):
    return render(request, "accounts/profile.html")


@login_required
def totp_verify(request):
    return render(request, "accounts/profile.html")


@login_required
def totp_setup(request):
    return render(request, "accounts/profile.html")
