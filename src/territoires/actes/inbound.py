"""What the prefecture sends back: storing, parsing and applying its messages.

Every archive is kept raw first (content-addressed, so the same archive read
twice is stored and applied once), then parsed leniently: real traffic is not
always valid against the schema, and a warning must not lose an AR. Effects
are dispatched on the message's root element, never on its file name.
"""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.actes.models import (
    Acte,
    Classification,
    InboundArchive,
    IncomingFile,
    IncomingMessage,
    Status,
)
from territoires.core.files import stored_file_put
from territoires.core.leases import leased
from territoires.interop.actes.errors import ActesError
from territoires.interop.actes.parse import ParsedMessage
from territoires.interop.actes.parse_archive import parse_archive
from territoires.journal.services import journal_record
from territoires.tenancy.models import Body

logger = logging.getLogger(__name__)

FILE_TYPES = {"pdf": "application/pdf", "xml": "application/xml", "png": "image/png", "jpg": "image/jpeg"}


def classification_data(parsed) -> dict:
    """Our JSON form of a 7-2 classification (`Classification.data`)."""
    return {
        "natures": [
            {"code": n.code, "abbr": n.abbr, "label": n.label,
             "typologies": [[t.code, t.label] for t in n.typologies]}
            for n in parsed.natures
        ],
        "matieres": [{"code": m.code, "label": m.label} for m in parsed.flat()],
    }


def _acte_for(body: Body | None, id_acte: str | None) -> Acte | None:
    if body is None or not id_acte:
        return None
    numero = id_acte.split("-")[3] if id_acte.count("-") >= 4 else ""
    acte = Acte.objects.locked().filter(body=body, numero_interne=numero).first()
    if acte is None:
        return None
    acte.body = body  # already loaded: id_acte needs it
    return acte if acte.id_acte == id_acte else None


def _acknowledge(acte: Acte, message: ParsedMessage) -> None:
    if acte.status in {Status.IN_TRANSMISSION, Status.TRANSMITTED}:
        acte.transition_to(Status.ACKNOWLEDGED, received_on=message.date_reception, last_error="")


def _anomaly(acte: Acte, message: ParsedMessage) -> None:
    if acte.status in {Status.IN_TRANSMISSION, Status.TRANSMITTED}:
        text = message.detail or ""
        if message.nature is not None:
            text = f"[{message.nature}] {text}".strip()
        acte.transition_to(Status.ANOMALY, last_error=text or "Anomalie sans détail.")


def _cancelled(acte: Acte, message: ParsedMessage) -> None:
    if acte.status == Status.CANCEL_REQUESTED:
        acte.transition_to(Status.CANCELLED)


def _envelope_anomaly(message: ParsedMessage) -> list[Acte]:
    """An envelope refused as a whole: every act it carried is refused."""
    names = [ref.name for ref in message.envelope.messages] if message.envelope else []
    actes = list(Acte.objects.locked().filter(
        outgoing__file_name__in=names, outgoing__code="1-1").distinct())
    for acte in actes:
        _anomaly(acte, message)
    return actes


ACTE_EFFECTS = {"ARActe": _acknowledge, "AnomalieActe": _anomaly, "ARAnnulation": _cancelled}


LETTERS = {"2-1", "3-1", "4-1", "5-1"}


def _notify_letter(acte: Acte, incoming: IncomingMessage) -> None:
    """Tell the agents who answer the prefecture that a letter arrived."""
    from django.urls import reverse

    from territoires.actes.correspondence import LETTER_LABELS
    from territoires.tenancy.services import notifications_for_permission

    text = _("%(letter)s de la préfecture sur l'acte %(numero)s") % {
        "letter": LETTER_LABELS[incoming.code], "numero": acte.numero_interne}
    notifications_for_permission(body=acte.body, perm="actes.transmit", text=text,
                                 url=reverse("actes:detail", args=[acte.body.siren, acte.pk]))


