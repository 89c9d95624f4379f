"""Verification of the PAdES signatures of a PDF, summarised in French.

Three questions are kept apart, because ACTES practice answers them differently:

- is the signature intact and cryptographically valid? (else: tampered with);
- was the document modified after signing, and how? (a stamp or a
  countersignature is expected; anything else is not);
- does the certificate chain to one of our trust roots? Self-signed and
  unknown-issuer certificates are accepted by ACTES since S²LOW #622, so they
  come out valid but not trusted, never as an error.

Trust is assessed at the signing time the signer claims (S²LOW #486): a
certificate that expired since is still fine. Without a timestamp that time
is only declared, which is the accepted limit of PAdES B-B. Nothing is fetched
from the network (no OCSP, no CRL): revocation is not checked.
"""

import datetime
from dataclasses import dataclass

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from territoires.interop.pdf.check import DAMAGED, pdf_open
from territoires.interop.pdf.credentials import load_certificate
from territoires.interop.pdf.errors import CredentialError, PdfError
from territoires.interop.pdf.modifications import DIFF_POLICY

NONE = "aucune"
FORMS = "formulaires"
ANNOTATIONS = "annotations"
OTHER = "autres"
UNKNOWN = "inconnue"

UNREADABLE = (
    "Signature illisible ou d'un type non pris en charge : elle ne peut pas être vérifiée."
)

_LEVELS = {
    ModificationLevel.NONE: NONE,
    # Timestamps and validation data (PAdES LTA) are not modifications (ISO 32000-2 §12.8.2.2).
    ModificationLevel.LTA_UPDATES: NONE,
    ModificationLevel.FORM_FILLING: FORMS,
    ModificationLevel.ANNOTATIONS: ANNOTATIONS,
    ModificationLevel.OTHER: OTHER,
}
_AFTERWARDS = {
    FORMS: "d'autres signatures ou des champs de formulaire ont été ajoutés ensuite",
    ANNOTATIONS: "un tampon ou des annotations ont été ajoutés ensuite",
}
# Signing certificates carry one or the other; pyHanko alone requires nonRepudiation.
_KEY_USAGE = KeyUsageConstraints(key_usage={"non_repudiation", "digital_signature"})
_EXPIRED = {
    AdESIndeterminate.EXPIRED, AdESIndeterminate.NOT_YET_VALID, AdESFailure.NOT_YET_VALID,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
}
_REVOKED = {
    AdESFailure.REVOKED, AdESIndeterminate.REVOKED_NO_POE, AdESIndeterminate.REVOKED_CA_NO_POE,
}


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    signer_name: str
    """Common name of the signing certificate ("" if the signature is unreadable)."""
    signer_email: str
    certificate_subject: str
    """RFC 4514 string, most specific first."""
    certificate_issuer: str
    certificate_serial: str
    """Lowercase hexadecimal."""
    not_before: datetime.datetime | None
    not_after: datetime.datetime | None
    """Aware datetimes; None only when the signature is unreadable."""
    signing_time: datetime.datetime | None
    """Time declared by the signer (aware), if any."""
    intact: bool
    """The signed bytes hash to the value that was signed."""
    valid: bool
    """The signature itself is cryptographically valid."""
    trusted: bool
    """The certificate chains to one of the trust roots, at the signing time."""
    covers_whole_document: bool
    modification_level: str
    """Changes made after signing: "aucune", "formulaires" (later signatures,
    form fields), "annotations" (e.g. the prefecture stamp), "autres" (not
    allowed, by our rules or by the signer's certification (DocMDP): treat as
    tampered) or "inconnue"."""
    message: str
    """One French sentence for the UI."""

    @property
    def ok(self) -> bool:
        """Intact, valid, and only allowed changes since: the signature holds
        (whether the certificate is trusted is a separate question)."""
        return self.intact and self.valid and self.modification_level not in (OTHER, UNKNOWN)


def pdf_signatures(
    data: bytes, *, trust_roots_pem: list[bytes] | tuple[bytes, ...] = ()
) -> list[SignatureInfo]:
    """Verify every signature of the PDF, oldest first; [] if it has none.

    Document timestamps (PAdES LTA) are not signatures of a person and are left
    out. Raises PdfError only when the PDF itself cannot be read; an
    unreadable or unsupported signature is reported as invalid, with a message.
    """
    roots = [_load_root(pem) for pem in trust_roots_pem]
    reader = pdf_open(data, allow_encrypted=True)
    try:
        filled = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as error:  # a hostile form can make the parser raise anything
        raise PdfError(DAMAGED) from error
    results: list[tuple[int, SignatureInfo]] = []
    for name, value, field in filled:
        try:
            if value.get_object().get("/Type") == "/DocTimeStamp":
                continue
            embedded = EmbeddedPdfSignature(reader, field, name)
        except Exception:  # damaged signature dictionary or CMS blob
            results.append((2**31, _unreadable(name)))
            continue
        results.append((embedded.signed_revision, _verify(embedded, roots)))
    results.sort(key=lambda item: item[0])
    return [info for _revision, info in results]


