"""Writes on bodies, subscriptions, memberships, invitations and adhésions.

Every function here is keyword-only, runs in one transaction, checks the
actor's permission first and writes the journal.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.accounts.models import User
from territoires.accounts.services import validate_new_password
from territoires.core.mail import email_schedule
from territoires.journal.services import journal_record
from territoires.tenancy import access
from territoires.tenancy.logos import logo_checked
from territoires.tenancy.models import (
    Body,
    Commune,
    Invitation,
    Membership,
    MembershipRequest,
    MembershipRequestStatus,
    Notification,
    OperatorStaff,
    Role,
    Service,
    Subscription,
)
from territoires.tenancy.nuts import nuts3_for_departement
from territoires.tenancy.roles import BODY, PLATFORM


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles(codes: list[str], scope: str) -> list[Role]:
    roles = list(Role.objects.filter(code__in=codes, scope=scope))
    unknown = set(codes) - {r.code for r in roles}
    if unknown:
        raise ValidationError(
            {"roles": _("Rôle inconnu : %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    if not roles:
        raise ValidationError({"roles": _("Choisissez au moins un rôle.")})
    return roles


def _services(codes: list[str]) -> list[str]:
    unknown = set(codes) - set(Service.values)
    if unknown:
        raise ValidationError(
            {"services": _("Service inconnu : %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    return list(dict.fromkeys(codes))


def body_create(
    *,
    actor,
    siren: str,
    name: str,
    kind: str,
    epci_form: str = "",
    insee_code: str = "",
    departement: str = "",
    arrondissement: str = "",
    population: int | None = None,
    nuts3: str = "",
    address: str = "",
    services: list[str] | None = None,
) -> Body:
    """Create a member body (operator only). `actor=None` means a system command."""
    if actor is not None:
        access.require_platform_perm(actor, "platform.manage_bodies")
    with transaction.atomic():
        if Body.objects.filter(siren=siren).exists():
            raise ValidationError({"siren": _("Un organisme avec ce SIREN existe déjà.")})
        commune = Commune.objects.filter(insee_code=insee_code).first() if insee_code else None
        departement = departement or (commune.departement if commune else "")
        body = Body(
            siren=siren,
            name=name,
            kind=kind,
            epci_form=epci_form,
            insee_code=insee_code,
            departement=departement,
            arrondissement=arrondissement,
            population=population,
            nuts3=nuts3 or nuts3_for_departement(departement),
            address=address,
            commune=commune,
        )
        body.full_clean()
        body.save()
        for service in _services(services or []):
            Subscription.objects.create(body=body, service=service)
        journal_record(
            actor=actor,
            action="body.create",
            body=body,
            target=body,
            summary=name,
            payload={"siren": siren, "kind": kind, "services": services or []},
        )
    return body


def body_set_subscriptions(*, actor, body: Body, services: list[str]) -> None:
    access.require_platform_perm(actor, "platform.manage_bodies")
    wanted = set(_services(services))
    with transaction.atomic():
        now = timezone.now()
        for service in Service.values:
            sub, created = Subscription.objects.get_or_create(
                body=body, service=service, defaults={"is_active": service in wanted}
            )
            if not created and sub.is_active != (service in wanted):
                sub.is_active = service in wanted
                sub.changed_at = now
                sub.save(update_fields=["is_active", "changed_at"])
        access.forget_services(body)
        journal_record(
            actor=actor,
            action="body.subscriptions",
            body=body,
            target=body,
            payload={"services": sorted(wanted)},
        )


def body_profile_update(
    *, actor, body: Body, address: str, population: int | None, logo=None, remove_logo: bool = False,
    siret: str | None = None,
) -> Body:
    """A body's administrators keep its public details (SIRET, address, population, logo) up to date."""
    access.require_perm(actor, body, "body.edit_profile")
    with transaction.atomic():
        body = Body.objects.select_for_update().get(pk=body.pk)
        body.address = address
        body.population = population
        changed = ["address", "population"]
        if siret is not None:
            body.siret = siret.replace(" ", "")
            changed.append("siret")
        if logo is not None:
            checked = logo_checked(logo)
            body.logo.save(checked.name, checked, save=False)
            changed.append("logo")
        elif remove_logo and body.logo:
            body.logo = ""
            changed.append("logo")
        body.full_clean()
        body.save(update_fields=changed)
        journal_record(
            actor=actor,
            action="body.profile",
            body=body,
            target=body,
            payload={"siret": body.siret, "address": address, "population": population,
                     "logo": body.logo.name or ""},
        )
    return body


