"""Building archives and posting them to the prefecture, exactly once per act.

Two steps, each safe to repeat:

1. `acte_transmit_now` builds the act's archive *in the same transaction*
   that records it (`OutgoingMessage`, unique per act and round, and the
   `Transmission` row). If that transaction fails, nothing was sent and the
   next attempt builds again; once it commits, every later attempt reuses
   the stored archive, byte for byte, under the same name.
2. `transmission_send` posts a stored archive under a lease, so two workers
   never post the same archive at the same time; a failure is retried with
   back-off, and the agent sees the other side's message word for word.

A worker killed mid-post leaves the lease to expire; `actes_resume` (periodic)
picks the archive up again. The same archive name posted twice is answered
once by the ministry (and by our simulator).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from territoires.actes.models import (
    Acte,
    ArchiveCounter,
    FileRole,
    OutgoingMessage,
    SentVolume,
    Status,
    Transmission,
    TransmissionStatus,
)
from territoires.core.files import stored_file_put
from territoires.core.tasks import backoff_delay
from territoires.interop.actes.data import Attachment, Emitter
from territoires.interop.actes.data import OutgoingMessage as OutgoingMessageData
from territoires.interop.actes.transmission import acte_message as interop_acte_message
from territoires.interop.actes.transmission import cl_archive
from territoires.journal.services import journal_record
from territoires.tenancy.models import Body

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
# The files of one envelope stay well under the 150 MB a single act may weigh.
BATCH_MAX_BYTES = 100 * 1024 * 1024
NATURE_CODES = {"DE": 1, "AR": 2, "AI": 3, "CC": 4, "BF": 5, "AU": 6}


def emitter_of(body: Body) -> Emitter:
    return Emitter(siren=body.siren, departement=body.departement,
                   arrondissement=body.arrondissement or "0", nature_code=body.actes_nature_code)


def _next_counter(siren: str, day) -> int:
    counter, _created = ArchiveCounter.objects.select_for_update().get_or_create(siren=siren, day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def archive_create(*, body: Body, messages: list[OutgoingMessageData]) -> Transmission:
    """Pack `messages` under the body's envelope, validated against the XSD, and record it.

    Runs inside the caller's transaction: the daily counter, the stored
    archive and the `Transmission` row commit together or not at all.
    """
    day = timezone.localdate()
    archive = cl_archive(
        trigram=settings.ACTES_TRIGRAM, emitter=emitter_of(body), return_emails=[settings.ACTES_RETURN_EMAIL],
        messages=messages, day=day, counter=_next_counter(body.siren, day), test=not settings.ACTES_PRODUCTION,
        mtime=int(timezone.now().timestamp()), reference_dir=settings.REFERENCE_DATA_DIR,
    )
    stored = stored_file_put(archive.data, content_type="application/gzip")
    return Transmission.objects.create(body=body, archive_name=archive.name, archive=stored)


def _attachment(item) -> Attachment:
    return Attachment(content=item.stored.read(), extension=item.extension, typology=item.typology)


def acte_message(acte: Acte) -> OutgoingMessageData:
    """The 1-1 message of an act and its files, named as the protocol wants."""
    files = list(acte.files.select_related("stored"))  # main document first, then annexes in order
    main = next(f for f in files if f.role == FileRole.MAIN)
    annexes = [f for f in files if f.role == FileRole.ANNEX]
    return interop_acte_message(
        emitter_of(acte.body), numero_interne=acte.numero_interne, nature_code=NATURE_CODES[acte.nature],
        decision_date=acte.decision_date, matiere_codes=acte.matiere_codes, objet=acte.objet,
        classification_date=acte.classification.date, document=_attachment(main),
        annexes=[_attachment(a) for a in annexes], document_papier=acte.document_papier,
    )


def _companions(acte: Acte) -> list[Acte]:
    """Other acts of the same body waiting for their first archive, to travel in the same envelope.

    Rows another worker is batching right now are skipped, not waited for
    (SKIP LOCKED), so two workers never wait on each other here.
    """
    limit = settings.ACTES_BATCH_SIZE - 1
    if limit <= 0:
        return []
    candidates = (
        Acte.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("classification")
        .filter(body_id=acte.body_id, status=Status.POSTED)
        .exclude(pk=acte.pk)
        .exclude(outgoing__code="1-1")
        .order_by("pk")[:limit]
    )
    companions = []
    for other in candidates:
        if other.round == 1:  # an act sent again after an anomaly travels alone
            other.body = acte.body
            companions.append(other)
    return companions


def acte_transmit_now(acte_id: int) -> None:
    """Build the act's archive if it has none for this round, then post it.

    Acts of the same body posted meanwhile join it in one envelope (a batch,
    as the protocol allows: each act still gets its own AR), up to
    ACTES_BATCH_SIZE acts and BATCH_MAX_BYTES of files.
    """
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body", "classification").get(pk=acte_id)
        if acte.status not in {Status.POSTED, Status.IN_TRANSMISSION}:
            return  # taken back, or already sent
        existing = acte.outgoing.filter(code="1-1", round=acte.round).select_related("transmission").first()
        if existing is None:
            batch, messages, size = [], [], 0
            for member in [acte, *_companions(acte)]:
                message = acte_message(member)
                weight = sum(len(content) for _name, content in message.files)
                if batch and size + weight > BATCH_MAX_BYTES:
                    break
                batch.append(member)
                messages.append(message)
                size += weight
            sent = archive_create(body=acte.body, messages=messages)
            for member, message in zip(batch, messages, strict=True):
                OutgoingMessage.objects.create(body=acte.body, acte=member, code="1-1", round=member.round,
                                               file_name=message.file_name, transmission=sent)
                member.transition_to(Status.IN_TRANSMISSION)
        else:
            sent = existing.transmission
    sent.body = acte.body  # loaded already
    transmission_send(sent.pk, sent=sent)


def _minute(moment):
    return moment.replace(second=0, microsecond=0)


def _window_wait(size: int) -> timedelta | None:
    """How long to wait before `size` more bytes fit in the rolling hourly window.

    An archive larger than the whole window goes alone, once the window is empty.
    """
    limit = settings.ACTES_HOURLY_LIMIT_MB * 1024 * 1024
    now = timezone.now()
    recent = SentVolume.objects.filter(minute__gt=_minute(now) - timedelta(hours=1), size__gt=0)
    rows = list(recent.order_by("minute").values_list("minute", "size"))
    used = sum(volume for _minute_, volume in rows)
    if used + size <= limit or used == 0:
        return None
    return max(rows[0][0] + timedelta(hours=1) - now, timedelta(seconds=1))


def _count_volume(size: int, when) -> None:
    minute = _minute(when)
    if not SentVolume.objects.filter(minute=minute).update(size=F("size") + size):
        try:
            with transaction.atomic():
                SentVolume.objects.create(minute=minute, size=size)
        except IntegrityError:  # another worker created this minute's row meanwhile
            SentVolume.objects.filter(minute=minute).update(size=F("size") + size)


def _claim(transmission_id: int) -> bool:
    """Take the right to post now: built, nobody posting it, and no retry scheduled later."""
    now = timezone.now()
    return bool(
        Transmission.objects.filter(pk=transmission_id, status=TransmissionStatus.BUILT)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(lease_until=now + LEASE)
    )


def _actes_of(sent: Transmission):
    return Acte.objects.locked().filter(outgoing__transmission=sent, outgoing__code="1-1")


def transmission_send(transmission_id: int, *, sent: Transmission | None = None) -> None:
    """Post a built archive once; on failure, record the message and retry later.

    The journal records the sending with the archive's SHA-256: the archive
    itself is an internal step of the agent's `acte_post`, already journaled.
    `sent` spares a query when the caller just built the archive.
    """
    from territoires.actes.tasks import send_transmission
    from territoires.actes.transport import TransportError, archive_post

    if not _claim(transmission_id):
        return  # sent already, or another worker is posting it
    if sent is None or sent.status != TransmissionStatus.BUILT:
        sent = Transmission.objects.select_related("archive", "body").get(pk=transmission_id)
    if wait := _window_wait(sent.archive.size):
        retry_at = timezone.now() + wait
        Transmission.objects.filter(pk=sent.pk).update(lease_until=None, next_attempt_at=retry_at)
        send_transmission.using(run_after=retry_at).enqueue(sent.pk)
        return
    try:
        archive_post(sent.archive_name, sent.archive.read())
    except TransportError as error:
        _record_failure(sent, str(error), retry=error.retryable)
        return
    with transaction.atomic():
        now = timezone.now()
        Transmission.objects.filter(pk=sent.pk).update(
            status=TransmissionStatus.SENT, sent_at=now, attempts=sent.attempts + 1, last_error="", lease_until=None
        )
        _count_volume(sent.archive.size, now)
        for acte in _actes_of(sent):
            if acte.status == Status.IN_TRANSMISSION:
                acte.transition_to(Status.TRANSMITTED, sent_at=now, last_error="")
        journal_record(actor=None, action="actes.archive.send", body=sent.body, target=sent,
                       summary=sent.archive_name, payload={"sha256": sent.archive.sha256})
    if settings.ACTES_TRANSPORT == "simulator":
        poll_soon(now + timedelta(seconds=settings.ACTES_SIMULATOR_DELAY + 1))


def poll_soon(when) -> None:
    """Read the simulator's answers once they are due, without queueing one poll per archive."""
    from territoires.actes.tasks import poll_inbox

    if not _queued(poll_inbox):
        poll_inbox.using(run_after=when).enqueue()