def _verify(embedded: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate]) -> SignatureInfo:
    name = embedded.field_name
    try:
        cert = x509.load_der_x509_certificate(embedded.signer_cert.dump())
        claimed = embedded.self_reported_timestamp
        context = ValidationContext(
            trust_roots=roots,
            other_certs=embedded.other_embedded_certs,
            moment=claimed,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        status = validate_pdf_signature(
            embedded,
            signer_validation_context=context,
            diff_policy=DIFF_POLICY,
            key_usage_settings=_KEY_USAGE,
        )
    except Exception:  # unsupported algorithm, malformed CMS…
        return _unreadable(name)
    signing_time = status.signer_reported_dt or claimed
    level = _LEVELS.get(status.modification_level, UNKNOWN)
    if status.docmdp_ok is False:
        level = OTHER  # a certification signature forbade these changes
    signer = _common_name(cert.subject) or cert.subject.rfc4514_string()
    info = dict(
        field_name=name,
        signer_name=signer,
        signer_email=_email(cert),
        certificate_subject=_rfc4514(cert.subject),
        certificate_issuer=_rfc4514(cert.issuer),
        certificate_serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        signing_time=signing_time,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        covers_whole_document=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        modification_level=level,
    )
    return SignatureInfo(**info, message=_message(status, cert, signer, level, signing_time))


def _message(status, cert: x509.Certificate, signer: str, level: str, signing_time) -> str:
    if not status.intact:
        return f"Signature invalide : le document a été modifié après la signature de {signer}."
    if not status.valid:
        return f"Signature invalide : la signature de {signer} ne correspond pas à son certificat."
    if level == OTHER:
        return (
            f"Signature de {signer} invalidée : le document a été modifié après la signature "
            "d'une façon qui n'est pas autorisée."
        )
    if level == UNKNOWN:
        return (
            f"Signature de {signer} intacte, mais les modifications ultérieures "
            "n'ont pas pu être analysées."
        )
    issuer = _common_name(cert.issuer) or _organisation(cert.issuer) or cert.issuer.rfc4514_string()
    if status.trusted:
        about = f"certificat émis par {issuer}"
    elif status.trust_problem_indic in _REVOKED:
        about = f"certificat émis par {issuer}, révoqué"
    elif status.trust_problem_indic in _EXPIRED or _outside_validity(cert, signing_time):
        about = f"certificat émis par {issuer}, hors de sa période de validité lors de la signature"
    elif cert.issuer == cert.subject:
        about = "certificat auto-signé, non reconnu"
    else:
        about = f"certificat émis par {issuer}, autorité non reconnue"
    afterwards = _AFTERWARDS.get(level)
    return f"Signature valide de {signer} ({about})" + (f" ; {afterwards}." if afterwards else ".")


def _unreadable(field_name: str) -> SignatureInfo:
    return SignatureInfo(
        field_name=field_name, signer_name="", signer_email="", certificate_subject="",
        certificate_issuer="", certificate_serial="", not_before=None, not_after=None,
        signing_time=None, intact=False, valid=False, trusted=False,
        covers_whole_document=False, modification_level=UNKNOWN,
        message=UNREADABLE,
    )


def _outside_validity(cert: x509.Certificate, when: datetime.datetime | None) -> bool:
    return when is not None and not cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


def _load_root(pem: bytes) -> asn1_x509.Certificate:
    try:
        cert = load_certificate(pem)
    except CredentialError as error:
        raise CredentialError("Un certificat racine de confiance est illisible.") from error
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _email(cert: x509.Certificate) -> str:
    emails = cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
    if emails:
        return str(emails[0].value)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return ""
    found = san.get_values_for_type(x509.RFC822Name)
    return found[0] if found else ""


def _common_name(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def _organisation(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(values[0].value) if values else ""


def _rfc4514(name: x509.Name) -> str:
    return name.rfc4514_string({NameOID.EMAIL_ADDRESS: "emailAddress"})
