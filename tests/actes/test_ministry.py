"""Transport to the ministry, end to end against real local servers.

Outbound: HTTPS multipart POST with a client certificate, to a server that
requires one (`MinistryServer`). Inbound: the answers e-mailed into a real
IMAP mailbox (dovecot), read by `inbound.inbox_poll()`. Both servers run on
127.0.0.1 with certificates made for the session (tests/actes/ministry_servers.py).
"""

import datetime as dt
import gc
import imaplib
import logging
import ssl
import time
import warnings
from email.message import EmailMessage

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from territoires.actes import inbound, inbox, services, transmission
from territoires.actes.models import (
    Acte,
    InboundArchive,
    IncomingMessage,
    Status,
    Transmission,
    TransmissionStatus,
)
from tests.actes.conftest import run_due_retry
from tests.actes.conftest_ministry import (  # noqa: F401 (fixtures)
    dovecot_server,
    foreign_pki,
    mailbox,
    ministry_pki,
    ministry_server,
)
from tests.actes.ministry_servers import answer_mails


@pytest.fixture
def posted(agent, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.acte_post(actor=agent, acte=draft)
    return draft


@pytest.fixture
def transmitted(posted, ministry_server):
    """An act the ministry has taken (HTTP 200), waiting for its answer by e-mail."""
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    assert posted.status == Status.TRANSMITTED, posted.last_error
    return posted


def answers_to(settings, name: str, data: bytes) -> list[bytes]:
    return answer_mails(name, data, today=timezone.localdate(), reference_dir=settings.REFERENCE_DATA_DIR,
                        to=settings.ACTES_RETURN_EMAIL)


@pytest.fixture
def ar_mail(transmitted, settings):
    """The prefecture's AR for `transmitted`, as the e-mail it sends."""
    sent = Transmission.objects.get()
    [mail] = answers_to(settings, sent.archive_name, sent.archive.read())
    return mail


def retry_of_send():
    return DBTaskResult.objects.get(task_path__endswith="send_transmission")


def eventually(check, timeout: float = 5.0) -> bool:
    """For what the server's thread records after the client has its answer."""
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


# --- Outbound: HTTPS with a client certificate --------------------------------------------


def test_an_act_reaches_the_ministry_byte_for_byte_with_our_certificate(posted, ministry_server):
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    sent = Transmission.objects.get()
    assert posted.status == Status.TRANSMITTED
    assert (sent.status, sent.attempts, sent.last_error) == (TransmissionStatus.SENT, 1, "")
    [received] = ministry_server.received
    assert received.field == received.filename == sent.archive_name
    assert received.data == sent.archive.read()
    assert received.content_type == "application/x-gzip"
    assert received.client == "client ministère (tests)"
    assert ministry_server.errors == []
    # In `ministry` mode the answer is not awaited by a task: the mailbox is polled periodically.
    assert not DBTaskResult.objects.filter(task_path__endswith="poll_inbox").exists()


def test_a_client_certificate_the_ministry_does_not_know_fails_the_handshake_and_is_retried(
        posted, ministry_server, foreign_pki, settings):
    settings.ACTES_CLIENT_CERT = str(foreign_pki.client_cert)
    settings.ACTES_CLIENT_KEY = str(foreign_pki.client_key)
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    sent = Transmission.objects.get()
    assert posted.status == Status.IN_TRANSMISSION
    assert posted.last_error.startswith("Connexion sécurisée refusée : le serveur du ministère a refusé "
                                        "notre certificat client"), posted.last_error
    assert (sent.status, sent.attempts) == (TransmissionStatus.BUILT, 1)
    assert retry_of_send().run_after > timezone.now() + dt.timedelta(seconds=20)
    assert ministry_server.received == []
    assert eventually(lambda: len(ministry_server.errors) == 1)  # the server's side of the handshake
    assert isinstance(ministry_server.errors[0], ssl.SSLError)

    # The certificate is renewed; the retry posts the same archive and succeeds.
    settings.ACTES_CLIENT_CERT = str(ministry_server.pki.client_cert)
    settings.ACTES_CLIENT_KEY = str(ministry_server.pki.client_key)
    run_due_retry(sent.pk)
    posted.refresh_from_db()
    assert (posted.status, posted.last_error) == (Status.TRANSMITTED, "")
    assert [r.data for r in ministry_server.received] == [sent.archive.read()]


@pytest.mark.parametrize("trusted", ["foreign", "system"])
def test_a_server_certificate_not_signed_by_the_ministry_ca_is_refused(trusted, posted, ministry_server,
                                                                       foreign_pki, settings):
    settings.ACTES_SERVER_CA = str(foreign_pki.ca_cert) if trusted == "foreign" else ""
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    assert posted.status == Status.IN_TRANSMISSION
    assert posted.last_error.startswith("Connexion sécurisée refusée : le certificat du serveur n'est pas "
                                        "reconnu"), posted.last_error
    assert ministry_server.received == []  # nothing left our side
    assert retry_of_send()


def test_a_server_error_is_retried_then_sent(posted, ministry_server):
    ministry_server.status, ministry_server.body = 500, "Service momentanément indisponible"
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    sent = Transmission.objects.get()
    assert posted.status == Status.IN_TRANSMISSION
    assert posted.last_error == "Refus du serveur (HTTP 500) : Service momentanément indisponible"
    assert (sent.status, sent.attempts) == (TransmissionStatus.BUILT, 1)
    assert retry_of_send().run_after > timezone.now()

    ministry_server.status = 200
    run_due_retry(sent.pk)
    posted.refresh_from_db()
    sent.refresh_from_db()
    assert (posted.status, posted.last_error) == (Status.TRANSMITTED, "")
    assert (sent.status, sent.attempts) == (TransmissionStatus.SENT, 2)
    first, second = ministry_server.received
    assert first.data == second.data == sent.archive.read()
    assert first.filename == second.filename == sent.archive_name


def test_a_refusal_of_the_archive_is_final_and_shown_word_for_word(posted, ministry_server):
    ministry_server.status, ministry_server.body = 400, "ERREUR : archive refusée"
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    sent = Transmission.objects.get()
    assert posted.status == Status.ERROR
    assert posted.last_error == "Refus du serveur (HTTP 400) : ERREUR : archive refusée"
    assert "ERREUR : archive refusée" in posted.last_error
    assert (sent.status, sent.attempts) == (TransmissionStatus.FAILED, 1)
    assert not DBTaskResult.objects.filter(task_path__endswith="send_transmission").exists()


@pytest.mark.parametrize("missing", ["ACTES_MINISTRY_URL", "ACTES_CLIENT_CERT", "ACTES_CLIENT_KEY"])
def test_missing_configuration_is_a_final_error_without_network(missing, posted, ministry_pki, settings,
                                                                 socket_disabled):
    settings.ACTES_TRANSPORT = "ministry"
    settings.ACTES_MINISTRY_URL = "https://127.0.0.1:9/actes/depot"
    settings.ACTES_CLIENT_CERT = str(ministry_pki.client_cert)
    settings.ACTES_CLIENT_KEY = str(ministry_pki.client_key)
    setattr(settings, missing, "")
    transmission.acte_transmit_now(posted.pk)  # any socket would raise SocketBlockedError
    posted.refresh_from_db()
    assert posted.status == Status.ERROR
    assert posted.last_error == ("La télétransmission vers le ministère n'est pas configurée "
                                 "(URL ou certificat client manquant).")
    assert Transmission.objects.get().status == TransmissionStatus.FAILED


@pytest.mark.parametrize("problem", ["cert-missing", "key-mismatch", "key-encrypted", "ca-missing"])
def test_unreadable_certificate_files_are_a_final_error_without_network(problem, posted, ministry_pki,
                                                                        foreign_pki, settings, tmp_path,
                                                                        socket_disabled):
    settings.ACTES_TRANSPORT = "ministry"
    settings.ACTES_MINISTRY_URL = "https://127.0.0.1:9/actes/depot"
    settings.ACTES_CLIENT_CERT = str(ministry_pki.client_cert)
    settings.ACTES_CLIENT_KEY = str(ministry_pki.client_key)
    settings.ACTES_SERVER_CA = str(ministry_pki.ca_cert)
    expected = "Certificat client ou clé privée illisible"
    if problem == "cert-missing":
        settings.ACTES_CLIENT_CERT = str(tmp_path / "absent.pem")
    elif problem == "key-mismatch":
        settings.ACTES_CLIENT_KEY = str(foreign_pki.client_key)
    elif problem == "key-encrypted":  # would make OpenSSL prompt for a passphrase on a terminal
        key = serialization.load_pem_private_key(ministry_pki.client_key.read_bytes(), password=None)
        encrypted = tmp_path / "client-chiffre.key"
        encrypted.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.BestAvailableEncryption(b"secret")))
        settings.ACTES_CLIENT_KEY = str(encrypted)
    else:
        settings.ACTES_SERVER_CA = str(tmp_path / "absente.pem")
        expected = "Autorité de certification du ministère illisible"
    transmission.acte_transmit_now(posted.pk)  # before the fix: a bare OSError, the act stuck in transmission
    posted.refresh_from_db()
    assert posted.status == Status.ERROR
    assert posted.last_error.startswith(expected), posted.last_error
    assert Transmission.objects.get().status == TransmissionStatus.FAILED


