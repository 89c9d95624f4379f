"""Companies in the salle des marchés: registration by SIRET, colleagues, document
safe (coffre-fort), saved searches.

Writes are keyword-only services that run in one transaction, check that the
actor belongs to the company (administrators manage colleagues), write the
journal and e-mail after commit. Reads scoped to the actor are the `*_for_user`
selectors at the end: views go through them, so a user of another company gets
a 404 and never learns that a document or a colleague exists.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.accounts.models import AccountKind, Company, CompanyMembership, User
from territoires.accounts.services import validate_new_password
from territoires.core.files import stored_file_put
from territoires.core.mail import email_schedule
from territoires.core.throttle import throttle_hit
from territoires.interop.pdf.check import image_check, pdf_check
from territoires.interop.pdf.errors import DocumentError
from territoires.interop.siren import normalize, siret_error
from territoires.journal.services import journal_record
from territoires.marches import entreprise
from territoires.marches.models import (
    CompanyDocument,
    CompanyInvitation,
    CompanyProfile,
    DocumentKind,
    SavedSearch,
)
from territoires.marches.search import SearchParams

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Published limit of a document in the safe (shown on the upload form)."""

MAX_SAVED_SEARCHES = 20
"""Alerts per user: enough for a company's trades, bounded for the daily digest."""

# --- Permission checks --------------------------------------------------------------------


def _membership(actor, company: Company) -> CompanyMembership:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    membership = CompanyMembership.objects.filter(company=company, user=actor).first()
    if membership is None:
        raise PermissionDenied
    return membership


def _require_admin(actor, company: Company) -> CompanyMembership:
    membership = _membership(actor, company)
    if not membership.is_admin:
        raise PermissionDenied(_("Seuls les administrateurs du compte de l'entreprise peuvent gérer les collègues."))
    return membership


def is_company_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and CompanyMembership.objects.filter(user=user).exists()


# --- Registration and profile -------------------------------------------------------------


def _lookup(siret: str, purpose: str) -> entreprise.CompanyInfo:
    try:
        return entreprise.company_lookup(siret, purpose=purpose)
    except entreprise.CompanyLookupError as error:
        raise ValidationError({"siret": error.message}) from error


def company_preview(*, siret: str, requester: str) -> entreprise.CompanyInfo:
    """First registration step: check the SIRET and show what API Entreprise knows.

    Refuses a SIRET already registered, with the way forward (an invitation). Anyone may
    ask, so lookups are limited per `requester` (the visitor's address) and hour: each
    one spends the platform's API Entreprise quota.
    """
    siret = normalize(siret or "")
    if error := siret_error(siret):
        raise ValidationError({"siret": error})
    _refuse_existing(siret)
    if not throttle_hit(f"marches.siret_lookup:{requester}", limit=settings.MARCHES_SIRET_LOOKUPS_PER_HOUR,
                        per=timedelta(hours=1)):
        raise ValidationError({"siret": _("Trop de recherches de SIRET depuis votre connexion : réessayez "
                                          "dans une heure.")})
    return _lookup(siret, _("Inscription d'une entreprise sur la salle des marchés"))


def _refuse_existing(siret: str) -> None:
    if Company.objects.filter(siret=siret).exists():
        raise ValidationError({"siret": _(
            "Cette entreprise a déjà un compte sur la plateforme. Demandez à l'un de vos collègues "
            "déjà inscrits de vous inviter depuis l'espace entreprise (rubrique « Collègues »)."
        )})


