"""Signing credentials: the platform's internal CA, certificates of elected
officials, and certificates they bring as a PKCS#12 file.

The platform holds a key and certificate per official so that signing is one
click, with no plug-in or smart card (the pain point of Libersign, dropped by
S²LOW 5.1.0). Those certificates come from a CA internal to the platform: they
are not qualified (not RGS/eIDAS), which ACTES accepts since S²LOW #622, and
verification reports them as valid but not trusted unless the platform's CA
is given as a trust root. Keys are returned as unencrypted PKCS#8 PEM;
encrypting them at rest is the caller's job.
"""

import datetime
from typing import Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from territoires.interop.pdf.errors import CredentialError

KeyType = Literal["rsa", "ec"]
SigningKey = (
    rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
    | ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
)
UNSUPPORTED_KEY = (
    "Ce type de clé n'est pas pris en charge pour la signature (RSA ou ECDSA attendu)."
)

RSA_BITS = 3072
"""ANSSI's minimum for RSA keys used beyond 2030 (RGS annex B1)."""

CLOCK_SKEW = datetime.timedelta(minutes=5)
"""Certificates start a little in the past, so a verifier whose clock is
slightly behind does not see them as not yet valid."""

# Document-signing purposes: RFC 9336's id-kp-documentSigning, and Microsoft's,
# which Adobe Reader also accepts; emailProtection is what Adobe Reader has
# always accepted for signatures. Verifiers that enforce the EKU find one.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
MS_DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")


def ca_create(
    *, common_name: str, organisation: str, valid_days: int = 3650, key_type: KeyType = "rsa"
) -> tuple[bytes, bytes]:
    """Create the platform's internal signing CA: (key PEM, self-signed certificate PEM).

    The CA may only issue end-entity certificates (path length 0).
    """
    key = _new_key(key_type)
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    now = _now()
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + datetime.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _key_pem(key), cert.public_bytes(serialization.Encoding.PEM)


def credential_issue(
    *,
    common_name: str,
    email: str,
    organisation: str,
    ca_key_pem: bytes,
    ca_cert_pem: bytes,
    valid_days: int = 1095,
    key_type: KeyType = "rsa",
) -> tuple[bytes, bytes]:
    """Issue a signing certificate for an official: (key PEM, certificate PEM).

    Key usages digitalSignature + nonRepudiation (what signature verifiers
    look for), document-signing purposes, subject CN/O/emailAddress and the
    e-mail also as a subjectAltName (RFC 5280 §4.1.2.6). The certificate never
    outlives the CA. RSA 3072 by default for the widest verifier support;
    "ec" gives a P-256 key, faster and smaller.
    """
    ca_key = load_private_key(ca_key_pem)
    ca_cert = load_certificate(ca_cert_pem)
    if not same_key(ca_key, ca_cert):
        raise CredentialError(
            "La clé de l'autorité de certification ne correspond pas à son certificat."
        )
    now = _now()
    if ca_cert.not_valid_after_utc <= now:
        raise CredentialError("Le certificat de l'autorité de certification a expiré.")
    key = _new_key(key_type)
    public_key = key.public_key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, email),
    ])
    try:
        email_name = x509.RFC822Name(email)
    except ValueError as error:
        raise CredentialError(
            f"L'adresse électronique « {email} » n'est pas utilisable dans un certificat."
        ) from error
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(
            min(now + datetime.timedelta(days=valid_days), ca_cert.not_valid_after_utc)
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING, MS_DOCUMENT_SIGNING]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName([email_name]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, _hash_for(ca_key))
    )
    return _key_pem(key), cert.public_bytes(serialization.Encoding.PEM)


def pkcs12_load(data: bytes, password: bytes | None) -> tuple[bytes, bytes, list[bytes]]:
    """Read an official's own certificate from a .p12/.pfx file.

    Returns (key PEM, certificate PEM, [chain certificate PEM, …]). Raises
    CredentialError in French for a wrong password, a damaged file, or a file
    without a key or a certificate.
    """
    if not data:
        raise CredentialError("Le fichier de certificat est vide.")
    # Exports without a password use either no password or an empty one; try both.
    attempts = [password] if password else [None, b""]
    loaded = None
    for attempt in attempts:
        try:
            loaded = pkcs12.load_key_and_certificates(data, attempt)
            break
        except (ValueError, TypeError, UnsupportedAlgorithm):  # wrong password, bad file
            continue
    if loaded is None:
        if not _is_pkcs12(data):
            raise CredentialError(
                "Ce fichier n'est pas un certificat au format PKCS#12 (.p12 ou .pfx) "
                "ou il est endommagé."
            )
        if not password:
            raise CredentialError(
                "Ce fichier de certificat est protégé : indiquez son mot de passe."
            )
        raise CredentialError("Le mot de passe du fichier de certificat est incorrect.")
    key, cert, extra = loaded
    if key is None:
        raise CredentialError(
            "Ce fichier contient un certificat mais pas sa clé privée : exportez-le "
            "« avec la clé privée »."
        )
    if cert is None:
        raise CredentialError("Ce fichier contient une clé privée mais pas de certificat.")
    if not isinstance(key, SigningKey):
        raise CredentialError(UNSUPPORTED_KEY)
    if not same_key(key, cert):
        raise CredentialError("La clé privée de ce fichier ne correspond pas à son certificat.")
    chain = [c.public_bytes(serialization.Encoding.PEM) for c in extra or ()]
    return _key_pem(key), cert.public_bytes(serialization.Encoding.PEM), chain


def load_private_key(pem: bytes) -> SigningKey:
    """Parse an unencrypted PEM private key, or raise CredentialError."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError as error:  # raised by cryptography for an encrypted key
        raise CredentialError(
            "La clé privée est chiffrée : elle doit être déchiffrée avant usage."
        ) from error
    except (ValueError, UnsupportedAlgorithm) as error:
        raise CredentialError("La clé privée est illisible.") from error
    if not isinstance(key, SigningKey):
        raise CredentialError(UNSUPPORTED_KEY)
    return key


def load_certificate(pem: bytes) -> x509.Certificate:
    """Parse a PEM (or DER) certificate, or raise CredentialError."""
    try:
        if pem.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(pem)
        return x509.load_der_x509_certificate(pem)
    except ValueError as error:
        raise CredentialError("Le certificat est illisible.") from error


def same_key(key: SigningKey, cert: x509.Certificate) -> bool:
    """True if `cert` certifies the public half of `key`."""
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return key.public_key().public_bytes(*spki) == cert.public_key().public_bytes(*spki)


def _is_pkcs12(data: bytes) -> bool:
    """Whether `data` has the PFX structure, to tell a wrong password from a bad file."""
    from asn1crypto import pkcs12 as asn1_pkcs12

    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        return pfx["version"].native == "v3" and pfx["auth_safe"]["content_type"].native is not None
    except Exception:  # asn1crypto raises ValueError, TypeError… on arbitrary bytes
        return False


def _new_key(key_type: KeyType) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"unknown key type {key_type!r}")


def _hash_for(key: SigningKey) -> hashes.HashAlgorithm | None:
    # Ed25519/Ed448 sign without a separate hash.
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return None
    return hashes.SHA256()


def _key_usage(**flags: bool) -> x509.KeyUsage:
    names = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
             "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def _key_pem(key: SigningKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