def invitation_create(*, actor, body: Body, email: str, roles: list[str]) -> tuple[Invitation, str]:
    """Invite someone to a body; returns the invitation and the clear token.

    The clear token only leaves this function in the e-mail (and in the
    operator command's output); the database keeps its hash.
    """
    if actor is not None:
        if not access.has_perm(actor, body, "body.manage_agents"):
            access.require_platform_perm(actor, "platform.manage_agents")
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        role_objs = _roles(roles, BODY)
        if Membership.objects.filter(body=body, user__email__iexact=email, is_active=True).exists():
            raise ValidationError({"email": _("Cette personne est déjà agent de l'organisme.")})
        if Invitation.objects.filter(
            body=body,
            email__iexact=email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).exists():
            raise ValidationError(
                {"email": _("Une invitation est déjà en attente pour cette adresse.")}
            )
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            body=body,
            email=email,
            token_hash=token_hash(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALIDITY_DAYS),
        )
        invitation.roles.set(role_objs)
        url = settings.PUBLIC_URL + reverse("tenancy:invitation_accept", args=[token])
        email_schedule(
            to=email,
            subject=_("Invitation à rejoindre %(body)s sur Territoires") % {"body": body.name},
            template="tenancy/emails/invitation.txt",
            context={"body": body, "url": url, "actor": actor, "invitation": invitation},
        )
        journal_record(
            actor=actor,
            action="invitation.create",
            body=body,
            target=invitation,
            summary=email,
            payload={"email": email, "roles": roles},
        )
    return invitation, token


class InvitationError(Exception):
    """The invitation link cannot be used; the message is French and user-facing."""