def company_register(
    *, email: str, password: str, siret: str, first_name: str, last_name: str
) -> tuple[User, Company]:
    """Create the company account: user (kind company, administrator), company, profile."""
    siret = normalize(siret or "")
    if error := siret_error(siret):
        raise ValidationError({"siret": error})
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Saisissez une adresse électronique valide.")}) from None
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name or not last_name:
        raise ValidationError({"first_name" if not first_name else "last_name": _("Ce champ est obligatoire.")})
    _refuse_existing(siret)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _(
            "Un compte existe déjà avec cette adresse : connectez-vous, ou demandez à un collègue "
            "de votre entreprise de vous inviter."
        )})
    validate_new_password(password, User(email=email, first_name=first_name, last_name=last_name,
                                         kind=AccountKind.COMPANY))
    info = _lookup(siret, _("Inscription d'une entreprise sur la salle des marchés"))
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email, password, first_name=first_name, last_name=last_name, kind=AccountKind.COMPANY
            )
            company = Company(siret=siret, name=info.name[:200])
            company.full_clean()
            company.save()
            CompanyMembership.objects.create(company=company, user=user, is_admin=True)
            CompanyProfile.objects.create(company=company, data=info.to_data(), source=info.source)
            journal_record(actor=user, action="marches.company.register", target=company,
                           summary=f"{company.name} ({siret})", payload={"siret": siret, "email": email})
            email_schedule(
                to=email,
                subject=_("Votre compte entreprise sur Territoires est créé"),
                template="marches/emails/company_welcome.txt",
                context={"user": user, "company": company, "url": _absolute(reverse("marches_company:home")),
                         "simulation": info.source == "simulator"},
            )
    except IntegrityError:
        # Another registration of the same SIRET or e-mail won the race.
        _refuse_existing(siret)
        raise ValidationError({"email": _("Un compte existe déjà avec cette adresse : connectez-vous.")}) from None
    return user, company


def company_refresh(*, actor, company: Company) -> CompanyProfile:
    """Fetch the company's data again from API Entreprise (any member may)."""
    _membership(actor, company)
    info = _lookup(company.siret, _("Mise à jour de la fiche de l'entreprise"))
    with transaction.atomic():
        profile, _created = CompanyProfile.objects.select_for_update().get_or_create(company=company)
        profile.data = info.to_data()
        profile.source = info.source
        profile.fetched_at = timezone.now()
        profile.save(update_fields=["data", "source", "fetched_at"])
        if company.name != info.name[:200]:
            company.name = info.name[:200]
            company.save(update_fields=["name"])
        journal_record(actor=actor, action="marches.company.refresh", target=company, summary=company.name)
    return profile


def company_info(company: Company) -> entreprise.CompanyInfo | None:
    profile = CompanyProfile.objects.filter(company=company).first()
    if profile is None or not profile.data:
        return None
    return entreprise.CompanyInfo.from_data(profile.data)


def _absolute(path: str) -> str:
    return settings.PUBLIC_URL + path


# --- Colleagues ---------------------------------------------------------------------------
#
# Only the SHA-256 of the invitation token is stored (`CompanyInvitation`): a database
# leak gives no usable link. A link works once, until it expires, unless revoked; removing
# a colleague revokes what is pending for their address.


@dataclass(frozen=True)
class ColleagueInvitation:
    company: Company
    email: str
    issued_at: datetime
    invited_by_id: int | None
    pk: int


class InvitationError(Exception):
    """The invitation link cannot be used; the message is French and user-facing."""


def _validity() -> timedelta:
    return timedelta(days=getattr(settings, "INVITATION_VALIDITY_DAYS", 7))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def colleague_invite(*, actor, company: Company, email: str) -> str:
    """Invite someone to the company account (administrators); returns the clear token."""
    _require_admin(actor, company)
    email = User.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Saisissez une adresse électronique valide.")}) from None
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if CompanyMembership.objects.filter(company=company, user=existing).exists():
            raise ValidationError({"email": _("Cette personne fait déjà partie du compte de l'entreprise.")})
        if existing.kind != AccountKind.COMPANY:
            raise ValidationError({"email": _(
                "Cette adresse est celle d'un compte d'agent public ou d'usager : invitez une "
                "adresse professionnelle de l'entreprise."
            )})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            CompanyInvitation.objects.filter(company=company, email=email, accepted_at__isnull=True,
                                             revoked_at__isnull=True, expires_at__lte=now).update(revoked_at=now)
            invitation = CompanyInvitation.objects.create(company=company, email=email, token_hash=_token_hash(token),
                                                          invited_by=actor, expires_at=now + _validity())
    except IntegrityError:
        raise ValidationError({"email": _("Une invitation est déjà en attente pour cette adresse. Annulez-la "
                                          "pour en envoyer une nouvelle.")}) from None
    with transaction.atomic():
        url = _absolute(reverse("marches_company:colleague_accept", args=[token]))
        email_schedule(
            to=email,
            subject=_("Invitation à rejoindre %(company)s sur Territoires") % {"company": company.name},
            template="marches/emails/company_invitation.txt",
            context={"company": company, "url": url, "actor": actor, "expires_at": invitation.expires_at,
                     "existing": existing is not None},
        )
        journal_record(actor=actor, action="marches.colleague.invite", target=company, summary=email,
                       payload={"email": email})
    return token


