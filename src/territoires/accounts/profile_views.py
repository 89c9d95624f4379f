"""The user's own account page and password change."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from territoires.accounts import selectors, services
from territoires.accounts.flow import complete_login_required
from territoires.accounts.forms import PasswordChangeForm, ProfileForm
from territoires.tenancy.access import requires_second_factor
from territoires.ui.forms import add_service_errors


@complete_login_required
def profile(request):
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"first_name": user.first_name, "last_name": user.last_name}
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(actor=user, **form.cleaned_data)
        messages.success(request, _("Vos informations sont enregistrées."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": selectors.memberships_of_user(user=user),
            "platform_roles": selectors.platform_roles_of_user(user=user),
            "totp_required": requires_second_factor(user),
            "has_password": user.has_usable_password(),
        },
    )


@sensitive_post_parameters()
@complete_login_required
def password_change(request):
    user = request.user
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=user,
                current_password=form.cleaned_data.get("current_password", ""),
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, user)  # stay logged in here, other sessions end
            messages.success(request, _("Votre mot de passe est enregistré."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "has_password": "current_password" in form.fields},
    )
