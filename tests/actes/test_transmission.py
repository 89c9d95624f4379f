"""Transmission to the prefecture simulator over HTTP, answers through the mailbox, exactly once."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from territoires.actes import inbound, services, transmission
from territoires.actes.models import Acte, SentVolume, Status, Transmission, TransmissionStatus
from territoires.interop.actes.archive import unpack
from territoires.interop.actes.schema import validate
from tests.actes.conftest import run_due_retry
from tests.actes.factories import classification


def post(agent, acte, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.acte_post(actor=agent, acte=acte)


@pytest.fixture
def posted(agent, draft, django_capture_on_commit_callbacks):
    post(agent, draft, django_capture_on_commit_callbacks)
    return draft


def test_an_act_goes_to_the_simulator_and_its_ar_comes_back(posted, simulator, settings):
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    assert posted.status == Status.TRANSMITTED
    assert posted.sent_at is not None
    sent = Transmission.objects.get()
    today = timezone.localdate().strftime("%Y%m%d")
    assert sent.archive_name == f"TER-TACT--{posted.body.siren}--{today}-1.tar.gz"
    members = dict(unpack(sent.archive.read()))
    assert sorted(members) == sorted([
        f"TACT--{posted.body.siren}--{today}-1.xml",
        f"{posted.id_acte}-1-1_0.xml",
        f"99_DE-{posted.id_acte}-1-1_1.pdf",
    ])
    for name, content in members.items():
        if name.endswith(".xml"):
            validate(content, settings.REFERENCE_DATA_DIR)
    assert (settings.ACTES_SIMULATOR_DIR / "recus" / sent.archive_name).read_bytes() == sent.archive.read()

    assert inbound.inbox_poll() == 1
    posted.refresh_from_db()
    assert posted.status == Status.ACKNOWLEDGED
    assert posted.received_on == timezone.localdate()
    ar = posted.incoming.get()
    assert (ar.code, ar.root, ar.id_acte) == ("1-2", "ARActe", posted.id_acte)
    assert inbound.inbox_poll() == 0


def test_a_stale_classification_comes_back_as_an_anomaly_word_for_word(agent, body, simulator,
                                                                      django_capture_on_commit_callbacks):
    from territoires.actes.models import FileRole
    from tests.actes.factories import pdf_bytes

    old = classification(body, date=dt.date(2025, 1, 1))
    acte = Acte.objects.create(body=body, classification=old, created_by=agent, nature="DE",
                               numero_interne="DEL2026_077", objet="Tarifs", decision_date=dt.date(2026, 3, 2),
                               matiere_code="7.1", status=Status.POSTED)
    stored = services.acte_file_store(name="d.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    acte.files.create(role=FileRole.MAIN, typology="99_DE", name="d.pdf", stored=stored, uploaded_by=agent)
    transmission.acte_transmit_now(acte.pk)
    inbound.inbox_poll()
    acte.refresh_from_db()
    assert acte.status == Status.ANOMALY
    assert acte.last_error == ("[1] ODT-VERIF-01 : L'acte a été transmis avec une date de classification "
                               "qui n'est pas à jour")
    services.acte_back_to_draft(actor=agent, acte=acte)
    acte.refresh_from_db()
    assert (acte.status, acte.round) == (Status.DRAFT, 2)


def test_a_retried_or_crashed_transmission_never_builds_a_second_archive(posted, simulator, monkeypatch,
                                                                         settings):
    def crash_after_post(name, data):
        real_post(name, data)
        raise RuntimeError("database lost right after the POST")

    from territoires.actes import transport

    real_post = transport.archive_post
    monkeypatch.setattr(transport, "archive_post", crash_after_post)
    with pytest.raises(RuntimeError):
        transmission.acte_transmit_now(posted.pk)
    monkeypatch.setattr(transport, "archive_post", real_post)
    # The lease of the dead attempt expires; the archive is posted again, the same one.
    Transmission.objects.update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    transmission.acte_transmit_now(posted.pk)
    transmission.acte_transmit_now(posted.pk)
    assert Transmission.objects.count() == 1
    assert posted.outgoing.count() == 1
    assert len(list((settings.ACTES_SIMULATOR_DIR / "recus").iterdir())) == 1
    assert inbound.inbox_poll() == 1
    posted.refresh_from_db()
    assert posted.status == Status.ACKNOWLEDGED


def test_simulator_down_is_retried_with_back_off_then_shown(posted, settings):
    settings.ACTES_SIMULATOR_URL = "http://127.0.0.1:9/simulateur/actes/depot/"
    settings.TASK_MAX_ATTEMPTS = 2
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    sent = Transmission.objects.get()
    assert posted.status == Status.IN_TRANSMISSION
    assert "injoignable" in posted.last_error
    assert (sent.status, sent.attempts) == (TransmissionStatus.BUILT, 1)
    retry = DBTaskResult.objects.get(task_path__endswith="send_transmission")
    assert retry.run_after > timezone.now() + dt.timedelta(seconds=20)
    transmission.transmission_send(sent.pk)  # too early: the back-off is respected
    sent.refresh_from_db()
    assert sent.attempts == 1
    run_due_retry(sent.pk)
    posted.refresh_from_db()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (TransmissionStatus.FAILED, 2)
    assert posted.status == Status.ERROR
    assert "injoignable" in posted.last_error


def test_a_refusal_by_the_server_is_final_and_verbatim(posted, simulator, settings):
    settings.ACTES_SIMULATOR_URL = settings.ACTES_SIMULATOR_URL.replace("/depot/", "/inexistant/")
    transmission.acte_transmit_now(posted.pk)
    posted.refresh_from_db()
    assert posted.status == Status.ERROR
    assert posted.last_error.startswith("Refus du serveur (HTTP 404)")


def test_an_act_in_error_is_sent_again_with_the_same_archive(agent, posted, simulator, settings,
                                                             django_capture_on_commit_callbacks):
    good_url = settings.ACTES_SIMULATOR_URL
    settings.ACTES_SIMULATOR_URL = good_url.replace("/depot/", "/inexistant/")
    transmission.acte_transmit_now(posted.pk)
    name = Transmission.objects.get().archive_name
    settings.ACTES_SIMULATOR_URL = good_url
    with django_capture_on_commit_callbacks(execute=True):
        services.acte_retransmit(actor=agent, acte=posted)
    # The task was enqueued on commit; run it as the worker would.
    transmission.transmission_send(Transmission.objects.get().pk)
    posted.refresh_from_db()
    assert posted.status == Status.TRANSMITTED
    assert Transmission.objects.get().archive_name == name


def test_the_hourly_volume_window_defers_sending(posted, body, simulator, settings):
    settings.ACTES_HOURLY_LIMIT_MB = 1
    fifty_minutes_ago = (timezone.now() - dt.timedelta(minutes=50)).replace(second=0, microsecond=0)
    SentVolume.objects.create(minute=fifty_minutes_ago, size=1024 * 1024 - 100)
    transmission.acte_transmit_now(posted.pk)
    sent = Transmission.objects.get()
    assert sent.status == TransmissionStatus.BUILT
    assert dt.timedelta(minutes=9) < sent.next_attempt_at - timezone.now() <= dt.timedelta(minutes=11)
    assert not (settings.ACTES_SIMULATOR_DIR / "recus").exists()
    run_due_retry(sent.pk)  # ten minutes later, the old traffic has left the window
    sent.refresh_from_db()
    assert sent.status == TransmissionStatus.SENT
    assert SentVolume.objects.order_by("-minute").first().size == sent.archive.size


def test_resume_picks_up_what_a_dead_worker_left(posted):
    Acte.objects.filter(pk=posted.pk).update(status_changed_at=timezone.now() - dt.timedelta(minutes=10))
    assert transmission.actes_resume() == 1
    assert DBTaskResult.objects.filter(task_path__endswith="transmit_acte").count() == 1
    assert transmission.actes_resume() == 0  # its task is queued: nothing lost, nothing doubled


def test_the_worker_runs_the_whole_path(posted, simulator, run_tasks):
    from territoires.actes.tasks import transmit_acte

    transmit_acte.enqueue(posted.pk)
    run_tasks()
    posted.refresh_from_db()
    assert posted.status == Status.TRANSMITTED
    DBTaskResult.objects.filter(task_path__endswith="poll_inbox").update(run_after=timezone.now())
    run_tasks()
    posted.refresh_from_db()
    assert posted.status == Status.ACKNOWLEDGED


def test_the_standalone_simulator_answers_like_the_platform_route(posted, settings, tmp_path):
    """`simulator_wsgi` serves the deposit without the platform's middleware, and nothing else."""
    from django.test.client import FakePayload

    from territoires.actes import simulator_wsgi

    settings.ACTES_SIMULATOR_DIR, settings.ACTES_SIMULATOR_DELAY = tmp_path, 0
    message = transmission.acte_message(posted)
    archive = transmission.archive_create(body=posted.body, messages=[message])
    boundary = "frontiere"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{archive.archive_name}\"; "
            f"filename=\"{archive.archive_name}\"\r\nContent-Type: application/x-gzip\r\n\r\n").encode()
    body += archive.archive.read() + f"\r\n--{boundary}--\r\n".encode()
    statuses = []

    def call(path, method="POST"):
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                   "wsgi.url_scheme": "http", "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": FakePayload(body)}
        return b"".join(simulator_wsgi.application(environ, lambda status, headers: statuses.append(status)))

    assert call("/simulateur/actes/depot/") == b"OK"
    assert call("/o/") == b"" and statuses[-1].startswith("404")
    assert (tmp_path / "recus" / archive.archive_name).exists()
    assert inbound.inbox_poll() == 1


