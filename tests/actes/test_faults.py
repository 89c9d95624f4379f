"""Fault tests: a worker dies mid-transmission, the simulator is down, the database fails
after the archive is built. After recovery every act was transmitted exactly once.

"Exactly once" is checked on the prefecture's side: the simulator keeps every
archive it received (`recus/`), and each act's 1-1 message must appear in
exactly one of them; every act ends acknowledged.
"""

import datetime as dt

import pytest
import time_machine
from django.db import OperationalError
from django.utils import timezone

from territoires.actes import inbound, services, transmission, transport
from territoires.actes.models import Acte, FileRole, OutgoingMessage, Status, Transmission
from territoires.interop.actes.archive import unpack
from tests.actes.factories import pdf_bytes


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so no `except Exception` handler catches it."""


@pytest.fixture
def posted_acts(agent, body, nomenclature, django_capture_on_commit_callbacks):
    actes = []
    for n in range(3):
        acte = services.acte_create(actor=agent, body=body, nature="DE", numero_interne=f"DEL_{n}",
                                    objet=f"Délibération {n}", decision_date=dt.date(2026, 3, 2),
                                    matiere_code="7.1")
        stored = services.acte_file_store(name="d.pdf", data=pdf_bytes(f"acte {n}"), role=FileRole.MAIN,
                                          nature="DE")
        services.acte_file_attach(actor=agent, acte=acte, stored=stored, name="d.pdf", role=FileRole.MAIN,
                                  typology="99_DE")
        actes.append(acte)
    with django_capture_on_commit_callbacks():
        services.actes_post_batch(actor=agent, body=body, actes=actes)
    return actes


def received_messages(settings) -> list[str]:
    """Every 1-1 message name in every archive the prefecture received."""
    names = []
    for archive in sorted((settings.ACTES_SIMULATOR_DIR / "recus").iterdir()):
        names += [name for name, _data in unpack(archive.read_bytes()) if name.endswith("-1-1_0.xml")]
    return names


def recover():
    """What the periodic jobs do once the worker is back: resume, send, read the mailbox."""
    later = timezone.now() + dt.timedelta(minutes=10)  # past every lease and back-off
    with time_machine.travel(later, tick=True):
        transmission.actes_resume()
        for pk in Acte.objects.filter(status=Status.POSTED).values_list("pk", flat=True):
            transmission.acte_transmit_now(pk)
        for sent in Transmission.objects.filter(status="built"):
            transmission.transmission_send(sent.pk)
        inbound.inbox_poll()


def assert_each_act_sent_once_and_acknowledged(actes, settings):
    names = received_messages(settings)
    for acte in actes:
        acte.refresh_from_db()
        assert acte.status == Status.ACKNOWLEDGED, acte.status
        assert names.count(f"{acte.id_acte}-1-1_0.xml") == 1
    assert OutgoingMessage.objects.filter(code="1-1").count() == len(actes)


def test_worker_killed_while_posting(posted_acts, simulator, settings, monkeypatch):
    real_post = transport.archive_post

    def dies_after_the_post(name, data):
        real_post(name, data)  # the prefecture has it…
        raise WorkerKilled  # …and the worker dies before writing that down

    monkeypatch.setattr(transport, "archive_post", dies_after_the_post)
    with pytest.raises(WorkerKilled):
        transmission.acte_transmit_now(posted_acts[0].pk)
    monkeypatch.setattr(transport, "archive_post", real_post)
    assert Transmission.objects.get().status == "built"  # built and leased, not known as sent
    recover()
    assert_each_act_sent_once_and_acknowledged(posted_acts, settings)
    assert Transmission.objects.count() == 1  # the three acts shared one envelope, built once


def test_worker_killed_while_building(posted_acts, simulator, settings, monkeypatch):
    def dies(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(transmission, "archive_create", dies)
    with pytest.raises(WorkerKilled):
        transmission.acte_transmit_now(posted_acts[0].pk)
    monkeypatch.undo()
    assert not Transmission.objects.exists()
    assert set(Acte.objects.values_list("status", flat=True)) == {Status.POSTED}
    Acte.objects.update(status_changed_at=timezone.now() - dt.timedelta(minutes=10))
    recover()
    assert_each_act_sent_once_and_acknowledged(posted_acts, settings)


def test_simulator_down_then_back(posted_acts, simulator, settings):
    url = settings.ACTES_SIMULATOR_URL
    settings.ACTES_SIMULATOR_URL = "http://127.0.0.1:9/simulateur/actes/depot/"
    transmission.acte_transmit_now(posted_acts[0].pk)
    for acte in posted_acts:
        acte.refresh_from_db()
        assert acte.status == Status.IN_TRANSMISSION
        assert "injoignable" in acte.last_error
    settings.ACTES_SIMULATOR_URL = url
    recover()
    assert_each_act_sent_once_and_acknowledged(posted_acts, settings)


def test_database_fails_after_the_archive_is_built(posted_acts, simulator, settings, monkeypatch):
    real_create = OutgoingMessage.objects.create

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(OutgoingMessage.objects, "create", database_gone)
    with pytest.raises(OperationalError):
        transmission.acte_transmit_now(posted_acts[0].pk)
    monkeypatch.setattr(OutgoingMessage.objects, "create", real_create)
    # The archive was built and stored, but its transaction rolled back: nothing was sent.
    assert not Transmission.objects.exists()
    assert not (settings.ACTES_SIMULATOR_DIR / "recus").exists()
    Acte.objects.update(status_changed_at=timezone.now() - dt.timedelta(minutes=10))
    recover()
    assert_each_act_sent_once_and_acknowledged(posted_acts, settings)
    assert Transmission.objects.get().archive_name.endswith("-1.tar.gz")  # the day's counter was not lost
