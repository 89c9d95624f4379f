"""Credentials and PDFs for the PDF tests, all made here: no committed private keys.

Credentials are session-scoped (RSA key generation is the slow part); PDFs
are made per test by fpdf2, uncompressed so that tests can tamper with text.
"""

import datetime
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fpdf import FPDF

from territoires.interop.pdf import ca_create, credential_issue, pdf_sign

TITLE = "Délibération n° 2026-01 : vote du budget primitif"


@dataclass(frozen=True)
class Credential:
    key_pem: bytes
    cert_pem: bytes
    chain_pem: tuple[bytes, ...] = ()


@pytest.fixture(scope="session")
def ca() -> Credential:
    key, cert = ca_create(common_name="Territoires AC signature", organisation="GIP Territoires",
                          valid_days=3650)
    return Credential(key, cert)


@pytest.fixture(scope="session")
def official(ca) -> Credential:
    """The mayor, RSA 3072 (the default key type)."""
    key, cert = credential_issue(common_name="Jeanne Maire", email="jeanne.maire@exemple.fr",
                                 organisation="Commune d'Exemple", ca_key_pem=ca.key_pem,
                                 ca_cert_pem=ca.cert_pem)
    return Credential(key, cert, (ca.cert_pem,))


@pytest.fixture(scope="session")
def deputy(ca) -> Credential:
    """A deputy mayor, with an EC P-256 key."""
    key, cert = credential_issue(common_name="Paul Adjoint", email="paul.adjoint@exemple.fr",
                                 organisation="Commune d'Exemple", ca_key_pem=ca.key_pem,
                                 ca_cert_pem=ca.cert_pem, key_type="ec")
    return Credential(key, cert, (ca.cert_pem,))


@pytest.fixture(scope="session")
def self_signed() -> Credential:
    """What an official may bring: a self-signed signing certificate (ACTES accepts them)."""
    return self_signed_credential("Marie Autosignée")


def self_signed_credential(name: str, *, days: int = 365) -> Credential:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return Credential(key_pem, cert.public_bytes(serialization.Encoding.PEM))


def make_pdf(pages: int = 1, *, orientation: str = "portrait", text: str = TITLE) -> bytes:
    """A small act, uncompressed so its text can be found and altered in the bytes."""
    pdf = FPDF(orientation=orientation)
    pdf.set_compression(False)
    pdf.set_title("Deliberation 2026-01")
    for number in range(pages):
        pdf.add_page()
        pdf.set_font("Helvetica", size=14)
        pdf.cell(text=text if number == 0 else f"Page {number + 1}")
    return bytes(pdf.output())


def encrypted_pdf(user_password: str) -> bytes:
    """Encrypted with AES-256; with an empty user password it opens without one."""
    import io

    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf()))
    writer.encrypt(user_password, "proprietaire", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def pdf() -> bytes:
    return make_pdf()


@pytest.fixture
def signed(pdf, official) -> bytes:
    return sign(pdf, official)


def sign(data: bytes, credential: Credential, **kwargs) -> bytes:
    return pdf_sign(data, key_pem=credential.key_pem, cert_pem=credential.cert_pem,
                    chain_pem=list(credential.chain_pem), reason="Approbation de l'acte",
                    location="Exemple", **kwargs)


def tamper(data: bytes) -> bytes:
    """Change one digit of the act's number, inside the first (signed) revision."""
    at = data.index(b"2026-01")
    return data[:at] + b"2026-07" + data[at + 7:]