def test_acts_posted_together_travel_in_one_envelope(agent, body, draft, simulator, settings,
                                                      django_capture_on_commit_callbacks):
    from territoires.actes.models import FileRole
    from tests.actes.factories import pdf_bytes

    second = services.acte_create(actor=agent, body=body, nature="DE", numero_interne="DEL2026_002",
                                  objet="Tarifs", decision_date=dt.date(2026, 3, 2), matiere_code="7.1")
    stored = services.acte_file_store(name="b.pdf", data=pdf_bytes("b"), role=FileRole.MAIN, nature="DE")
    services.acte_file_attach(actor=agent, acte=second, stored=stored, name="b.pdf", role=FileRole.MAIN,
                              typology="99_DE")
    with django_capture_on_commit_callbacks():
        services.actes_post_batch(actor=agent, body=body, actes=[draft, second])
    transmission.acte_transmit_now(draft.pk)
    transmission.acte_transmit_now(second.pk)  # its own task finds it sent already
    sent = Transmission.objects.get()
    members = dict(unpack(sent.archive.read()))
    assert {f"{draft.id_acte}-1-1_0.xml", f"{second.id_acte}-1-1_0.xml"} <= set(members)
    assert len(list((settings.ACTES_SIMULATOR_DIR / "recus").iterdir())) == 1
    assert inbound.inbox_poll() == 2  # one AR each
    assert set(Acte.objects.values_list("status", flat=True)) == {Status.ACKNOWLEDGED}


def test_batches_can_be_turned_off(agent, body, draft, settings, django_capture_on_commit_callbacks):
    settings.ACTES_BATCH_SIZE = 1
    with django_capture_on_commit_callbacks():
        services.acte_post(actor=agent, acte=draft)
    assert transmission._companions(draft) == []


def test_the_mailbox_read_before_the_simulator_ever_answered(posted, simulator, settings):
    """Regression: the first poll created an empty folder the simulator could not write into."""
    assert inbound.inbox_poll() == 0
    transmission.acte_transmit_now(posted.pk)
    assert inbound.inbox_poll() == 1
