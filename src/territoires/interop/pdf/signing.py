"""PAdES signature of a PDF by an elected official (baseline B-B).

B-B is the signature alone (CAdES detached, signing certificate bound by the
signing-certificate-v2 attribute), without timestamp or revocation data: the
platform's certificates are not qualified and have no OCSP responder, and an
RFC 3161 timestamp can be added later by the caller if needed. The signature is
an incremental update, so a signed PDF can be countersigned and earlier
signatures stay valid.

pyHanko's synchronous API runs its own asyncio loop: call this from a view, a
task or a thread, not from inside a running event loop.
"""

import datetime

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from territoires.interop.pdf.check import pdf_open
from territoires.interop.pdf.credentials import load_certificate, load_private_key, same_key
from territoires.interop.pdf.errors import CredentialError, PdfError

FIELD_PREFIX = "Signature"


def pdf_sign(
    data: bytes,
    *,
    key_pem: bytes,
    cert_pem: bytes,
    chain_pem: list[bytes] | tuple[bytes, ...] = (),
    signer_name: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    field_name: str | None = None,
) -> bytes:
    """Sign `data` (PAdES B-B, ETSI.CAdES.detached, SHA-256); return the signed PDF.

    `signer_name` defaults to the certificate's common name. `field_name`
    defaults to the first free "SignatureN", so countersigning needs no name;
    an existing empty field of that name (prepared by another tool) is filled,
    a field that is already signed is refused. The chain certificates are
    embedded so that a verifier can build the path to its trust roots.
    """
    key = load_private_key(key_pem)
    cert = load_certificate(cert_pem)
    chain = [load_certificate(pem) for pem in chain_pem]
    if not same_key(key, cert):
        raise CredentialError("La clé privée ne correspond pas au certificat.")
    _check_validity(cert)
    reader = pdf_open(data)
    try:
        signed_by_name = {
            name: value is not None for name, value, _field in fields.enumerate_sig_fields(reader)
        }
    except Exception as error:  # a hostile form can make the parser raise anything
        raise PdfError(
            "Les champs de formulaire de ce PDF sont endommagés : il ne peut pas être signé."
        ) from error
    if field_name is None:
        field_name = _free_field_name(signed_by_name)
    elif signed_by_name.get(field_name):
        raise PdfError(f"Le champ de signature « {field_name} » est déjà signé.")

    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=signer_name or common_name(cert),
        reason=reason,
        location=location,
    )
    try:
        writer = IncrementalPdfFileWriter.from_reader(reader)
        output = signers.sign_pdf(writer, meta, signer=signer)
    except Exception as error:  # pyHanko raises SigningError, PdfWriteError, PdfReadError…
        raise PdfError(
            "Ce PDF n'a pas pu être signé : sa structure n'est pas prise en charge."
        ) from error
    return output.getvalue()


def common_name(cert: x509.Certificate) -> str:
    """The subject's CN, or the whole subject when there is none."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def _check_validity(cert: x509.Certificate) -> None:
    now = datetime.datetime.now(datetime.UTC)
    name = common_name(cert)
    if now >= cert.not_valid_after_utc:
        date = cert.not_valid_after_utc.strftime("%d/%m/%Y")
        raise CredentialError(
            f"Le certificat de {name} a expiré le {date} : il ne peut plus signer."
        )
    if now < cert.not_valid_before_utc:
        date = cert.not_valid_before_utc.strftime("%d/%m/%Y")
        raise CredentialError(f"Le certificat de {name} n'est valable qu'à partir du {date}.")


def _free_field_name(existing: dict[str, bool]) -> str:
    number = 1
    while f"{FIELD_PREFIX}{number}" in existing:
        number += 1
    return f"{FIELD_PREFIX}{number}"
