import datetime
import io
import random

import pytest
import time_machine
from cryptography import x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from territoires.interop.pdf import CredentialError, PdfError, credential_issue, pdf_signatures
from tests.interop.pdf.conftest import Credential, sign, tamper
from tests.pdftools import pdfsig


def test_unsigned(pdf):
    assert pdf_signatures(pdf) == []


def test_trusted(signed, official, ca):
    (info,) = pdf_signatures(signed, trust_roots_pem=[ca.cert_pem])
    cert = x509.load_pem_x509_certificate(official.cert_pem)
    assert info.field_name == "Signature1"
    assert info.signer_name == "Jeanne Maire"
    assert info.signer_email == "jeanne.maire@exemple.fr"
    assert info.certificate_subject == "emailAddress=jeanne.maire@exemple.fr,CN=Jeanne Maire,O=Commune d'Exemple"
    assert info.certificate_issuer == "CN=Territoires AC signature,O=GIP Territoires"
    assert info.certificate_serial == format(cert.serial_number, "x")
    assert info.not_before == cert.not_valid_before_utc and info.not_after == cert.not_valid_after_utc
    now = datetime.datetime.now(datetime.UTC)
    assert info.signing_time.tzinfo is not None
    assert abs(info.signing_time - now) < datetime.timedelta(minutes=1)
    assert (info.intact, info.valid, info.trusted, info.covers_whole_document) == (True,) * 4
    assert info.modification_level == "aucune" and info.ok
    assert info.message == "Signature valide de Jeanne Maire (certificat émis par Territoires AC signature)."


def test_unknown_issuer_is_valid_but_not_trusted(signed):
    (info,) = pdf_signatures(signed)
    assert info.intact and info.valid and info.ok and not info.trusted
    assert info.message == (
        "Signature valide de Jeanne Maire "
        "(certificat émis par Territoires AC signature, autorité non reconnue)."
    )


def test_self_signed_is_valid_but_not_trusted(pdf, self_signed, ca):
    (info,) = pdf_signatures(sign(pdf, self_signed), trust_roots_pem=[ca.cert_pem])
    assert info.intact and info.valid and info.ok and not info.trusted
    assert info.message == "Signature valide de Marie Autosignée (certificat auto-signé, non reconnu)."


def test_tampered(signed, ca):
    (info,) = pdf_signatures(tamper(signed), trust_roots_pem=[ca.cert_pem])
    assert not info.intact and not info.ok and not info.trusted
    assert info.message == "Signature invalide : le document a été modifié après la signature de Jeanne Maire."


def test_trust_is_judged_at_signing_time(pdf, ca):
    """An act signed while the certificate was valid stays trusted after it expires (S²LOW #486)."""
    key, cert = credential_issue(common_name="Ancien Maire", email="ancien@exemple.fr",
                                 organisation="Commune", ca_key_pem=ca.key_pem,
                                 ca_cert_pem=ca.cert_pem, valid_days=1, key_type="ec")
    data = sign(pdf, Credential(key, cert, (ca.cert_pem,)))
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
    with time_machine.travel(later, tick=False):
        (info,) = pdf_signatures(data, trust_roots_pem=[ca.cert_pem])
    assert info.trusted and info.ok


def _update(data: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _resources = writer.find_page_for_modification(0)
    change(writer, page_ref)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_content_changed_after_signing(signed, tmp_path):
    """The signed bytes are intact but a later revision changes the page: our
    analysis refuses it; poppler only checks the bytes and does not notice."""
    def shrink(writer, page_ref):
        page_ref.get_object()[pdf_name("/MediaBox")] = generic.ArrayObject(
            [generic.NumberObject(n) for n in (0, 0, 200, 200)])
        writer.update_container(page_ref.get_object())

    data = _update(signed, shrink)
    (info,) = pdf_signatures(data)
    assert info.intact and info.valid and not info.ok
    assert info.modification_level == "autres"
    assert info.message == (
        "Signature de Jeanne Maire invalidée : le document a été modifié après la signature "
        "d'une façon qui n'est pas autorisée."
    )
    (report,) = pdfsig(data)
    assert report["Signature Validation"] == "Signature is Valid."


@pytest.mark.parametrize("annotation", [
    {"/Subtype": "/Link", "/A": {"/S": "/URI", "/URI": "https://exemple.fr"}},
    {"/Subtype": "/FileAttachment"},
    {"/Subtype": "/Stamp", "/AA": {}},
])
def test_forbidden_annotations(signed, annotation):
    def add(writer, page_ref):
        entries = {pdf_name("/Type"): pdf_name("/Annot"),
                   pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 50, 50)])}
        for key, value in annotation.items():
            entries[pdf_name(key)] = (pdf_name(value) if isinstance(value, str)
                                      else generic.DictionaryObject({
                                          pdf_name(k): generic.TextStringObject(v) if k == "/URI" else pdf_name(v)
                                          for k, v in value.items()}))
        writer.register_annotation(page_ref, writer.add_object(generic.DictionaryObject(entries)))

    (info,) = pdf_signatures(_update(signed, add))
    assert info.modification_level == "autres" and not info.ok


def test_comment_annotation_is_allowed(signed):
    def add(writer, page_ref):
        annotation = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 20, 20)]),
            pdf_name("/Contents"): generic.TextStringObject("Vu, le secrétariat"),
        })
        writer.register_annotation(page_ref, writer.add_object(annotation))

    (info,) = pdf_signatures(_update(signed, add))
    assert info.ok and info.modification_level == "annotations"


def test_unreadable_signature_is_reported(signed, pdf):
    start = signed.index(b"/Contents <", len(pdf)) + len(b"/Contents <")
    data = signed[:start] + b"00" * 40 + signed[start + 80:]
    (info,) = pdf_signatures(data)
    assert not info.intact and not info.valid and not info.ok
    assert info.field_name == "Signature1"
    assert info.message == "Signature illisible ou d'un type non pris en charge : elle ne peut pas être vérifiée."


def test_not_a_pdf():
    with pytest.raises(PdfError, match="n'est pas un PDF"):
        pdf_signatures(b"GIF89a")


def test_bad_trust_root(signed):
    with pytest.raises(CredentialError, match="racine de confiance est illisible"):
        pdf_signatures(signed, trust_roots_pem=[b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n"])


def test_random_byte_changes_never_crash(signed, ca):
    rng = random.Random(1102)
    for _ in range(150):
        at = rng.randrange(len(signed))
        data = signed[:at] + bytes([rng.randrange(256)]) + signed[at + 1:]
        try:
            infos = pdf_signatures(data, trust_roots_pem=[ca.cert_pem])
        except PdfError:
            continue
        assert all(isinstance(info.message, str) and info.message for info in infos)


def test_changes_forbidden_by_a_certification_signature(pdf, official):
    """A document certified "no changes" (DocMDP P=1): even our stamp breaks it."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    from territoires.interop.pdf import pdf_stamp

    key = serialization.load_pem_private_key(official.key_pem, password=None)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(x509.load_pem_x509_certificate(official.cert_pem)
                                                .public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore())
    meta = signers.PdfSignatureMetadata(field_name="Certification", certify=True,
                                        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    certified = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer).getvalue()
    (before,) = pdf_signatures(certified)
    assert before.ok
    (after,) = pdf_signatures(pdf_stamp(certified, ["Reçu en préfecture le 02/11/2026"]))
    assert after.intact and not after.ok and after.modification_level == "autres"
