import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from territoires.interop.pdf import CredentialError, ca_create, credential_issue, pkcs12_load
from territoires.interop.pdf.credentials import DOCUMENT_SIGNING


def _cert(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def _key(pem: bytes):
    return serialization.load_pem_private_key(pem, password=None)


def test_ca(ca):
    cert = _cert(ca.cert_pem)
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Territoires AC signature"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert isinstance(_key(ca.key_pem), rsa.RSAPrivateKey)
    cert.verify_directly_issued_by(cert)
    assert ca.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8, unencrypted


def test_official_certificate(ca, official):
    cert = _cert(official.cert_pem)
    cert.verify_directly_issued_by(_cert(ca.cert_pem))
    subject = {attr.oid: attr.value for attr in cert.subject}
    assert subject == {
        NameOID.COMMON_NAME: "Jeanne Maire",
        NameOID.ORGANIZATION_NAME: "Commune d'Exemple",
        NameOID.EMAIL_ADDRESS: "jeanne.maire@exemple.fr",
    }
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes and DOCUMENT_SIGNING in purposes
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.RFC822Name) == ["jeanne.maire@exemple.fr"]
    key = _key(official.key_pem)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072
    validity = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=1094) < validity < datetime.timedelta(days=1096)


def test_ec_key(deputy):
    key = _key(deputy.key_pem)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"


def test_certificate_never_outlives_its_ca():
    ca_key, ca_cert = ca_create(common_name="AC courte", organisation="GIP", valid_days=30, key_type="ec")
    _key_pem, cert_pem = credential_issue(
        common_name="Jeanne Maire", email="j@exemple.fr", organisation="Commune", ca_key_pem=ca_key,
        ca_cert_pem=ca_cert, valid_days=1000, key_type="ec")
    assert _cert(cert_pem).not_valid_after_utc == _cert(ca_cert).not_valid_after_utc


def test_ca_key_must_match(ca, deputy):
    with pytest.raises(CredentialError, match="ne correspond pas"):
        credential_issue(common_name="X", email="x@exemple.fr", organisation="O",
                         ca_key_pem=deputy.key_pem, ca_cert_pem=ca.cert_pem, key_type="ec")


def test_bad_email(ca):
    with pytest.raises(CredentialError, match="adresse électronique"):
        credential_issue(common_name="X", email="élu@exemple.fr", organisation="O",
                         ca_key_pem=ca.key_pem, ca_cert_pem=ca.cert_pem, key_type="ec")


def _p12(credential, password: bytes | None, *, with_key=True, with_chain=True) -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(
        b"jeanne", _key(credential.key_pem) if with_key else None, _cert(credential.cert_pem),
        [_cert(pem) for pem in credential.chain_pem] if with_chain else None, encryption)


def test_pkcs12_roundtrip(deputy):
    key_pem, cert_pem, chain = pkcs12_load(_p12(deputy, b"motdepasse"), b"motdepasse")
    assert _cert(cert_pem) == _cert(deputy.cert_pem)
    assert [_cert(pem) for pem in chain] == [_cert(pem) for pem in deputy.chain_pem]
    assert _key(key_pem).private_numbers() == _key(deputy.key_pem).private_numbers()
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")


def test_pkcs12_without_password(deputy):
    _key_pem, cert_pem, chain = pkcs12_load(_p12(deputy, None, with_chain=False), None)
    assert _cert(cert_pem) == _cert(deputy.cert_pem) and chain == []


@pytest.mark.parametrize(("password", "message"), [
    (b"mauvais", "Le mot de passe du fichier de certificat est incorrect."),
    (None, "Ce fichier de certificat est protégé : indiquez son mot de passe."),
])
def test_pkcs12_wrong_password(deputy, password, message):
    with pytest.raises(CredentialError) as raised:
        pkcs12_load(_p12(deputy, b"motdepasse"), password)
    assert str(raised.value) == message


@pytest.mark.parametrize("data", [b"pas un certificat", b"0\x82\x01\x00" + bytes(50)])
def test_pkcs12_bad_file(data):
    with pytest.raises(CredentialError, match="n'est pas un certificat au format PKCS#12"):
        pkcs12_load(data, b"motdepasse")


def test_pkcs12_without_key(deputy):
    with pytest.raises(CredentialError, match="pas sa clé privée"):
        pkcs12_load(_p12(deputy, b"pw", with_key=False), b"pw")


def test_ca_certificate_signature_hash(ca):
    assert isinstance(_cert(ca.cert_pem).signature_hash_algorithm, hashes.SHA256)
