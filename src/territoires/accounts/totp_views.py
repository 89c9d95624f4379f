"""Second-factor pages: code at login, enrolment, removal."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from territoires.accounts import flow, services, totp
from territoires.accounts.forms import TotpCodeForm
from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.accounts.services import LockedOut
from territoires.accounts.views import lockout_message
from territoires.tenancy.access import requires_second_factor
from territoires.ui.forms import add_service_errors

# The secret being enrolled lives in the session until a code confirms it,
# so an abandoned enrolment leaves nothing half-done on the account.
SETUP_SECRET_KEY = "accounts_totp_setup_secret"  # noqa: S105 (not a secret)


@never_cache
def totp_verify(request):
    pending = flow.pending_user(request)
    user = pending or (request.user if request.user.is_authenticated else None)
    if user is None:
        return redirect("accounts:login")
    if pending is None and request.session.get(SECOND_FACTOR_SESSION_KEY):
        return redirect(flow.pop_next(request))
    if not user.has_totp:
        flow.pending_clear(request)
        return redirect(
            "accounts:totp_setup" if request.user.is_authenticated else "accounts:login"
        )
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_check(user=user, code=form.cleaned_data["code"])
        except LockedOut as locked:
            flow.pending_clear(request)
            if request.user.is_authenticated:
                logout(request)
            messages.error(request, lockout_message(locked.until))
            return redirect("accounts:login")
        except ValidationError as error:
            form.add_error("code", error.messages)
        else:
            return flow.second_factor_passed(request, user)
    return render(request, "accounts/totp_verify.html", {"form": form})


@login_required
@never_cache
def totp_setup(request):
    user = request.user
    if user.has_totp:
        if not request.session.get(SECOND_FACTOR_SESSION_KEY):
            return redirect("accounts:totp_verify")
        messages.info(request, _("La double authentification est déjà activée sur votre compte."))
        return redirect("accounts:profile")
    secret = request.session.get(SETUP_SECRET_KEY)
    if not secret:
        secret = request.session[SETUP_SECRET_KEY] = totp.new_secret()
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_enable(actor=user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.pop(SETUP_SECRET_KEY, None)
            messages.success(
                request,
                _(
                    "La double authentification est activée. Gardez votre téléphone "
                    "à portée de main à chaque connexion."
                ),
            )
            request.session.setdefault(flow.NEXT_KEY, reverse("accounts:profile"))
            return flow.second_factor_passed(request, user)
    uri = totp.provisioning_uri(secret=secret, email=user.email)
    return render(
        request,
        "accounts/totp_setup.html",
        {
            "form": form,
            "qr_code": totp.qr_data_uri(uri),
            "secret": totp.grouped(secret),
            "required": requires_second_factor(user),
        },
    )


@flow.complete_login_required
def totp_disable(request):
    required = requires_second_factor(request.user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_disable(actor=request.user, code=form.cleaned_data["code"])
        except LockedOut as locked:
            form.add_error(None, lockout_message(locked.until))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La double authentification est désactivée."))
            return redirect("accounts:profile")
    return render(request, "accounts/totp_disable.html", {"form": form, "required": required})
