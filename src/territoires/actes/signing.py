"""Elected officials sign acts with a PAdES signature, from keys the platform holds for them.

A signatory either gets a certificate issued by the platform's internal CA
(created on first use) or imports their own PKCS#12 (RGS certificate, for
instance). Private keys are stored encrypted with a key derived from
SECRET_KEY (HKDF): a database dump alone signs nothing. Signing asks for the
signatory's password again, so an unattended session cannot sign.

Verification reports every signature of the main document, trusted when it
chains to our CA; a self-signed or foreign certificate is shown as valid but
not trusted, which the ACTES practice accepts (S²LOW #622).
"""

import base64
from datetime import UTC, datetime

from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.actes.models import (
    Acte,
    ActeFile,
    FileRole,
    SigningAuthority,
    SigningCredential,
    Status,
)
from territoires.core.files import stored_file_put
from territoires.interop.pdf import (
    CredentialError,
    DocumentError,
    SignatureInfo,
    ca_create,
    credential_issue,
    pdf_sign,
    pdf_signatures,
    pkcs12_load,
)
from territoires.journal.services import journal_record
from territoires.tenancy import access


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"territoires.signing-keys",
               info=b"fernet").derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _seal(pem: bytes) -> str:
    return _fernet().encrypt(pem).decode()


def _unseal(token: str) -> bytes:
    return _fernet().decrypt(token.encode())


def authority() -> SigningAuthority:
    """The platform CA, created the first time someone needs it."""
    with transaction.atomic():
        found = SigningAuthority.objects.select_for_update().order_by("pk").first()
        if found is None:
            key_pem, cert_pem = ca_create(common_name=f"{settings.OPERATOR_NAME} – AC de signature des actes",
                                          organisation=settings.OPERATOR_NAME)
            found = SigningAuthority.objects.create(certificate_pem=cert_pem.decode(), key_encrypted=_seal(key_pem))
    return found


def trust_roots() -> list[bytes]:
    existing = SigningAuthority.objects.order_by("pk").first()
    return [existing.certificate_pem.encode()] if existing else []


def _store(user, source: str, key_pem: bytes, cert_pem: bytes, chain: list[bytes]) -> SigningCredential:
    cert = x509.load_pem_x509_certificate(cert_pem)
    with transaction.atomic():
        SigningCredential.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        credential = SigningCredential.objects.create(
            user=user, source=source, certificate_pem=cert_pem.decode(), chain_pem=[c.decode() for c in chain],
            key_encrypted=_seal(key_pem), subject=cert.subject.rfc4514_string()[:300],
            issuer=cert.issuer.rfc4514_string()[:300], not_after=cert.not_valid_after_utc,
        )
        journal_record(actor=user, action="actes.credential.create", target=credential,
                       summary=f"{credential.get_source_display()} – {credential.subject}")
    return credential


def _require_signatory(user) -> None:
    if not access.holds_perm_anywhere(user, "actes.sign"):
        raise ValidationError(_("Seuls les signataires (élus, ordonnateurs) peuvent détenir un certificat de signature."))


def credential_issue_for(*, actor) -> SigningCredential:
    """Issue the actor a signing certificate from the platform CA."""
    _require_signatory(actor)
    ca = authority()
    name = actor.get_full_name() or actor.email
    key_pem, cert_pem = credential_issue(
        common_name=name, email=actor.email, organisation=settings.OPERATOR_NAME,
        ca_key_pem=_unseal(ca.key_encrypted), ca_cert_pem=ca.certificate_pem.encode(),
    )
    return _store(actor, "issued", key_pem, cert_pem, [ca.certificate_pem.encode()])


def credential_import(*, actor, data: bytes, password: str) -> SigningCredential:
    """Import the actor's own certificate and key from a PKCS#12 file."""
    _require_signatory(actor)
    try:
        key_pem, cert_pem, chain = pkcs12_load(data, password.encode() if password else None)
    except CredentialError as error:
        raise ValidationError({"file": str(error)}) from None
    return _store(actor, "imported", key_pem, cert_pem, chain)


def credential_of(user) -> SigningCredential | None:
    return SigningCredential.objects.filter(
        user=user, revoked_at__isnull=True, not_after__gt=datetime.now(UTC)).first()


def acte_sign(*, actor, acte: Acte, password: str) -> ActeFile:
    """Sign the act's main PDF with the actor's credential; the signed PDF replaces it."""
    access.require_perm(actor, acte.body, "actes.sign")
    if not actor.check_password(password):
        raise ValidationError({"password": _("Mot de passe incorrect : la signature n'a pas été apposée.")})
    credential = credential_of(actor)
    if credential is None:
        raise ValidationError(_("Vous n'avez pas de certificat de signature valide : créez-le ou importez-le d'abord."))
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if acte.status != Status.DRAFT:
            raise ValidationError(_("Un acte déjà déposé pour transmission ne peut plus être signé."))
        main = acte.files.select_related("stored").filter(role=FileRole.MAIN).first()
        if main is None or main.extension != "pdf":
            raise ValidationError(_("Seul un document principal PDF peut être signé électroniquement."))
        try:
            signed = pdf_sign(
                main.stored.read(), key_pem=_unseal(credential.key_encrypted),
                cert_pem=credential.certificate_pem.encode(),
                chain_pem=[c.encode() for c in credential.chain_pem],
                reason=_("Signature de l'acte %(numero)s") % {"numero": acte.numero_interne},
                location=acte.body.name,
            )
        except DocumentError as error:
            raise ValidationError(str(error)) from None
        before = main.stored.sha256
        main.stored = stored_file_put(signed, content_type="application/pdf")
        main.save(update_fields=["stored"])
        acte.signature_requested_at = None
        acte.save(update_fields=["signature_requested_at"])
        journal_record(actor=actor, action="actes.acte.sign", body=acte.body, target=acte,
                       summary=f"{acte.numero_interne} – {credential.subject}",
                       payload={"before": before, "after": main.stored.sha256})
    return main


def signatures_of(acte: Acte) -> list[SignatureInfo]:
    """The signatures of the act's main PDF, verified against the platform CA."""
    main = acte.files.select_related("stored").filter(role=FileRole.MAIN).first()
    if main is None or main.extension != "pdf":
        return []
    try:
        return pdf_signatures(main.stored.read(), trust_roots_pem=trust_roots())
    except DocumentError:
        return []


def acte_request_signature(*, actor, acte: Acte) -> Acte:
    """Ask the body's signatories to sign a draft; they see it on their home page."""
    from django.urls import reverse

    from territoires.tenancy.services import notifications_for_permission

    access.require_perm(actor, acte.body, "actes.draft")
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if acte.status != Status.DRAFT:
            raise ValidationError(_("Seul un brouillon peut être proposé à la signature."))
        acte.signature_requested_at = timezone.now()
        acte.save(update_fields=["signature_requested_at"])
        notifications_for_permission(
            body=acte.body, perm="actes.sign",
            text=_("Acte %(numero)s à signer : %(objet)s") % {"numero": acte.numero_interne, "objet": acte.objet[:150]},
            url=reverse("actes:detail", args=[acte.body.siren, acte.pk]),
        )
        journal_record(actor=actor, action="actes.acte.request_signature", body=acte.body, target=acte,
                       summary=acte.numero_interne)
    return acte
