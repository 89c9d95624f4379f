"""Agents across bodies: search, memberships, direct grants and withdrawals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.accounts.models import User
from territoires.backoffice import selectors
from territoires.backoffice import services as bo_services
from territoires.backoffice.forms import GrantForm, UserSearchForm
from territoires.backoffice.views.common import operator_view, render_list
from territoires.tenancy import services
from territoires.tenancy.models import Body, Membership
from territoires.ui.forms import add_service_errors

PERM = "platform.manage_agents"


@operator_view(PERM)
def agent_list(request):
    form = UserSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return render_list(
        request,
        template="backoffice/agents.html",
        fragment="backoffice/_agent_results.html",
        queryset=selectors.users_search(actor=request.user, q=q),
        context={"form": form, "nav_current": "agents"},
    )


@operator_view(PERM)
def agent_detail(request, user_id: int):
    person = get_object_or_404(User, pk=user_id)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        body = Body.objects.filter(siren=form.cleaned_data["siren"]).first()
        if body is None:
            form.add_error("siren", _("Aucun organisme adhérent n'a ce SIREN."))
        else:
            try:
                services.membership_grant(
                    actor=request.user, body=body, user=person, roles=form.cleaned_data["roles"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(email)s a reçu les rôles choisis dans %(body)s.")
                    % {"email": person.email, "body": body.name},
                )
                return redirect("backoffice:agent_detail", person.pk)
    return render(
        request,
        "backoffice/agent_detail.html",
        {
            "person": person,
            "memberships": selectors.user_memberships(actor=request.user, user=person),
            "form": form,
            "nav_current": "agents",
        },
    )


@operator_view(PERM)
@require_POST
def membership_revoke(request, membership_id: int):
    membership = get_object_or_404(
        Membership.objects.select_related("user", "body"), pk=membership_id
    )
    try:
        bo_services.membership_revoke(actor=request.user, membership=membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("L'accès de %(email)s à %(body)s est retiré.")
            % {"email": membership.user.email, "body": membership.body.name},
        )
    return redirect("backoffice:agent_detail", membership.user_id)
