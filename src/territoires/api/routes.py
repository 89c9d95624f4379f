"""Endpoints of /api/v1/: thin, scoped by `caller_body`, writing only through services."""

from django.http import HttpRequest
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from territoires.api.auth import caller_bodies, caller_body
from territoires.api.pagination import Pagination
from territoires.api.schemas import (
    SIREN_PATTERN,
    BodyOut,
    BodyRolesOut,
    ErrorOut,
    InvitationIn,
    InvitationOut,
    MembershipOut,
    MembershipRequestIn,
    MembershipRequestOut,
    MeOut,
    RoleOut,
)
from territoires.tenancy import access, selectors, services
from territoires.tenancy.models import Membership

router = Router()

AUTH_ERRORS = {401: ErrorOut}
BODY_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Siren = Path(..., pattern=SIREN_PATTERN, description="SIREN de l'organisme (9 chiffres).")


def _roles(membership: Membership) -> list[RoleOut]:
    return [RoleOut(code=r.code, label=r.label) for r in membership.roles.all()]


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, tags=["compte"],
            summary="Utilisateur courant et ses organismes")
def me(request: HttpRequest):
    """Who the caller acts as; a token only ever shows its own body."""
    user = request.user
    bodies = caller_bodies(request)
    memberships = (
        Membership.objects.filter(user=user, body__in=bodies, is_active=True)
        .select_related("body")
        .prefetch_related("roles")
        .order_by("body__name")
    )
    return MeOut(
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        kind=user.kind,
        authentication="token" if getattr(request, "api_token", None) else "session",
        bodies=[BodyRolesOut(siren=m.body.siren, name=m.body.name, roles=_roles(m)) for m in memberships],
    )


@router.get("/bodies", response={200: list[BodyOut], **AUTH_ERRORS}, tags=["organismes"],
            summary="Organismes accessibles")
@paginate(Pagination)
def bodies_list(request: HttpRequest):
    """Bodies the caller belongs to (a token: its body only), by name."""
    return caller_bodies(request)


@router.get("/bodies/{siren}", response={200: BodyOut, **BODY_ERRORS}, tags=["organismes"],
            summary="Fiche d'un organisme")
def body_detail(request: HttpRequest, siren: str = Siren):
    return caller_body(request, siren)


@router.get("/bodies/{siren}/memberships",
            response={200: list[MembershipOut], 403: ErrorOut, **BODY_ERRORS},
            tags=["organismes"], summary="Agents de l'organisme et leurs rôles")
@paginate(Pagination)
def memberships_list(request: HttpRequest, siren: str = Siren):
    """Requires « body.manage_agents » in that body, like the agents page."""
    body = caller_body(request, siren)
    access.require_perm(request.user, body, "body.manage_agents")
    return selectors.memberships_of_body(body=body)


@router.post("/bodies/{siren}/invitations",
             response={201: InvitationOut, 403: ErrorOut, **BODY_ERRORS},
             tags=["organismes"], summary="Inviter un agent")
def invitation_create(request: HttpRequest, payload: InvitationIn, siren: str = Siren):
    """Sends the invitation e-mail, as the agents page does.

    The permission is checked in the body first: the service would also
    accept an operator's platform role, which a body-bound token must not use.
    """
    body = caller_body(request, siren)
    access.require_perm(request.user, body, "body.manage_agents")
    invitation, _token = services.invitation_create(
        actor=request.user, body=body, email=payload.email, roles=payload.roles
    )
    return Status(201, InvitationOut(
        id=invitation.pk,
        email=invitation.email,
        roles=sorted(r.code for r in invitation.roles.all()),
        expires_at=invitation.expires_at,
    ))


@router.post("/membership-requests", auth=None,
             response={201: MembershipRequestOut, 400: ErrorOut, 422: ErrorOut},
             tags=["adhésion"], summary="Demander l'adhésion d'un organisme")
def membership_request_submit(request: HttpRequest, payload: MembershipRequestIn):
    """Public, like the adhésion form; the operator decides afterwards."""
    membership_request = services.membership_request_submit(**payload.dict())
    return Status(201, MembershipRequestOut(
        id=membership_request.pk,
        siren=membership_request.siren,
        name=membership_request.name,
        status=membership_request.status,
    ))