def _store_message(archive: InboundArchive, body: Body | None, message: ParsedMessage,
                   files: dict[str, bytes]) -> IncomingMessage:
    acte = _acte_for(body, message.id_acte)
    incoming = IncomingMessage.objects.create(
        archive=archive, body=body, acte=acte, code=message.code or "", root=message.root,
        file_name=message.file or "", id_acte=message.id_acte or "",
        date_reception=message.date_reception, date_courrier_pref=message.date_courrier_pref,
        nature="" if message.nature is None else str(message.nature), detail=message.detail or "",
        parsed=message.to_json(),
    )
    for name in message.files:
        if name in files:
            ext = name.rsplit(".", 1)[-1].lower()
            stored = stored_file_put(files[name], content_type=FILE_TYPES.get(ext, "application/octet-stream"))
            IncomingFile.objects.create(message=incoming, name=name, stored=stored)
    if acte is not None and (effect := ACTE_EFFECTS.get(message.root)):
        effect(acte, message)
    if acte is not None and message.code in LETTERS:
        _notify_letter(acte, incoming)
    if message.root == "AnomalieEnveloppe":
        _envelope_anomaly(message)
    if body is not None:
        _classification_effects(body, message)
    return incoming


def _classification_effects(body: Body, message: ParsedMessage) -> None:
    """Store a new nomenclature, note a confirmed one, ask again when an AR shows a newer one."""
    from territoires.actes.classification import classification_request
    now = timezone.now()
    if message.root == "RetourClassification" and message.classification is not None:
        Classification.objects.update_or_create(
            body=body, date=message.classification.date,
            defaults={"data": classification_data(message.classification), "checked_at": now},
        )
    elif message.root == "ReponseClassificationSansChangement" and message.classification_date:
        Classification.objects.filter(body=body, date=message.classification_date).update(checked_at=now)
    elif message.root in {"ARActe", "AnomalieActe"} and message.classification_date:
        newer = Classification.objects.filter(body=body, date__gte=message.classification_date)
        if not newer.exists():
            classification_request(body=body)


def _body_of(parsed, messages: list[ParsedMessage]) -> Body | None:
    siren = parsed.envelope.siren if parsed.envelope is not None else None
    for message in messages:
        siren = siren or message.siren
    return Body.objects.filter(siren=siren).first() if siren else None


def archive_receive(*, name: str, data: bytes, source: str = "") -> InboundArchive:
    """Store an archive from the ministry and apply its messages, once.

    The same bytes received twice (a mail read again after a crash) are one
    `InboundArchive`: the unique constraint on its stored file says so.
    """
    try:
        parsed, error = parse_archive(data, name), ""
    except ActesError as failure:
        parsed, error = None, str(failure)
        logger.error("Unreadable archive %s from the prefecture: %s", name, failure)
    with transaction.atomic():
        stored = stored_file_put(data, content_type="application/gzip")
        try:
            with transaction.atomic():
                archive = InboundArchive.objects.create(
                    name=name, stored=stored, source=source, processed_at=timezone.now(),
                    error=error or "\n".join(parsed.warnings))
        except IntegrityError:
            return InboundArchive.objects.get(stored=stored)  # applied already
        if parsed is None:
            return archive
        body = _body_of(parsed, parsed.messages)
        for message in parsed.messages:
            _store_message(archive, body, message, parsed.files)
        journal_record(actor=None, action="actes.archive.receive", body=body, target=archive,
                       summary=name, payload={"sha256": stored.sha256,
                                              "messages": [m.code or m.root for m in parsed.messages]})
    return archive


def inbox_poll() -> int:
    """Read every available e-mail of the return mailbox; return the archives received.

    One reader at a time (a lease): two workers reading the same mailbox
    would only apply the same archives twice, idempotently but for nothing.
    """
    from territoires.actes.inbox import archive_attachments, inbox_open

    count = 0
    from territoires.actes.transmission import poll_soon

    with leased("actes.inbox", timedelta(minutes=10)) as held:
        if not held:
            # Another worker is reading; what arrives after its pass is read by this later one.
            poll_soon(timezone.now() + timedelta(seconds=2))
            return 0
        with inbox_open() as box:
            for key, raw in box.messages():
                for name, data in archive_attachments(raw):
                    archive_receive(name=name, data=data, source=key)
                    count += 1
                box.done(key)
            later = box.next_available
    if later is not None:
        poll_soon(later)
    return count
