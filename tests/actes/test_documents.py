"""The stamped act and the acknowledgement receipt, read back from the PDFs."""

import pytest
from django.urls import reverse
from django.utils import timezone

from territoires.actes import documents, inbound, services, transmission
from tests.pdftools import pdftotext


@pytest.fixture
def acknowledged(agent, draft, simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.acte_post(actor=agent, acte=draft)
    transmission.acte_transmit_now(draft.pk)
    inbound.inbox_poll()
    draft.refresh_from_db()
    return draft


def text_of(data: bytes) -> str:
    return " ".join(pdftotext(data).split())


def test_no_stamp_nor_receipt_before_the_ar(draft):
    assert not documents.stamped_available(draft)
    with pytest.raises(ValueError):
        documents.acte_receipt_pdf(draft)


def test_the_stamp_has_the_four_lines_once_published(acknowledged):
    today = timezone.localdate().strftime("%d/%m/%Y")
    text = text_of(documents.acte_stamped_pdf(acknowledged))
    assert f"Envoyé en préfecture le {today}" in text
    assert f"Reçu en préfecture le {today}" in text
    assert f"ID : {acknowledged.id_acte}" in text
    assert "Publié le" not in text
    acknowledged.published_on = timezone.localdate()
    assert f"Publié le {today}" in text_of(documents.acte_stamped_pdf(acknowledged))


def test_the_receipt_names_the_act_and_its_files(acknowledged):
    text = text_of(documents.acte_receipt_pdf(acknowledged))
    assert "Accusé de réception de la préfecture" in text
    assert acknowledged.id_acte in text
    assert acknowledged.files.get().stored.sha256 in text.replace(" ", "")


def test_pages_serve_both_pdfs(client, agent, body, acknowledged):
    client.force_login(agent)
    page = client.get(reverse("actes:detail", args=[body.siren, acknowledged.pk])).content.decode()
    assert "Acte tamponné (PDF)" in page
    for name in ("stamped", "receipt"):
        response = client.get(reverse(f"actes:{name}", args=[body.siren, acknowledged.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
