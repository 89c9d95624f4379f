"""Each body's nomenclature is requested (7-1), stored (7-2), confirmed (7-3) and kept current."""

import datetime as dt

from django.utils import timezone

from territoires.actes import classification, inbound, transmission
from territoires.actes.models import Acte, Classification, OutgoingMessage, Transmission
from territoires.actes.simulator import CLASSIFICATION_DATE
from territoires.interop.actes.archive import unpack
from tests.actes.factories import classification as make_classification
from tests.factories import BodyFactory


def send_all():
    for sent in Transmission.objects.filter(status="built"):
        transmission.transmission_send(sent.pk)


def test_a_new_body_gets_its_classification_from_the_prefecture(body, simulator, django_capture_on_commit_callbacks):
    assert classification.classification_is_stale(body)
    message = classification.classification_request(body=body)
    assert message.file_name == f"021-{body.siren}----7-1_0.xml"
    assert classification.classification_request(body=body) is None  # one request on its way is enough
    members = dict(unpack(message.transmission.archive.read()))
    assert message.file_name in members
    send_all()
    assert inbound.inbox_poll() == 1
    stored = Classification.objects.get(body=body)
    assert stored.date == CLASSIFICATION_DATE
    codes = [m["code"] for m in stored.data["matieres"]]
    assert {"1", "1.1", "7.1"} <= set(codes)
    assert ["99_DE"] == [c for c, _label in stored.typologies("DE") if c == "99_DE"]
    assert not classification.classification_is_stale(body)


def test_an_unchanged_classification_is_confirmed(body, simulator):
    current = make_classification(body)
    Classification.objects.filter(pk=current.pk).update(checked_at=timezone.now() - dt.timedelta(days=30))
    assert classification.classification_is_stale(body)
    classification.classification_request(body=body)
    send_all()
    inbound.inbox_poll()
    current.refresh_from_db()
    assert Classification.objects.filter(body=body).count() == 1
    assert timezone.now() - current.checked_at < dt.timedelta(minutes=1)
    assert OutgoingMessage.objects.get().code == "7-1"


def test_the_daily_refresh_asks_for_every_subscribed_body(body):
    BodyFactory(services=["formations"])
    BodyFactory(departement="")
    assert classification.classifications_refresh() == 1
    assert OutgoingMessage.objects.get().body == body


def test_an_answer_naming_a_newer_classification_triggers_a_request(agent, body, draft, simulator,
                                                                    django_capture_on_commit_callbacks):
    from territoires.actes import services

    # The body's classification is newer than the prefecture's: the AR changes nothing.
    Classification.objects.filter(body=body).update(date=dt.date(2026, 1, 20))
    with django_capture_on_commit_callbacks():
        services.acte_post(actor=agent, acte=draft)
    transmission.acte_transmit_now(draft.pk)
    inbound.inbox_poll()
    assert draft.incoming.get().code == "1-2"
    assert not OutgoingMessage.objects.filter(code="7-1").exists()

    # An act refused for a stale classification: the anomaly names the current one, we ask for it.
    Classification.objects.filter(body=body).update(date=dt.date(2025, 6, 1))
    second = services.acte_create(actor=agent, body=body, nature="DE", numero_interne="DEL2026_099",
                                  objet="Autre", decision_date=dt.date(2026, 3, 2), matiere_code="7.1")
    second.files.create(role="main", typology="99_DE", name="d.pdf", uploaded_by=agent,
                        stored=draft.files.get().stored)
    Acte.objects.filter(pk=second.pk).update(status="posted")
    transmission.acte_transmit_now(second.pk)
    inbound.inbox_poll()
    assert second.incoming.get().code == "1-3"
    assert OutgoingMessage.objects.filter(code="7-1").count() == 1


def test_the_acts_page_warns_of_a_stale_classification_and_asks_again(client, agent, body, nomenclature,
                                                                       django_capture_on_commit_callbacks):
    from django.urls import reverse

    client.force_login(agent)
    assert "n'a pas été confirmée" not in client.get(reverse("actes:list", args=[body.siren])).content.decode()
    Classification.objects.filter(pk=nomenclature.pk).update(checked_at=timezone.now() - dt.timedelta(days=9))
    with django_capture_on_commit_callbacks():
        page = client.get(reverse("actes:list", args=[body.siren])).content.decode()
        client.get(reverse("actes:list", args=[body.siren]))
    assert "n'a pas été confirmée" in page
    assert OutgoingMessage.objects.filter(code="7-1").count() == 1
