"""Forgotten password: ask for a link by e-mail, then choose a new password."""

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from territoires.accounts import selectors, services
from territoires.accounts.forms import NewPasswordForm, PasswordResetRequestForm
from territoires.ui.forms import add_service_errors


def password_reset(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        # Same answer whether the address has an account or not.
        return render(
            request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/password_reset.html", {"form": form})


@sensitive_post_parameters()
@never_cache
def password_reset_confirm(request, uidb64: str, token: str):
    user = selectors.user_for_password_reset(uidb64=uidb64, token=token)
    if user is None:
        return render(
            request,
            "accounts/link_invalid.html",
            {
                "error": _(
                    "Ce lien pour choisir un nouveau mot de passe n'est plus valable : "
                    "il a expiré ou il a déjà servi. Faites une nouvelle demande."
                ),
                "retry_url": reverse("accounts:password_reset"),
            },
            status=410,
        )
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                user=user, token=token, new_password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.user.is_authenticated:
                logout(request)
            messages.success(
                request,
                _(
                    "Votre nouveau mot de passe est enregistré. "
                    "Vous pouvez maintenant vous connecter."
                ),
            )
            return redirect("accounts:login")
    return render(
        request, "accounts/password_reset_confirm.html", {"form": form, "reset_user": user}
    )
