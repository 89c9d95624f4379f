"""Prefecture correspondence after the AR: letters, answers, cancellation, the déféré window.

The prefecture writes (2-1 simple letter, 3-1 request for documents, 4-1
letter of observations, 5-1 referral to the court); agents answer from the
act's page (2-2; 3-2 then 3-3 or 3-4; 4-2 then 4-3 or 4-4). Answers travel
like acts: built, validated, stored, then posted by the worker.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territoires.actes import deadlines
from territoires.actes.models import (
    Acte,
    FileRole,
    IncomingMessage,
    OutgoingFile,
    OutgoingMessage,
    Status,
)
from territoires.actes.rules import extension_of
from territoires.actes.services import acte_file_store, require
from territoires.actes.transmission import archive_create
from territoires.core.models import StoredFile
from territoires.interop.actes import build
from territoires.interop.actes.data import Attachment, CourrierRef
from territoires.interop.actes.transmission import message_with_files
from territoires.journal.services import journal_record
from territoires.tenancy.models import Body

LETTERS = ("2-1", "3-1", "4-1", "5-1")
# The answers a letter accepts, and those that close it.
ANSWERS = {"2-1": ("2-2",), "3-1": ("3-2", "3-3", "3-4"), "4-1": ("4-2", "4-3", "4-4")}
CLOSING = {"2-1": {"2-2"}, "3-1": {"3-3", "3-4"}, "4-1": {"4-3", "4-4"}}
ANSWER_LABELS = {
    "2-2": gettext_lazy("Réponse au courrier simple"),
    "3-2": gettext_lazy("Accusé de réception de la demande de pièces"),
    "3-3": gettext_lazy("Refus de transmettre les pièces"),
    "3-4": gettext_lazy("Envoi des pièces complémentaires"),
    "4-2": gettext_lazy("Accusé de réception de la lettre d'observations"),
    "4-3": gettext_lazy("Rejet des observations"),
    "4-4": gettext_lazy("Réponse aux observations"),
}
LETTER_LABELS = {
    "2-1": gettext_lazy("Courrier simple"),
    "3-1": gettext_lazy("Demande de pièces complémentaires"),
    "4-1": gettext_lazy("Lettre d'observations"),
    "5-1": gettext_lazy("Déféré au tribunal administratif"),
}
# code → (builder taking the letter reference and the document references, documents required)
BUILDERS = {
    "2-2": (lambda ref, docs: build.build_reponse_courrier_simple(ref, docs[0]), 1),
    "3-2": (lambda ref, docs: build.build_ar_demande_piece_complementaire(ref), 0),
    "3-3": (lambda ref, docs: build.build_refus_piece_complementaire(ref, docs[0]), 1),
    "3-4": (lambda ref, docs: build.build_piece_complementaire(ref, docs), 1),
    "4-2": (lambda ref, docs: build.build_ar_lettre_observations(ref), 0),
    "4-3": (lambda ref, docs: build.build_rejet_lettre_observations(ref, docs[0]), 1),
    "4-4": (lambda ref, docs: build.build_reponse_lettre_observations(ref, docs[0]), 1),
}


def answers_open(letter: IncomingMessage) -> list[str]:
    """The answers still possible for a letter, in protocol order."""
    done = set(letter.answers.values_list("code", flat=True))
    if done & CLOSING.get(letter.code, set()):
        return []
    return [code for code in ANSWERS.get(letter.code, ()) if code not in done]


def courrier_reply(*, actor, letter: IncomingMessage, code: str, documents: list[tuple[str, bytes]]) -> OutgoingMessage:
    """Answer a prefecture letter with message `code`; documents as (file name, bytes)."""
    acte = letter.acte
    if acte is None:
        raise ValidationError(_("Ce courrier ne concerne aucun acte connu."))
    require(actor, acte.body, "actes.transmit")
    if code not in answers_open(letter):
        raise ValidationError(_("Cette réponse n'est pas (ou plus) possible pour ce courrier."))
    builder, needed = BUILDERS[code]
    if needed and not documents:
        raise ValidationError({"documents": _("Joignez le document de la réponse (PDF).")})
    if not needed and documents:
        raise ValidationError({"documents": _("Cet accusé de réception ne porte pas de document.")})
    if code != "3-4" and len(documents) > 1:
        raise ValidationError({"documents": _("Cette réponse ne porte qu'un seul document.")})
    stored = [(name, acte_file_store(name=name, data=data, role=FileRole.ANNEX, nature=acte.nature))
              for name, data in documents]
    ref = CourrierRef(acte.id_acte, letter.date_courrier_pref)
    data = message_with_files(
        acte.id_acte, code, lambda refs: builder(ref, refs),
        [Attachment(content=item.read(), extension=extension_of(name)) for name, item in stored],
        id_acte=acte.id_acte,
    )
    return _send(actor=actor, acte=acte, code=code, data=data, letter=letter, documents=stored)


def _send(*, actor, acte: Acte, code: str, data, letter: IncomingMessage | None = None,
          documents: list[tuple[str, StoredFile]] = ()) -> OutgoingMessage:
    from territoires.actes.tasks import send_transmission

    try:
        with transaction.atomic():
            sent = archive_create(body=acte.body, messages=[data])
            message = OutgoingMessage.objects.create(
                body=acte.body, acte=acte, code=code, round=acte.round, file_name=data.file_name,
                transmission=sent, answers=letter, created_by=actor,
            )
            for (name, _content), (original, stored) in zip(data.files, documents, strict=True):
                OutgoingFile.objects.create(message=message, name=name, original_name=original, stored=stored)
            journal_record(actor=actor, action=f"actes.message.{code}", body=acte.body, target=acte,
                           summary=f"{code} {acte.id_acte}", payload={"archive": sent.archive_name})
            transaction.on_commit(lambda: send_transmission.enqueue(sent.pk))
    except IntegrityError:
        raise ValidationError(_("Cette réponse a déjà été envoyée.")) from None
    return message


def acte_cancel(*, actor, acte: Acte) -> OutgoingMessage:
    """Ask the prefecture to cancel the transmission of an acknowledged act (6-1)."""
    require(actor, acte.body, "actes.transmit")
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if acte.status != Status.ACKNOWLEDGED:
            raise ValidationError(_("Seul un acte acquitté par la préfecture peut être annulé."))
        data = message_with_files(acte.id_acte, "6-1", lambda refs: build.build_annulation(acte.id_acte),
                                  id_acte=acte.id_acte)
        message = _send(actor=actor, acte=acte, code="6-1", data=data)
        acte.transition_to(Status.CANCEL_REQUESTED)
    return message


def letters_mark_read(*, actor, body: Body, acte: Acte | None = None, letters: list[int] = ()) -> int:
    """Note when prefecture messages were first read (#379): all of an act's, or the given ones.

    A mark, not a decision: no journal entry. The first reading date is kept.
    """
    require(actor, body, "actes.view")
    unread = IncomingMessage.objects.filter(body=body, read_at__isnull=True)
    unread = unread.filter(acte=acte) if acte is not None else unread.filter(pk__in=letters)
    return unread.update(read_at=timezone.now())


def letters_awaiting_answer(*, body: Body) -> QuerySet[IncomingMessage]:
    """Prefecture letters of `body` that no closing answer has settled yet (the dashboard)."""
    closed = OutgoingMessage.objects.filter(answers=OuterRef("pk"), code__in=set().union(*CLOSING.values()))
    return (IncomingMessage.objects.filter(body=body, code__in=list(CLOSING), acte__isnull=False)
            .annotate(closed=Exists(closed)).filter(closed=False)
            .select_related("acte").order_by("received_at"))


def acte_window(acte: Acte) -> deadlines.Window:
    """The déféré window of an act, from its AR and the letters exchanged since."""
    events = []
    for message in acte.incoming.filter(code__in=["3-1", "4-1", "3-5", "4-5"]).order_by("received_at", "pk"):
        day = message.date_reception if message.code in {"3-5", "4-5"} else message.date_courrier_pref
        if day is not None:
            events.append((message.code, day))
    return deadlines.defere_window(acte.received_on, events)
