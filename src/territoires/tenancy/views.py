"""Agent-facing pages of a body: home, switcher, agents, journal, invitations."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from territoires.accounts.invitations import InvitationFlow, invitation_page
from territoires.accounts.models import User
from territoires.tenancy import access, selectors, services
from territoires.tenancy.forms import (
    AdhesionForm,
    BodyProfileForm,
    InvitationForm,
    RolesForm,
)
from territoires.tenancy.models import Body, Invitation, Membership, Service
from territoires.tenancy.navigation import pending_work
from territoires.ui.forms import add_service_errors
from territoires.ui.pagination import paginate


def body_view(perm: str = "body.view", service: str | None = None):
    """Resolve `<siren>` to a body the user belongs to (else 404) and check `perm`.

    This is the single door to body-scoped pages: it sets `request.active_body`,
    remembers the body as the user's last one, and checks the subscription.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, siren: str, *args, **kwargs):
            try:
                body_access = selectors.body_access_for_user(user=request.user, siren=siren)
            except Body.DoesNotExist:
                raise Http404 from None
            body = body_access.body
            access.prime(request.user, body_access)
            access.require_perm(request.user, body, perm)
            if service is not None:
                access.require_service(body, service)
            request.active_body = body
            if request.user.last_body_id != body.pk:
                User.objects.filter(pk=request.user.pk).update(last_body=body)
                request.user.last_body = body
            return view(request, body, *args, **kwargs)

        return wrapper

    return decorator


@login_required
def switch(request):
    bodies = list(selectors.bodies_for_user(user=request.user))
    return render(request, "tenancy/switch.html", {"bodies": bodies})


@body_view()
def home(request, body: Body):
    services_on = access.active_services(body)
    notifications = selectors.unread_notifications(user=request.user, body=body)
    return render(
        request,
        "tenancy/home.html",
        {  # the services' links come from the context processor, as for the menu
            "pending": pending_work(request.user, body, services_on),
            "notifications": notifications,
            "nav_current": "home",
        },
    )


@body_view()
def service_placeholder(request, body: Body, code: str):
    if code not in Service.values:
        raise Http404
    access.require_service(body, code)
    return render(
        request,
        "tenancy/service_placeholder.html",
        {"service_label": Service(code).label, "nav_current": code},
    )


@body_view(perm="body.manage_agents")
def agents(request, body: Body):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                actor=request.user, body=body, email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": invitation.email})
            if request.htmx:
                form = InvitationForm()
            else:
                return redirect("tenancy:agents", body.siren)
    context = {
        "form": form,
        "memberships": selectors.memberships_of_body(body=body),
        "invitations": Invitation.objects.filter(body=body, accepted_at__isnull=True,
                                                 revoked_at__isnull=True).order_by("-created_at"),
        "nav_current": "agents",
    }
    template = "tenancy/_agents_panel.html" if request.htmx else "tenancy/agents.html"
    return render(request, template, context)


@body_view(perm="body.manage_agents")
def membership_edit(request, body: Body, membership_id: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, body=body)
    initial = {"roles": [r.code for r in membership.roles.all()]}
    form = RolesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if "deactivate" in request.POST:
                services.membership_deactivate(actor=request.user, membership=membership)
                messages.success(request, _("L'accès de %(email)s est retiré.") % {"email": membership.user.email})
            else:
                services.membership_set_roles(actor=request.user, membership=membership,
                                              roles=form.cleaned_data["roles"])
                messages.success(request, _("Rôles mis à jour."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("tenancy:agents", body.siren)
    return render(request, "tenancy/membership_edit.html",
                  {"form": form, "membership": membership, "nav_current": "agents"})


@require_POST
@body_view(perm="body.manage_agents")
def invitation_revoke(request, body: Body, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, body=body)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("Invitation annulée."))
    return redirect("tenancy:agents", body.siren)


@body_view(perm="body.edit_profile")
def profile(request, body: Body):
    form = BodyProfileForm(
        request.POST or None, request.FILES or None,
        initial={"siret": body.siret, "address": body.address, "population": body.population},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.body_profile_update(
                actor=request.user, body=body, siret=form.cleaned_data["siret"],
                address=form.cleaned_data["address"],
                population=form.cleaned_data["population"], logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data["remove_logo"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La fiche de l'organisme est enregistrée."))
            return redirect("tenancy:profile", body.siren)
    return render(request, "tenancy/profile.html", {"form": form, "nav_current": "profile"})


@body_view(perm="body.read_journal")
def journal(request, body: Body):
    from territoires.journal.selectors import journal_for_body

    page, query_string = paginate(request, journal_for_body(body=body), per_page=50)
    return render(request, "tenancy/journal.html",
                  {"page": page, "query_string": query_string, "nav_current": "journal"})


def _invitation_joined(request, invitation, membership) -> str:
    return reverse("tenancy:home", args=[invitation.body.siren])


INVITATION_FLOW = InvitationFlow(
    get=lambda token: services.invitation_get(token=token),
    accept=services.invitation_accept,
    error=services.InvitationError,
    template="tenancy/invitation_accept.html",
    invalid_template="tenancy/invitation_invalid.html",
    joined=_invitation_joined,
    joined_message=lambda invitation: _("Vous avez rejoint %(body)s.") % {"body": invitation.body.name},
)


def invitation_accept(request, token: str):
    """Public page of an invitation link: create the account or join with the current one."""
    return invitation_page(request, token, INVITATION_FLOW)


def logo(request, siren: str):
    """A body's logo is public (its websites and documents show it); nothing else is served."""
    body = get_object_or_404(Body, siren=siren, is_active=True)
    if not body.logo:
        raise Http404
    content_type = "image/png" if body.logo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(body.logo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def adhesion(request):
    """Public membership request form."""
    form = AdhesionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_request_submit(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "tenancy/adhesion_done.html", {"name": form.cleaned_data["name"]})
    return render(request, "tenancy/adhesion.html", {"form": form})
