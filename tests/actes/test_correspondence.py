"""Prefecture letters, our answers, cancellation and the déféré window, through the simulator."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from territoires.actes import correspondence, inbound, services, simulator, transmission
from territoires.actes.models import IncomingMessage, OutgoingMessage, Status, Transmission
from territoires.interop.actes.archive import unpack
from territoires.interop.actes.schema import validate
from territoires.tenancy.models import Notification
from tests.actes.factories import pdf_bytes
from tests.factories import BodyFactory, UserFactory, membership


@pytest.fixture
def acknowledged(agent, draft, simulator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.acte_post(actor=agent, acte=draft)
    transmission.acte_transmit_now(draft.pk)
    inbound.inbox_poll()
    draft.refresh_from_db()
    assert draft.status == Status.ACKNOWLEDGED
    return draft


def prefecture_writes(acte, code, settings):
    simulator.letter(code, id_acte=acte.id_acte, emitter=transmission.emitter_of(acte.body),
                     folder=settings.ACTES_SIMULATOR_DIR, now=timezone.now(), today=timezone.localdate())
    inbound.inbox_poll()
    return acte.incoming.get(code=code)


def send_pending():
    for sent in Transmission.objects.filter(status="built"):
        transmission.transmission_send(sent.pk)
    return inbound.inbox_poll()


def test_a_request_for_documents_suspends_the_window_until_answered(agent, acknowledged, settings):
    assert correspondence.acte_window(acknowledged).end is not None
    letter = prefecture_writes(acknowledged, "3-1", settings)
    assert letter.files.get().name.endswith("-3-1_1.pdf")
    assert Notification.objects.filter(user=agent, text__contains="Demande de pièces complémentaires").exists()
    assert correspondence.acte_window(acknowledged).suspended
    assert list(correspondence.letters_awaiting_answer(body=acknowledged.body)) == [letter]

    correspondence.courrier_reply(actor=agent, letter=letter, code="3-2", documents=[])
    assert correspondence.answers_open(letter) == ["3-3", "3-4"]
    pieces = correspondence.courrier_reply(actor=agent, letter=letter, code="3-4", documents=[
        ("avis.pdf", pdf_bytes("avis")), ("rapport.pdf", pdf_bytes("rapport"))])
    assert [f.name for f in pieces.files.all()] == [
        f"{acknowledged.id_acte}-3-4_1.pdf", f"{acknowledged.id_acte}-3-4_2.pdf"]
    members = dict(unpack(pieces.transmission.archive.read()))
    validate(members[pieces.file_name], settings.REFERENCE_DATA_DIR)
    assert correspondence.answers_open(letter) == []
    assert not correspondence.letters_awaiting_answer(body=acknowledged.body).exists()

    send_pending()  # 3-2 and 3-4 go; the prefecture acknowledges the pieces (3-5)
    ar = acknowledged.incoming.get(code="3-5")
    window = correspondence.acte_window(acknowledged)
    assert (window.suspended, window.start) == (False, ar.date_reception)


def test_observations_answered(agent, acknowledged, settings):
    letter = prefecture_writes(acknowledged, "4-1", settings)
    assert "pas motivée" in letter.parsed["description"]
    correspondence.courrier_reply(actor=agent, letter=letter, code="4-4", documents=[("reponse.pdf", pdf_bytes())])
    send_pending()
    assert acknowledged.incoming.filter(code="4-5").exists()


@pytest.mark.parametrize(("letter_code", "code", "documents", "fragment"), [
    ("2-1", "2-2", [], "Joignez"),
    ("3-1", "3-2", [("x.pdf", pdf_bytes())], "ne porte pas"),
    ("2-1", "4-4", [], "n'est pas (ou plus) possible"),
    ("2-1", "2-2", [("a.pdf", pdf_bytes()), ("b.pdf", pdf_bytes())], "un seul document"),
    ("2-1", "2-2", [("lettre.odt", b"PK")], "format"),
])
def test_bad_answers_are_refused_in_french(agent, acknowledged, settings, letter_code, code, documents, fragment):
    letter = prefecture_writes(acknowledged, letter_code, settings)
    with pytest.raises(ValidationError) as raised:
        correspondence.courrier_reply(actor=agent, letter=letter, code=code, documents=documents)
    assert fragment in " ".join(raised.value.messages)
    assert not OutgoingMessage.objects.exclude(code="1-1").exists()


def test_an_answer_is_sent_once(agent, acknowledged, settings):
    letter = prefecture_writes(acknowledged, "2-1", settings)
    correspondence.courrier_reply(actor=agent, letter=letter, code="2-2", documents=[("r.pdf", pdf_bytes())])
    with pytest.raises(ValidationError):
        correspondence.courrier_reply(actor=agent, letter=letter, code="2-2", documents=[("r.pdf", pdf_bytes())])


def test_cancellation(agent, acknowledged):
    message = correspondence.acte_cancel(actor=agent, acte=acknowledged)
    acknowledged.refresh_from_db()
    assert (message.code, acknowledged.status) == ("6-1", Status.CANCEL_REQUESTED)
    send_pending()
    acknowledged.refresh_from_db()
    assert acknowledged.status == Status.CANCELLED
    with pytest.raises(ValidationError):
        correspondence.acte_cancel(actor=agent, acte=acknowledged)


def test_a_referral_to_the_court_is_received(acknowledged, settings):
    letter = prefecture_writes(acknowledged, "5-1", settings)
    assert letter.root == "DefereTA"
    assert correspondence.answers_open(letter) == []


def test_the_act_page_shows_letters_and_answers_them(client, agent, body, acknowledged, settings):
    letter = prefecture_writes(acknowledged, "2-1", settings)
    client.force_login(agent)
    url = reverse("actes:detail", args=[body.siren, acknowledged.pk])
    page = client.get(url).content.decode()
    assert "Courrier simple de la préfecture" in page
    assert "Le préfet peut déférer l'acte" in page
    letter.refresh_from_db()
    assert letter.read_at is not None
    response = client.get(reverse("actes:letter_file", args=[body.siren, acknowledged.pk, letter.files.get().pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.post(reverse("actes:reply", args=[body.siren, acknowledged.pk, letter.pk]), {
        f"reply-{letter.pk}-code": "2-2",
        f"reply-{letter.pk}-documents": SimpleUploadedFile("reponse.pdf", pdf_bytes(), "application/pdf"),
    })
    assert letter.answers.get().code == "2-2"
    dashboard = client.get(reverse("actes:dashboard", args=[body.siren])).content.decode()
    assert "Aucun courrier en attente." in dashboard


def test_letters_of_another_body_stay_hidden(client, acknowledged, settings):
    letter = prefecture_writes(acknowledged, "2-1", settings)
    other = BodyFactory()
    outsider = UserFactory()
    membership(outsider, other, ["agent"])
    client.force_login(outsider)
    for url in (reverse("actes:letter_file", args=[other.siren, acknowledged.pk, letter.files.get().pk]),
                reverse("actes:detail", args=[other.siren, acknowledged.pk])):
        assert client.get(url).status_code == 404
    assert IncomingMessage.objects.count() == 2


def test_the_agent_home_lists_letters_to_answer(client, agent, body, acknowledged, settings):
    prefecture_writes(acknowledged, "3-1", settings)
    client.force_login(agent)
    page = client.get(reverse("tenancy:home", args=[body.siren])).content.decode()
    assert "1 courrier de la préfecture à traiter" in page


def test_the_simulated_prefecture_writes_on_request(client, agent, body, acknowledged, settings):
    client.force_login(agent)
    page = client.get(reverse("actes:detail", args=[body.siren, acknowledged.pk])).content.decode()
    assert "Simulation" in page
    client.post(reverse("actes:simulate_letter", args=[body.siren, acknowledged.pk]), {"code": "4-1"})
    inbound.inbox_poll()
    assert acknowledged.incoming.filter(code="4-1").exists()
    settings.ACTES_TRANSPORT = "ministry"
    response = client.post(reverse("actes:simulate_letter", args=[body.siren, acknowledged.pk]), {"code": "2-1"})
    assert response.status_code == 404


def test_the_home_counts_agree_with_the_dashboard(agent, body, acknowledged, settings):
    from territoires.actes.pending import pending_counts

    for code in ("2-1", "3-1", "5-1"):
        prefecture_writes(acknowledged, code, settings)
    letters = list(correspondence.letters_awaiting_answer(body=body))
    assert pending_counts(body.pk)[2] == len(letters) == 2  # a referral to the court awaits no answer
    correspondence.courrier_reply(actor=agent, letter=letters[0], code="2-2", documents=[("r.pdf", pdf_bytes())])
    assert pending_counts(body.pk)[2] == correspondence.letters_awaiting_answer(body=body).count() == 1