def colleague_invitation_revoke(*, actor, company: Company, invitation: CompanyInvitation) -> None:
    """Cancel a pending invitation (administrators): its link stops working at once."""
    _require_admin(actor, company)
    if invitation.company_id != company.pk:
        raise PermissionDenied
    with transaction.atomic():
        updated = CompanyInvitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                                   revoked_at__isnull=True).update(revoked_at=timezone.now())
        if not updated:
            raise ValidationError(_("Cette invitation n'est plus en attente."))
        journal_record(actor=actor, action="marches.colleague.invitation_revoke", target=company,
                       summary=invitation.email)


def invitations_pending(company: Company):
    return CompanyInvitation.objects.filter(company=company, accepted_at__isnull=True, revoked_at__isnull=True,
                                            expires_at__gt=timezone.now())


def colleague_invitation_get(*, token: str) -> ColleagueInvitation:
    """The invitation behind `token`, or InvitationError with a French reason."""
    invitation = (CompanyInvitation.objects.select_related("company")
                  .filter(token_hash=_token_hash(token or "")).first())
    if invitation is None:
        raise InvitationError(_("Ce lien d'invitation n'est pas valide."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("Cette invitation a déjà été acceptée : connectez-vous."))
    if invitation.revoked_at is not None:
        raise InvitationError(_(
            "Cette invitation n'est plus valable : elle a été annulée ou votre accès au compte de "
            "l'entreprise a été retiré depuis. Demandez une nouvelle invitation si besoin."
        ))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_(
            "Ce lien d'invitation a expiré. Demandez à un administrateur du compte de votre "
            "entreprise de vous inviter à nouveau."
        ))
    return ColleagueInvitation(company=invitation.company, email=invitation.email,
                               issued_at=invitation.created_at, invited_by_id=invitation.invited_by_id,
                               pk=invitation.pk)


def colleague_accept(
    *, token: str, user: User | None = None, first_name: str = "", last_name: str = "", password: str = ""
) -> CompanyMembership:
    """Accept an invitation, as the logged-in `user` or by creating the account."""
    with transaction.atomic():
        invitation = colleague_invitation_get(token=token)
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise InvitationError(_("Un compte existe déjà avec cette adresse : connectez-vous pour accepter."))
            validate_new_password(password, User(email=invitation.email, first_name=first_name,
                                                  last_name=last_name, kind=AccountKind.COMPANY))
            user = User.objects.create_user(invitation.email, password, first_name=first_name.strip(),
                                            last_name=last_name.strip(), kind=AccountKind.COMPANY)
        elif user.email.lower() != invitation.email.lower():
            raise InvitationError(
                _("Cette invitation est adressée à %(email)s ; vous êtes connecté avec un autre compte.")
                % {"email": invitation.email}
            )
        elif user.kind != AccountKind.COMPANY:
            raise InvitationError(_("Un compte d'agent public ne peut pas rejoindre le compte d'une entreprise."))
        membership, _created = CompanyMembership.objects.get_or_create(company=invitation.company, user=user)
        CompanyInvitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
        journal_record(actor=user, action="marches.colleague.accept", target=invitation.company,
                       summary=user.email)
    return membership