# --- Inbound: the answers in a real IMAP mailbox ------------------------------------------


@pytest.mark.parametrize("tls", ["imaps", "starttls"])
def test_an_ar_e_mailed_by_the_ministry_acknowledges_the_act(tls, transmitted, ar_mail, mailbox, settings):
    if tls == "starttls":
        settings.ACTES_IMAP_SSL = False
        settings.ACTES_IMAP_PORT = mailbox.imap_port
    mailbox.deliver(ar_mail)
    assert inbound.inbox_poll() == 1
    transmitted.refresh_from_db()
    assert transmitted.status == Status.ACKNOWLEDGED
    assert transmitted.received_on == timezone.localdate()
    ar = transmitted.incoming.get()
    assert (ar.code, ar.root, ar.id_acte) == ("1-2", "ARActe", transmitted.id_acte)
    assert InboundArchive.objects.get().source  # the IMAP uid, for the record
    assert mailbox.messages() == []  # flagged \Deleted, then expunged
    assert inbound.inbox_poll() == 0


def test_an_e_mail_without_archive_is_left_in_the_mailbox_for_a_person(transmitted, ar_mail, mailbox, caplog):
    note = EmailMessage()
    note["From"] = "Préfecture <pref@example.org>"
    note["To"] = "actes@territoires.example.org"
    note["Subject"] = "Maintenance de la plateforme @CTES samedi"
    note.set_content("La plateforme sera indisponible samedi de 8 h à 12 h.")
    mailbox.deliver(note.as_bytes())
    mailbox.deliver(ar_mail)
    with caplog.at_level(logging.WARNING, logger="territoires.actes.inbox"):
        assert inbound.inbox_poll() == 1
    assert "has no archive: left there for a person" in caplog.text
    transmitted.refresh_from_db()
    assert transmitted.status == Status.ACKNOWLEDGED
    [(_uid, flags, raw)] = mailbox.messages()
    assert b"Maintenance de la plateforme" in raw
    assert "\\Deleted" not in flags and "\\Seen" not in flags  # still unread for whoever reads the box
    assert inbound.inbox_poll() == 0
    assert len(mailbox.messages()) == 1


