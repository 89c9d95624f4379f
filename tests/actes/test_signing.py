"""Signing acts (PAdES) with keys the platform holds, checked by poppler's pdfsig too."""

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    load_pem_private_key,
    pkcs12,
)
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from territoires.actes import documents, inbound, services, signing, transmission
from territoires.actes.models import FileRole, SigningCredential
from territoires.interop.pdf import ca_create, credential_issue
from territoires.tenancy.models import Notification
from tests.actes.factories import pdf_bytes
from tests.factories import PASSWORD, UserFactory, membership


@pytest.fixture
def mayor(body):
    user = UserFactory(first_name="Jeanne", last_name="Maire")
    membership(user, body, ["signataire"])
    return user


def pdfsig(data: bytes) -> str:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "signed.pdf"
        path.write_bytes(data)
        return subprocess.run(["/usr/bin/pdfsig", "-nocert", str(path)], capture_output=True, text=True,
                              timeout=30).stdout


def main_pdf(acte) -> bytes:
    return acte.files.get(role=FileRole.MAIN).stored.read()


def test_a_signatory_signs_with_a_certificate_from_the_platform(mayor, draft):
    credential = signing.credential_issue_for(actor=mayor)
    assert "Jeanne Maire" in credential.subject
    assert b"PRIVATE KEY" not in credential.key_encrypted.encode()  # encrypted at rest
    with pytest.raises(ValidationError) as raised:
        signing.acte_sign(actor=mayor, acte=draft, password="pas le bon")
    assert "Mot de passe incorrect" in raised.value.message_dict["password"][0]
    before = main_pdf(draft)
    signing.acte_sign(actor=mayor, acte=draft, password=PASSWORD)
    signed = main_pdf(draft)
    assert signed.startswith(before)  # an incremental update: the original bytes are kept
    [signature] = signing.signatures_of(draft)
    assert (signature.ok, signature.trusted, signature.signer_name) == (True, True, "Jeanne Maire")
    report = pdfsig(signed)
    assert "Signature is Valid." in report
    assert "Jeanne Maire" in report


def test_the_stamp_keeps_the_signature_valid(mayor, agent, draft, simulator, django_capture_on_commit_callbacks):
    signing.credential_issue_for(actor=mayor)
    signing.acte_sign(actor=mayor, acte=draft, password=PASSWORD)
    with django_capture_on_commit_callbacks():
        services.acte_post(actor=agent, acte=draft)
    transmission.acte_transmit_now(draft.pk)
    inbound.inbox_poll()
    draft.refresh_from_db()
    stamped = documents.acte_stamped_pdf(draft)
    assert "Signature is Valid." in pdfsig(stamped)


def test_only_signatories_hold_certificates_and_sign(agent, draft):
    with pytest.raises(ValidationError):
        signing.credential_issue_for(actor=agent)
    with pytest.raises(PermissionDenied):
        signing.acte_sign(actor=agent, acte=draft, password=PASSWORD)


def test_no_certificate_no_signature(mayor, draft):
    with pytest.raises(ValidationError) as raised:
        signing.acte_sign(actor=mayor, acte=draft, password=PASSWORD)
    assert "certificat" in raised.value.messages[0]


def test_an_official_imports_their_own_certificate(mayor, draft):
    ca_key, ca_cert = ca_create(common_name="AC RGS de test", organisation="Autorité externe")
    key_pem, cert_pem = credential_issue(common_name="Jeanne Maire", email="maire@example.fr",
                                         organisation="Commune", ca_key_pem=ca_key, ca_cert_pem=ca_cert)
    p12 = pkcs12.serialize_key_and_certificates(
        b"jeanne", load_pem_private_key(key_pem, None), x509.load_pem_x509_certificate(cert_pem),
        [x509.load_pem_x509_certificate(ca_cert)], BestAvailableEncryption(b"secret"))
    with pytest.raises(ValidationError):
        signing.credential_import(actor=mayor, data=p12, password="mauvais")
    credential = signing.credential_import(actor=mayor, data=p12, password="secret")
    assert "Autorité externe" in credential.issuer
    signing.acte_sign(actor=mayor, acte=draft, password=PASSWORD)
    [signature] = signing.signatures_of(draft)
    assert signature.ok and not signature.trusted  # valid, from an authority we don't know
    signing.credential_issue_for(actor=mayor)
    assert SigningCredential.objects.filter(user=mayor, revoked_at__isnull=True).count() == 1


def test_an_already_signed_upload_is_verified(mayor, agent, body, nomenclature):
    signing.credential_issue_for(actor=mayor)
    acte = services.acte_create(actor=agent, body=body, nature="DE", numero_interne="DEL_SIGNE",
                                objet="Acte signé ailleurs", decision_date=dt.date(2026, 3, 2),
                                matiere_code="7.1")
    stored = services.acte_file_store(name="a.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    services.acte_file_attach(actor=agent, acte=acte, stored=stored, name="a.pdf", role=FileRole.MAIN,
                              typology="99_DE")
    signing.acte_sign(actor=mayor, acte=acte, password=PASSWORD)
    signed = main_pdf(acte)
    again = services.acte_create(actor=agent, body=body, nature="DE", numero_interne="DEL_SIGNE2",
                                 objet="Copie", decision_date=acte.decision_date, matiere_code="7.1")
    services.acte_file_attach(actor=agent, acte=again, name="signe.pdf", role=FileRole.MAIN, typology="99_DE",
                              stored=services.acte_file_store(name="signe.pdf", data=signed, role=FileRole.MAIN,
                                                              nature="DE"))
    assert [s.signer_name for s in signing.signatures_of(again)] == ["Jeanne Maire"]


def test_pages_request_and_apply_the_signature(client, agent, mayor, body, draft):
    client.force_login(agent)
    client.post(reverse("actes:request_signature", args=[body.siren, draft.pk]))
    assert Notification.objects.filter(user=mayor, text__startswith="Acte DEL2026_001 à signer").exists()
    client.force_login(mayor)
    page = client.get(reverse("actes:credential", args=[body.siren])).content.decode()
    assert "pas encore de certificat" in page
    client.post(reverse("actes:credential", args=[body.siren]), {"action": "issue"})
    response = client.post(reverse("actes:sign", args=[body.siren, draft.pk]), {"sign-password": "faux"})
    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.content.decode()
    client.post(reverse("actes:sign", args=[body.siren, draft.pk]), {"sign-password": PASSWORD})
    page = client.get(reverse("actes:detail", args=[body.siren, draft.pk])).content.decode()
    assert "Autorité de certification reconnue." in page
    draft.refresh_from_db()
    assert draft.signature_requested_at is None