def colleague_remove(*, actor, company: Company, membership: CompanyMembership) -> None:
    """Withdraw a colleague's access (administrators; not oneself)."""
    _require_admin(actor, company)
    if membership.company_id != company.pk:
        raise PermissionDenied
    if membership.user_id == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas retirer votre propre accès."))
    with transaction.atomic():
        email = membership.user.email
        deleted, _rows = CompanyMembership.objects.filter(pk=membership.pk).delete()
        if not deleted:
            raise ValidationError(_("Cet accès est déjà retiré."))
        CompanyInvitation.objects.filter(company=company, email__iexact=email, accepted_at__isnull=True,
                                         revoked_at__isnull=True).update(revoked_at=timezone.now())
        journal_record(actor=actor, action="marches.colleague.remove", target=company, summary=email)


def colleague_set_admin(*, actor, company: Company, membership: CompanyMembership, is_admin: bool) -> None:
    """Make a colleague an administrator of the company account, or no longer one;
    the account always keeps at least one administrator."""
    _require_admin(actor, company)
    if membership.company_id != company.pk:
        raise PermissionDenied
    with transaction.atomic():
        admins = list(CompanyMembership.objects.select_for_update().filter(company=company, is_admin=True))
        if not is_admin and [m.pk for m in admins] == [membership.pk]:
            raise ValidationError(_("Le compte de l'entreprise doit garder au moins un administrateur."))
        CompanyMembership.objects.filter(pk=membership.pk).update(is_admin=is_admin)
        journal_record(actor=actor, action="marches.colleague.admin", target=company,
                       summary=membership.user.email, payload={"is_admin": is_admin})


# --- Document safe ------------------------------------------------------------------------


def _sniff(data: bytes) -> str:
    """The real content type of an upload (PDF, JPEG, PNG), or ValidationError in French."""
    if data[:1024].find(b"%PDF-") >= 0:
        try:
            pdf_check(data)
        except DocumentError as error:
            raise ValidationError({"file": error.message}) from error
        return "application/pdf"
    try:
        kind, _w, _h = image_check(data)
    except DocumentError as error:
        message = error.message
        if not data or message.startswith(("Ce fichier n'est pas une image", "Les images")):
            message = message if not data else _(
                "Seuls les fichiers PDF, JPEG et PNG sont acceptés dans le coffre-fort."
            )
        raise ValidationError({"file": message}) from error
    return f"image/{kind}"


def _clean_name(name: str, content_type: str) -> str:
    name = PurePath((name or "").replace("\\", "/")).name.strip() or "document"
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')[:200]
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[content_type]
    if not name.lower().endswith((extension, ".jpeg") if extension == ".jpg" else (extension,)):
        name = f"{name[:195]}{extension}"
    return name


def document_add(
    *, actor, company: Company, kind: str, uploaded_file, valid_until: date | None
) -> CompanyDocument:
    """Put a PDF, JPEG or PNG (≤ 10 Mo, type read from the bytes) into the company's safe."""
    _membership(actor, company)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Type de document inconnu.")})
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _too_large()})
    data = uploaded_file.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _too_large()})
    content_type = _sniff(data)
    name = _clean_name(getattr(uploaded_file, "name", ""), content_type)
    with transaction.atomic():
        stored = stored_file_put(data, content_type=content_type)
        document = CompanyDocument.objects.create(
            company=company, kind=kind, name=name, stored=stored, valid_until=valid_until, uploaded_by=actor
        )
        journal_record(actor=actor, action="marches.document.add", target=document,
                       summary=f"{company.siret} {name}",
                       payload={"kind": kind, "sha256": stored.sha256, "valid_until": valid_until})
    return document


