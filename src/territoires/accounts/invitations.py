"""The page behind an invitation link, shared by bodies (agents) and company accounts (colleagues).

Both invitations work alike, so one view flow serves them: an unusable link gets
its French reason; a person who already has an account logs in, then accepts; a
newcomer creates the account on the page (then logs in through `login_begin`, so
a second factor the account requires is asked for at once). What differs — the
service functions, templates and where the person lands — is an `InvitationFlow`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from territoires.accounts.flow import PASSWORD_BACKEND, login_begin
from territoires.accounts.forms import NewAccountForm
from territoires.accounts.models import User
from territoires.ui.forms import add_service_errors


@dataclass(frozen=True)
class InvitationFlow:
    """`get(token)` returns the invitation (with `.email`) or raises `error`, whose message
    is French; `accept(token=…, user=…)` or `accept(token=…, first_name=…, last_name=…,
    password=…)` returns the new membership; `joined(request, invitation, membership)`
    prepares the session and returns where the person lands (a URL)."""

    get: Callable[[str], Any]
    accept: Callable[..., Any]
    error: type[Exception]
    template: str
    invalid_template: str
    joined: Callable[[Any, Any, Any], str]
    joined_message: Callable[[Any], str]


def invitation_page(request, token: str, flow: InvitationFlow) -> HttpResponse:
    try:
        invitation = flow.get(token)
    except flow.error as error:
        return render(request, flow.invalid_template, {"error": str(error)}, status=410)
    existing = User.objects.filter(email__iexact=invitation.email).first()
    form = None
    if request.user.is_authenticated or existing is not None:
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.path)
            try:
                membership = flow.accept(token=token, user=request.user)
            except flow.error as error:
                return render(request, flow.invalid_template, {"error": str(error)}, status=403)
            messages.success(request, flow.joined_message(invitation))
            return redirect(flow.joined(request, invitation, membership))
    else:
        form = NewAccountForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                membership = flow.accept(token=token, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except flow.error as error:
                return render(request, flow.invalid_template, {"error": str(error)}, status=403)
            else:
                next_url = flow.joined(request, invitation, membership)
                messages.success(request, _("Bienvenue ! Votre compte est créé."))
                return login_begin(request, membership.user, backend=PASSWORD_BACKEND, method="password",
                                   next_url=next_url)
    return render(request, flow.template, {"invitation": invitation, "form": form, "existing": existing})