def invitation_get(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("body").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise InvitationError(_("Ce lien d'invitation n'est pas valide."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("Cette invitation a déjà été acceptée : connectez-vous."))
    if invitation.revoked_at is not None:
        raise InvitationError(_("Cette invitation a été annulée par l'administrateur de l'organisme."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _(
                "Ce lien d'invitation a expiré. Demandez à l'administrateur de %(body)s "
                "de vous inviter à nouveau."
            )
            % {"body": invitation.body.name}
        )
    return invitation


def invitation_accept(
    *, token: str, user: User | None = None, first_name: str = "", last_name: str = "", password: str = ""
) -> Membership:
    """Accept an invitation, as the logged-in `user` or by creating the account."""
    with transaction.atomic():
        invitation = invitation_get(token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationError(_("Un compte existe déjà avec cette adresse : connectez-vous pour accepter."))
            first_name, last_name = first_name.strip(), last_name.strip()
            validate_new_password(
                password, User(email=invitation.email, first_name=first_name, last_name=last_name)
            )
            user = User.objects.create_user(
                invitation.email, password, first_name=first_name, last_name=last_name
            )
        elif user.email.lower() != invitation.email.lower():
            raise InvitationError(
                _("Cette invitation est adressée à %(email)s ; vous êtes connecté avec un autre compte.")
                % {"email": invitation.email}
            )
        membership, _created = Membership.objects.get_or_create(user=user, body=invitation.body)
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        membership.roles.add(*invitation.roles.all())
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        access.clear_cache(user)
        journal_record(
            actor=user,
            action="invitation.accept",
            body=invitation.body,
            target=membership,
            summary=user.email,
        )
    return membership


def invitation_revoke(*, actor, invitation: Invitation) -> None:
    access.require_perm(actor, invitation.body, "body.manage_agents")
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        journal_record(
            actor=actor, action="invitation.revoke", body=invitation.body, target=invitation
        )


def membership_set_roles(*, actor, membership: Membership, roles: list[str]) -> None:
    access.require_perm(actor, membership.body, "body.manage_agents")
    with transaction.atomic():
        role_objs = _roles(roles, BODY)
        if (
            membership.user_id == actor.pk
            and "administrateur" not in roles
            and not Membership.objects.filter(
                body=membership.body, is_active=True, roles__code="administrateur"
            )
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise ValidationError(
                {"roles": _("L'organisme doit garder au moins un administrateur.")}
            )
        membership.roles.set(role_objs)
        access.clear_cache(membership.user)
        journal_record(
            actor=actor,
            action="membership.roles",
            body=membership.body,
            target=membership,
            summary=membership.user.email,
            payload={"roles": sorted(roles)},
        )


def membership_deactivate(*, actor, membership: Membership) -> None:
    """Withdraw an agent's access to a body: by its administrators, or by the operator."""
    if not access.has_perm(actor, membership.body, "body.manage_agents"):
        access.require_platform_perm(actor, "platform.manage_agents")
    if membership.user_id == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas retirer votre propre accès."))
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",)).select_related("user", "body").get(pk=membership.pk)
        )
        if not membership.is_active:
            raise ValidationError(_("Cet accès est déjà retiré."))
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        access.clear_cache(membership.user)
        journal_record(
            actor=actor,
            action="membership.deactivate",
            body=membership.body,
            target=membership,
            summary=membership.user.email,
        )


def membership_grant(*, actor, body: Body, user: User, roles: list[str]) -> Membership:
    """Give an existing user roles in a body directly (operator or command)."""
    if actor is not None:
        access.require_platform_perm(actor, "platform.manage_agents")
    with transaction.atomic():
        role_objs = _roles(roles, BODY)
        membership, _created = Membership.objects.get_or_create(user=user, body=body)
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        membership.roles.add(*role_objs)
        access.clear_cache(user)
        journal_record(
            actor=actor,
            action="membership.grant",
            body=body,
            target=membership,
            summary=user.email,
            payload={"roles": sorted(roles)},
        )
    return membership


def operator_grant(*, actor, user: User, roles: list[str]) -> OperatorStaff:
    if actor is not None:
        access.require_platform_perm(actor, "platform.manage_agents")
    with transaction.atomic():
        role_objs = _roles(roles, PLATFORM)
        staff, _created = OperatorStaff.objects.get_or_create(user=user)
        staff.roles.add(*role_objs)
        access.clear_cache(user)
        journal_record(actor=actor, action="operator.grant", target=staff, summary=user.email,
                       payload={"roles": sorted(roles)})
    return staff


def membership_request_submit(
    *,
    siren: str,
    name: str,
    kind: str,
    contact_name: str,
    contact_email: str,
    epci_form: str = "",
    insee_code: str = "",
    services: list[str] | None = None,
    message: str = "",
) -> MembershipRequest:
    """A body asks to join (public form, no actor)."""
    with transaction.atomic():
        if Body.objects.filter(siren=siren).exists():
            raise ValidationError({"siren": _("Cet organisme est déjà adhérent.")})
        if MembershipRequest.objects.filter(siren=siren, status=MembershipRequestStatus.PENDING).exists():
            raise ValidationError({"siren": _("Une demande d'adhésion est déjà en cours pour ce SIREN.")})
        request = MembershipRequest(
            siren=siren,
            name=name,
            kind=kind,
            epci_form=epci_form,
            insee_code=insee_code,
            contact_name=contact_name,
            contact_email=contact_email.lower(),
            services=_services(services or []),
            message=message,
        )
        request.full_clean()
        request.save()
        journal_record(actor=None, action="adhesion.submit", target=request, summary=name,
                       payload={"siren": siren})
    return request


def membership_request_approve(*, actor, request: MembershipRequest) -> Body:
    """Create the body, its subscriptions, and invite the contact as administrator."""
    access.require_platform_perm(actor, "platform.approve_memberships")
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MembershipRequestStatus.PENDING:
            raise ValidationError(_("Cette demande a déjà été traitée."))
        body = body_create(
            actor=actor,
            siren=request.siren,
            name=request.name,
            kind=request.kind,
            epci_form=request.epci_form,
            insee_code=request.insee_code,
            services=request.services,
        )
        request.status = MembershipRequestStatus.APPROVED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.body = body
        request.save(update_fields=["status", "decided_at", "decided_by", "body"])
        invitation_create(actor=actor, body=body, email=request.contact_email, roles=["administrateur"])
        journal_record(actor=actor, action="adhesion.approve", body=body, target=request)
    return body


def membership_request_reject(*, actor, request: MembershipRequest, reason: str = "") -> None:
    access.require_platform_perm(actor, "platform.approve_memberships")
    with transaction.atomic():
        request = MembershipRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MembershipRequestStatus.PENDING:
            raise ValidationError(_("Cette demande a déjà été traitée."))
        request.status = MembershipRequestStatus.REJECTED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.save(update_fields=["status", "decided_at", "decided_by"])
        email_schedule(
            to=request.contact_email,
            subject=_("Votre demande d'adhésion à Territoires"),
            template="tenancy/emails/adhesion_rejected.txt",
            context={"request": request, "reason": reason},
        )
        journal_record(actor=actor, action="adhesion.reject", target=request,
                       payload={"reason": reason})


def notifications_for_permission(*, body: Body, perm: str, text: str, url: str = "") -> list[Notification]:
    """Notify every active agent of `body` who holds `perm` (shown on their home page)."""
    memberships = Membership.objects.filter(body=body, is_active=True, user__is_active=True).prefetch_related("roles")
    users = [m.user_id for m in memberships if any(perm in role.permissions for role in m.roles.all())]
    return Notification.objects.bulk_create(
        [Notification(user_id=user_id, body=body, text=text[:300], url=url[:300]) for user_id in users]
    )
