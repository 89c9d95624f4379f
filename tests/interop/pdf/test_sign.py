import datetime
import io

import pypdf
import pytest
import time_machine
from asn1crypto import cms
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from territoires.interop.pdf import CredentialError, PdfError, credential_issue, pdf_signatures
from tests.interop.pdf.conftest import Credential, encrypted_pdf, sign, tamper
from tests.pdftools import pdfsig


def _signature_dict(data: bytes, index: int = 0):
    reader = pypdf.PdfReader(io.BytesIO(data))
    sig_fields = [f for f in reader.get_fields().values() if f.get("/FT") == "/Sig"]
    return sig_fields[index]["/V"].get_object()


def test_pades_baseline_b(pdf, signed):
    assert signed.startswith(pdf)  # incremental update: the original bytes are untouched
    sig = _signature_dict(signed)
    assert sig["/SubFilter"] == "/ETSI.CAdES.detached"
    assert sig["/Name"] == "Jeanne Maire"
    assert sig["/Reason"] == "Approbation de l'acte"
    assert sig["/Location"] == "Exemple"
    assert sig["/M"].startswith("D:")
    signer_info = cms.ContentInfo.load(sig["/Contents"])["content"]["signer_infos"][0]
    attributes = {attr["type"].native for attr in signer_info["signed_attrs"]}
    # B-B: the signing certificate is bound (ETSI EN 319 142-1 §5.2.2); the
    # time is the dictionary's /M, not a CMS signing-time attribute.
    assert "signing_certificate_v2" in attributes
    assert "signing_time" not in attributes
    assert signer_info["digest_algorithm"]["algorithm"].native == "sha256"


def test_poppler_agrees(signed, tmp_path):
    (report,) = pdfsig(signed)
    assert report["Signature Validation"] == "Signature is Valid."
    assert report["Signer Certificate Common Name"] == "Jeanne Maire"
    assert report["Signature Type"] == "ETSI.CAdES.detached"
    assert report["Signature Field Name"] == "Signature1"
    assert "Total document signed" in report


def test_poppler_sees_tampering(signed, tmp_path):
    (report,) = pdfsig(tamper(signed))
    assert report["Signature Validation"] != "Signature is Valid."
    assert "Mismatch" in report["Signature Validation"]


def test_countersignature(signed, deputy, tmp_path):
    both = sign(signed, deputy)
    assert both.startswith(signed)
    first, second = pdf_signatures(both, trust_roots_pem=[deputy.chain_pem[0]])
    assert (first.signer_name, second.signer_name) == ("Jeanne Maire", "Paul Adjoint")
    assert second.field_name == "Signature2"
    assert first.ok and second.ok and first.trusted and second.trusted
    assert first.modification_level == "formulaires" and not first.covers_whole_document
    assert second.modification_level == "aucune" and second.covers_whole_document
    reports = pdfsig(both)
    assert [r["Signature Validation"] for r in reports] == ["Signature is Valid."] * 2
    assert [r["Signer Certificate Common Name"] for r in reports] == ["Jeanne Maire", "Paul Adjoint"]


def test_field_already_signed(signed, deputy):
    with pytest.raises(PdfError, match="« Signature1 » est déjà signé"):
        sign(signed, deputy, field_name="Signature1")


def test_fills_a_prepared_empty_field(pdf, official):
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fields.append_signature_field(writer, fields.SigFieldSpec("Maire"))
    out = io.BytesIO()
    writer.write(out)
    (info,) = pdf_signatures(sign(out.getvalue(), official, field_name="Maire"))
    assert info.field_name == "Maire" and info.ok


def test_signer_name_overrides_common_name(pdf, official):
    data = sign(pdf, official, signer_name="Jeanne Maire, maire d'Exemple")
    assert _signature_dict(data)["/Name"] == "Jeanne Maire, maire d'Exemple"


def test_key_must_match_certificate(pdf, official, deputy):
    with pytest.raises(CredentialError, match="ne correspond pas au certificat"):
        sign(pdf, Credential(deputy.key_pem, official.cert_pem))


def test_encrypted_key_is_refused(pdf, official):
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(official.key_pem, password=None)
    encrypted = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"secret"))
    with pytest.raises(CredentialError, match="chiffrée"):
        sign(pdf, Credential(encrypted, official.cert_pem))


def test_expired_certificate_cannot_sign(pdf, ca):
    key, cert = credential_issue(common_name="Ancien Maire", email="ancien@exemple.fr",
                                 organisation="Commune", ca_key_pem=ca.key_pem,
                                 ca_cert_pem=ca.cert_pem, valid_days=1, key_type="ec")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False), pytest.raises(CredentialError, match="a expiré le"):
        sign(pdf, Credential(key, cert))


def test_not_a_pdf(official):
    with pytest.raises(PdfError, match="n'est pas un PDF"):
        sign(b"hello", official)


def test_encrypted_pdf_is_refused(official):
    with pytest.raises(PdfError, match="protégé contre la modification"):
        sign(encrypted_pdf(""), official)
