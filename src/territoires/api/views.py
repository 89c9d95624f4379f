"""Body administrators' page for API tokens: list, create (secret shown once), revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from territoires.api import selectors, services
from territoires.api.forms import ApiTokenForm
from territoires.api.models import ApiToken
from territoires.tenancy.models import Body
from territoires.tenancy.views import body_view
from territoires.ui.forms import add_service_errors

PERM = "body.manage_api_tokens"


@never_cache
@body_view(perm=PERM)
def token_list(request, body: Body):
    """The secret is rendered in the POST response only: never in a URL, a session or a redirect."""
    form = ApiTokenForm(request.POST or None, body=body, initial={"user": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.api_token_create(
                actor=request.user, body=body, user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": selectors.api_tokens_of_body(body=body), "nav_current": "api"},
    )


@require_POST
@body_view(perm=PERM)
def token_revoke(request, body: Body, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, body=body)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("api_tokens:list", body.siren)