def test_a_crash_before_the_archive_is_stored_loses_nothing(transmitted, ar_mail, mailbox, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("database lost while storing")

    mailbox.deliver(ar_mail)
    monkeypatch.setattr(inbound, "archive_receive", crash)
    with pytest.raises(RuntimeError):
        inbound.inbox_poll()
    monkeypatch.undo()
    [(_uid, flags, _raw)] = mailbox.messages()
    assert "\\Deleted" not in flags
    transmitted.refresh_from_db()
    assert transmitted.status == Status.TRANSMITTED

    assert inbound.inbox_poll() == 1
    transmitted.refresh_from_db()
    assert transmitted.status == Status.ACKNOWLEDGED
    assert mailbox.messages() == []


def test_a_crash_after_storing_applies_the_archive_once(transmitted, ar_mail, mailbox, monkeypatch):
    def crash(self, key):
        raise ConnectionResetError("IMAP connection lost before the message was flagged")

    mailbox.deliver(ar_mail)
    monkeypatch.setattr(inbox.ImapInbox, "done", crash)
    with pytest.raises(ConnectionResetError):
        inbound.inbox_poll()
    monkeypatch.undo()
    transmitted.refresh_from_db()
    assert transmitted.status == Status.ACKNOWLEDGED
    assert len(mailbox.messages()) == 1  # read again next time

    assert inbound.inbox_poll() == 1
    assert InboundArchive.objects.count() == 1
    assert IncomingMessage.objects.count() == 1
    assert mailbox.messages() == []


def test_the_same_archive_e_mailed_twice_is_applied_once(transmitted, ar_mail, mailbox):
    mailbox.deliver(ar_mail)
    mailbox.deliver(ar_mail)
    assert inbound.inbox_poll() == 2
    assert InboundArchive.objects.count() == 1
    assert IncomingMessage.objects.count() == 1
    transmitted.refresh_from_db()
    assert transmitted.status == Status.ACKNOWLEDGED
    assert mailbox.messages() == []


@pytest.mark.parametrize("problem", ["password", "folder", "ca", "ca-starttls"])
def test_a_mailbox_that_cannot_be_opened_fails_the_poll_and_leaks_no_connection(problem, mailbox, settings):
    if problem == "password":
        settings.ACTES_IMAP_PASSWORD = "mauvais"
        expected = imaplib.IMAP4.error
    elif problem == "folder":
        settings.ACTES_IMAP_MAILBOX = "Inexistant"
        expected = imaplib.IMAP4.error
    else:
        settings.ACTES_IMAP_CA = ""  # system CAs: the test CA is unknown
        expected = ssl.SSLCertVerificationError
        if problem == "ca-starttls":
            settings.ACTES_IMAP_SSL = False
            settings.ACTES_IMAP_PORT = mailbox.imap_port
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(expected):
            inbound.inbox_poll()
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# --- The whole path ------------------------------------------------------------------------


def test_draft_to_acknowledgement_through_https_and_imap(agent, draft, ministry_server, mailbox, settings,
                                                         django_capture_on_commit_callbacks, run_tasks):
    def prefecture(received):  # the ministry e-mails its answer to our return address
        for mail in answers_to(settings, received.filename, received.data):
            mailbox.deliver(mail)

    ministry_server.on_receive = prefecture
    with django_capture_on_commit_callbacks(execute=True):
        services.acte_post(actor=agent, acte=draft)
    run_tasks()  # the worker builds the archive and posts it over HTTPS with our certificate
    draft.refresh_from_db()
    assert draft.status == Status.TRANSMITTED, draft.last_error
    assert ministry_server.errors == []
    [received] = ministry_server.received
    assert received.data == Transmission.objects.get().archive.read()
    assert len(mailbox.messages()) == 1

    assert inbound.inbox_poll() == 1
    acte = Acte.objects.get(pk=draft.pk)
    assert acte.status == Status.ACKNOWLEDGED
    assert acte.received_on == timezone.localdate()
    assert acte.incoming.get().root == "ARActe"
    assert mailbox.messages() == []