def _too_large() -> str:
    return _("Le fichier dépasse la taille maximale de %(size)s Mo acceptée par le coffre-fort.") % {
        "size": MAX_DOCUMENT_BYTES // (1024 * 1024)}


def document_delete(*, actor, company: Company, document: CompanyDocument) -> None:
    _membership(actor, company)
    if document.company_id != company.pk:
        raise PermissionDenied
    with transaction.atomic():
        journal_record(actor=actor, action="marches.document.delete", target=document,
                       summary=f"{company.siret} {document.name}", payload={"sha256": document.stored.sha256})
        document.delete()  # the stored bytes stay: content-addressed files may be shared


def company_attestations_fetch(*, actor, company: Company) -> list[CompanyDocument]:
    """Ask the administrations for the fiscal and social attestations (dites-le-nous une fois)
    and put them into the safe. The same attestation fetched twice is stored once."""
    _membership(actor, company)
    try:
        attestations = entreprise.attestations_fetch(company.siret)
    except entreprise.CompanyLookupError as error:
        raise ValidationError(error.message) from error
    added = []
    with transaction.atomic():
        for attestation in attestations:
            stored = stored_file_put(attestation.data, content_type=attestation.content_type)
            if CompanyDocument.objects.filter(company=company, kind=attestation.kind, stored=stored).exists():
                continue
            document = CompanyDocument.objects.create(
                company=company, kind=attestation.kind, name=attestation.name[:200], stored=stored,
                valid_until=attestation.valid_until, uploaded_by=actor,
            )
            added.append(document)
            journal_record(actor=actor, action="marches.document.fetch", target=document,
                           summary=f"{company.siret} {document.name}",
                           payload={"kind": attestation.kind, "sha256": stored.sha256,
                                    "source": entreprise.backend_name()})
    return added


def document_state(document: CompanyDocument, today: date | None = None) -> str:
    """"none" (no expiry), "valid", "expiring" (≤ 30 days) or "expired"."""
    if document.valid_until is None:
        return "none"
    today = today or timezone.localdate()
    if document.valid_until < today:
        return "expired"
    if document.valid_until <= today + timedelta(days=30):
        return "expiring"
    return "valid"


# --- Saved searches -----------------------------------------------------------------------


def saved_search_create(*, actor, name: str, params: dict) -> SavedSearch:
    """Save a portal search as a daily e-mail alert (company users only)."""
    if not is_company_user(actor):
        raise PermissionDenied(_(
            "Les alertes e-mail sont réservées aux comptes entreprise. Créez un compte entreprise "
            "pour recevoir les nouveaux avis correspondant à vos recherches."
        ))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à votre alerte.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Le nom de l'alerte ne doit pas dépasser 100 caractères.")})
    search, errors = SearchParams.from_query(params or {})
    if errors:
        raise ValidationError({"params": [f"{key} : {message}" for key, message in errors.items()]})
    query = search.to_query()
    query.pop("sort", None)  # the digest lists what is new; the order of the page does not matter
    with transaction.atomic():
        if SavedSearch.objects.filter(user=actor).count() >= MAX_SAVED_SEARCHES:
            raise ValidationError({"name": _(
                "Vous avez déjà %(n)s alertes, le maximum : supprimez-en une avant d'en créer une autre."
            ) % {"n": MAX_SAVED_SEARCHES}})
        saved = SavedSearch.objects.create(user=actor, name=name, params=query)
        journal_record(actor=actor, action="marches.alert.create", target=saved, summary=name, payload=query)
    return saved


def saved_search_delete(*, actor, saved_search: SavedSearch) -> None:
    if actor is None or saved_search.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        journal_record(actor=actor, action="marches.alert.delete", target=saved_search, summary=saved_search.name)
        saved_search.delete()


# --- Reads scoped to the user -------------------------------------------------------------


def companies_for_user(user) -> list[Company]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Company.objects.filter(memberships__user=user).order_by("name", "pk"))


def membership_for_user(user, company_id: int | None = None) -> CompanyMembership | None:
    """The user's membership in `company_id` (or in their first company); None if none."""
    if not getattr(user, "is_authenticated", False):
        return None
    qs = CompanyMembership.objects.select_related("company").filter(user=user).order_by("company__name", "pk")
    if company_id is not None:
        found = qs.filter(company_id=company_id).first()
        if found is not None:
            return found
    return qs.first()


def documents_for_company(company: Company):
    return CompanyDocument.objects.filter(company=company).select_related("stored")


def colleagues_for_company(company: Company):
    return CompanyMembership.objects.filter(company=company).select_related("user").order_by(
        "-is_admin", "user__last_name", "user__email")


def saved_searches_for_user(user):
    return SavedSearch.objects.filter(user=user)