def _record_failure(sent: Transmission, message: str, *, retry: bool) -> None:
    from territoires.actes.tasks import send_transmission

    attempts = sent.attempts + 1
    final = not retry or attempts >= settings.TASK_MAX_ATTEMPTS
    retry_at = None if final else timezone.now() + backoff_delay(attempts)
    with transaction.atomic():
        Transmission.objects.filter(pk=sent.pk).update(
            attempts=attempts, last_error=message, lease_until=None, next_attempt_at=retry_at,
            status=TransmissionStatus.FAILED if final else TransmissionStatus.BUILT,
        )
        for acte in _actes_of(sent):
            if final and acte.can_become(Status.ERROR):
                acte.transition_to(Status.ERROR, last_error=message)
            else:
                acte.last_error = message
                acte.save(update_fields=["last_error"])
        journal_record(actor=None, action="actes.archive.fail", body=sent.body, target=sent,
                       summary=message[:300], payload={"attempt": attempts, "final": final})
    logger.warning("Archive %s not sent (attempt %s): %s", sent.archive_name, attempts, message)
    if retry_at is not None:
        send_transmission.using(run_after=retry_at).enqueue(sent.pk)


def _queued(task) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def actes_resume() -> int:
    """Pick up acts and archives a dead worker left behind; return how many were re-enqueued.

    Only once the queue of that kind of task is empty: while workers are
    busy (a batch of a thousand acts), a waiting act is not a lost one.
    """
    from territoires.actes.tasks import send_transmission, transmit_acte

    now = timezone.now()
    stale = now - timedelta(minutes=5)
    count = 0
    if not _queued(transmit_acte):
        posted = Acte.objects.filter(status=Status.POSTED, status_changed_at__lt=stale)
        for acte_id in posted.values_list("pk", flat=True):
            transmit_acte.enqueue(acte_id)
            count += 1
    if not _queued(send_transmission):
        stuck = Transmission.objects.filter(status=TransmissionStatus.BUILT, built_at__lt=stale).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=stale))
        for transmission_id in stuck.values_list("pk", flat=True):
            send_transmission.enqueue(transmission_id)
            count += 1
    return count
