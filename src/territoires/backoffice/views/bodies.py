"""Member bodies: list, creation, detail (subscriptions, agents, invitations), edition."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.backoffice import selectors
from territoires.backoffice import services as bo_services
from territoires.backoffice.forms import (
    BodyCreateForm,
    BodyFieldsForm,
    BodyFilterForm,
    InviteAdminForm,
    SubscriptionsForm,
)
from territoires.backoffice.services import BODY_EDITABLE_FIELDS
from territoires.backoffice.views.common import operator_view, render_list
from territoires.tenancy import services
from territoires.tenancy.models import Body, Invitation, Service
from territoires.tenancy.selectors import memberships_of_body
from territoires.ui.forms import add_service_errors


def _body(request, siren: str) -> Body:
    try:
        return selectors.body_get(actor=request.user, siren=siren)
    except Body.DoesNotExist:
        raise Http404 from None


@operator_view("platform.view")
def body_list(request):
    form = BodyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return render_list(
        request,
        template="backoffice/bodies.html",
        fragment="backoffice/_body_results.html",
        queryset=selectors.bodies_search(actor=request.user, **filters),
        context={"form": form, "nav_current": "bodies"},
    )


@operator_view("platform.manage_bodies")
def body_create(request):
    form = BodyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            body = services.body_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("L'organisme %(name)s est créé.") % {"name": body.name})
            return redirect("backoffice:body_detail", body.siren)
    return render(
        request, "backoffice/body_form.html", {"form": form, "body": None, "nav_current": "bodies"}
    )


@operator_view("platform.manage_bodies")
def body_edit(request, siren: str):
    body = _body(request, siren)
    initial = {name: getattr(body, name) for name in BODY_EDITABLE_FIELDS}
    form = BodyFieldsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            bo_services.body_update(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La fiche de l'organisme est enregistrée."))
            return redirect("backoffice:body_detail", body.siren)
    return render(
        request, "backoffice/body_form.html", {"form": form, "body": body, "nav_current": "bodies"}
    )


def _detail(request, body: Body, *, subscriptions_form=None, invite_form=None):
    active = selectors.body_subscriptions(body=body)
    context = {
        "body": body,
        "active_service_labels": [label for code, label in Service.choices if code in active],
        "subscriptions_form": subscriptions_form or SubscriptionsForm(initial={"services": active}),
        "invite_form": invite_form or InviteAdminForm(),
        "memberships": memberships_of_body(body=body),
        "invitations": Invitation.objects.filter(
            body=body, accepted_at__isnull=True, revoked_at__isnull=True
        ).order_by("-created_at"),
        "nav_current": "bodies",
    }
    return render(request, "backoffice/body_detail.html", context)


@operator_view("platform.view")
def body_detail(request, siren: str):
    return _detail(request, _body(request, siren))


@operator_view("platform.manage_bodies")
@require_POST
def body_subscriptions(request, siren: str):
    body = _body(request, siren)
    form = SubscriptionsForm(request.POST)
    if form.is_valid():
        try:
            services.body_set_subscriptions(
                actor=request.user, body=body, services=form.cleaned_data["services"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Les abonnements de %(name)s sont mis à jour.") % {"name": body.name}
            )
            return redirect("backoffice:body_detail", body.siren)
    return _detail(request, body, subscriptions_form=form)


@operator_view("platform.manage_agents")
@require_POST
def body_invite_admin(request, siren: str):
    body = _body(request, siren)
    form = InviteAdminForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user,
                body=body,
                email=form.cleaned_data["email"],
                roles=["administrateur"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation d'administrateur envoyée à %(email)s.") % {"email": invitation.email},
            )
            return redirect("backoffice:body_detail", body.siren)
    return _detail(request, body, invite_form=form)


@operator_view("platform.manage_bodies")
@require_POST
def body_set_active(request, siren: str):
    body = _body(request, siren)
    is_active = request.POST.get("is_active") == "1"
    bo_services.body_set_active(actor=request.user, body=body, is_active=is_active)
    if is_active:
        messages.success(request, _("L'organisme %(name)s est réactivé.") % {"name": body.name})
    else:
        messages.success(
            request,
            _("L'organisme %(name)s est suspendu : ses agents n'y ont plus accès.")
            % {"name": body.name},
        )
    return redirect("backoffice:body_detail", body.siren)
