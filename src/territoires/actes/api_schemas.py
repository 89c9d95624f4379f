"""Request and response shapes of the e-actes API (/api/v1/actes), documented in French.

Outputs are read from the models through resolvers; the endpoints prefetch
what the resolvers need (`acte_prefetch`, `letter_prefetch`), so a page of
200 acts costs a handful of queries. Inputs refuse NUL characters and
unparseable dates with a French message naming the field (see api.errors).
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import WrapValidator
from pydantic_core import PydanticCustomError

from territoires.actes import correspondence, documents
from territoires.actes.models import (
    ActeFile,
    FileRole,
    IncomingFile,
    IncomingMessage,
    Nature,
    OutgoingMessage,
    Status,
)
from territoires.api import errors
from territoires.api.schemas import SIREN_PATTERN, Text

# Largest primary key the databases hold (signed 64 bits): beyond, a 422, not an overflow.
MAX_ID = 2**63 - 1
NatureCode = Literal[tuple(Nature.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Status.values)]  # type: ignore[valid-type]
LetterCode = Literal[correspondence.LETTERS]  # type: ignore[valid-type]
AnswerCode = Literal[tuple(correspondence.BUILDERS)]  # type: ignore[valid-type]


def _date(value: Any, handler) -> date:
    try:
        return handler(value)
    except ValueError:
        raise PydanticCustomError(
            "date_invalid", "Une date au format AAAA-MM-JJ est attendue, par exemple 2026-03-02."
        ) from None


def _datetime(value: Any, handler) -> datetime:
    """An aware datetime; without an offset it is read in Europe/Paris, like the UI."""
    message = ("Une date et heure ISO 8601 est attendue, par exemple 2026-03-02T09:30:00+01:00.")
    try:
        parsed = handler(value)
    except ValueError:
        raise PydanticCustomError("datetime_invalid", message) from None
    try:
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 shifted out of range
        raise PydanticCustomError("datetime_invalid", message) from None


Day = Annotated[date, WrapValidator(_date)]
Moment = Annotated[datetime, WrapValidator(_datetime)]


# ---------------------------------------------------------------- inputs


class ActeCreateIn(Schema):
    """The form fields of `POST /actes` (the files travel beside them)."""

    siren: str = Field(..., title="SIREN", pattern=SIREN_PATTERN,
                       description="SIREN de l'organisme qui prend l'acte (9 chiffres).")
    nature: NatureCode = Field(..., title="Nature de l'acte",
                               description="DE délibération, AR acte réglementaire, AI acte individuel, "
                                           "CC contrat ou convention, BF document budgétaire, AU autre.")
    numero_interne: Text = Field(..., title="Numéro interne", min_length=1, max_length=15,
                                 description="Numéro de l'acte dans l'organisme : majuscules sans accent, "
                                             "chiffres et _, 15 caractères au plus (ex. DEL2026_001).")
    objet: Text = Field(..., title="Objet", min_length=1, max_length=500,
                        description="Objet de l'acte (500 caractères au plus).")
    decision_date: Day = Field(..., title="Date de décision",
                               description="Date de la décision (AAAA-MM-JJ), pas dans le futur.")
    matiere_code: Text = Field(..., title="Matière", min_length=1, max_length=20,
                               description="Code de la matière dans la classification de la préfecture, "
                                           "de niveau 2 au moins (ex. 7.1).")
    document_papier: bool = Field(False, title="Documents papier",
                                  description="Vrai si des pièces sont envoyées séparément sur papier.")
    document_typology: Text | None = Field(None, title="Typologie du document principal", max_length=10,
                                           description="Code de typologie (ex. 99_DE) ; par défaut la "
                                                       "typologie générique de la nature.")
    annexes_typologies: list[Text] = Field(
        default_factory=list, title="Typologies des annexes", max_length=99,
        description="Codes de typologie des annexes, dans l'ordre des fichiers « annexes » ; "
                    "par défaut la typologie générique de la nature.")


class ActeFilters(Schema):
    siren: str | None = Field(None, title="SIREN", pattern=SIREN_PATTERN,
                              description="Un seul organisme ; par défaut tous ceux de l'appelant "
                                          "(pour un jeton : son organisme).")
    status: StatusCode | None = Field(None, title="État", description="État de l'acte (code).")
    nature: NatureCode | None = Field(None, title="Nature de l'acte", description="Nature de l'acte.")
    decision_from: Day | None = Field(None, title="Décidé à partir du",
                                      description="Date de décision minimale (incluse), AAAA-MM-JJ.")
    decision_to: Day | None = Field(None, title="Décidé jusqu'au",
                                    description="Date de décision maximale (incluse), AAAA-MM-JJ.")
    updated_since: Moment | None = Field(
        None, title="Modifié depuis",
        description="Actes dont l'état a changé à partir de cet instant (ISO 8601 ; sans décalage, "
                    "heure de Paris).")
    q: Text | None = Field(None, title="Recherche", max_length=200,
                           description="Texte cherché dans l'objet ou le numéro interne.")


class LetterFilters(Schema):
    siren: str | None = Field(None, title="SIREN", pattern=SIREN_PATTERN,
                              description="Un seul organisme ; par défaut tous ceux de l'appelant.")
    unread: bool | None = Field(None, title="Non lus",
                                description="true : seulement les courriers non lus ; false : les lus.")
    awaiting_answer: bool | None = Field(
        None, title="En attente de réponse",
        description="true : seulement les courriers qui attendent encore une réponse de l'organisme.")
    code: LetterCode | None = Field(None, title="Code du message",
                                    description="2-1 courrier simple, 3-1 demande de pièces, "
                                                "4-1 lettre d'observations, 5-1 déféré.")


class ReplyIn(Schema):
    code: AnswerCode = Field(..., title="Code du message",
                             description="Réponse : 2-2, 3-2, 3-3, 3-4, 4-2, 4-3 ou 4-4 (voir answers_open).")


# ---------------------------------------------------------------- outputs


class ActeFileOut(Schema):
    id: int = Field(..., description="Identifiant du fichier.")
    role: str = Field(..., description="main (document principal) ou annex (annexe).")
    name: str = Field(..., description="Nom du fichier déposé.")
    typology: str = Field(..., description="Code de typologie de la pièce.")
    size: int = Field(..., description="Taille en octets.")
    sha256: str = Field(..., description="Empreinte SHA-256 du contenu.")

    @staticmethod
    def resolve_size(item: ActeFile) -> int:
        return item.stored.size

    @staticmethod
    def resolve_sha256(item: ActeFile) -> str:
        return item.stored.sha256


class ActeLinksOut(Schema):
    archive: str | None = Field(None, description="Archive .tar.gz transmise (dès qu'elle est construite).")
    stamped: str | None = Field(None, description="PDF tamponné (après l'accusé de réception).")
    receipt: str | None = Field(None, description="Accusé de réception en PDF.")
    ar: str | None = Field(None, description="Message ARActe de la préfecture, en XML, tel que reçu.")


def acte_prefetch() -> tuple[Prefetch, ...]:
    """What `ActeOut` reads, fetched once per page (fresh objects: a Prefetch keeps state)."""
    return (
        Prefetch("files", queryset=ActeFile.objects.select_related("stored")),
        Prefetch("outgoing", queryset=OutgoingMessage.objects.filter(code="1-1"), to_attr="api_act_messages"),
        Prefetch("incoming", queryset=IncomingMessage.objects.filter(code="1-2").order_by("-received_at", "-pk"),
                 to_attr="api_ars"),
    )


def _url(name: str, *args) -> str:
    return reverse(f"api:{name}", args=args)


def acte_archive_message(acte) -> OutgoingMessage | None:
    """The 1-1 message of the act's current round (its archive), if built."""
    messages = getattr(acte, "api_act_messages", None)
    if messages is None:
        return acte.outgoing.filter(code="1-1", round=acte.round).first()
    return next((m for m in messages if m.round == acte.round), None)


def acte_ar(acte) -> IncomingMessage | None:
    """The prefecture's acknowledgement (1-2), the latest if several."""
    ars = getattr(acte, "api_ars", None)
    if ars is None:
        return acte.incoming.filter(code="1-2").order_by("-received_at", "-pk").first()
    return ars[0] if ars else None


class ActeOut(Schema):
    id: int = Field(..., description="Identifiant de l'acte sur la plateforme.")
    siren: str = Field(..., description="SIREN de l'organisme.")
    id_acte: str = Field(..., description="Identifiant @CTES (département, SIREN, date, numéro, nature).")
    nature: str = Field(..., description="Nature de l'acte (DE, AR, AI, CC, BF, AU).")
    numero_interne: str = Field(..., description="Numéro interne.")
    objet: str = Field(..., description="Objet.")
    decision_date: date = Field(..., description="Date de décision.")
    matiere_code: str = Field(..., description="Code de la matière (ex. 7.1).")
    document_papier: bool = Field(..., description="Pièces envoyées séparément sur papier.")
    status: str = Field(..., description="État (code) : draft, posted, in_transmission, transmitted, "
                                         "acknowledged, anomaly, cancel_requested, cancelled, error.")
    status_label: str = Field(..., description="État en français.")
    status_changed_at: datetime = Field(..., description="Dernier changement d'état.")
    round: int = Field(..., description="Tour d'envoi (augmente quand un acte refusé est renvoyé).")
    posted_at: datetime | None = Field(None, description="Déposé pour transmission le.")
    sent_at: datetime | None = Field(None, description="Envoyé à la préfecture le.")
    received_on: date | None = Field(None, description="Reçu en préfecture le (DateReception de l'AR).")
    last_error: str = Field(..., description="Dernier message d'erreur ou d'anomalie, mot pour mot.")
    published_on: date | None = Field(None, description="Publié le.")
    executory_on: date | None = Field(None, description="Exécutoire le (transmis et publié ou notifié).")
    defere_deadline: date | None = Field(
        None, description="Fin du délai de déféré du préfet (2 mois) ; absent s'il est suspendu ou inconnu.")
    files: list[ActeFileOut] = Field(..., description="Document principal puis annexes.")
    links: ActeLinksOut = Field(..., description="Documents téléchargeables, quand ils existent.")

    @staticmethod
    def resolve_siren(acte) -> str:
        return acte.body.siren

    @staticmethod
    def resolve_status_label(acte) -> str:
        return str(Status(acte.status).label)

    @staticmethod
    def resolve_defere_deadline(acte) -> date | None:
        if acte.received_on is None:
            return None
        window = correspondence.acte_window(acte)
        return None if window.suspended else window.end

    @staticmethod
    def resolve_files(acte) -> list:
        # The model orders by role code, which puts "annex" first.
        return sorted(acte.files.all(), key=lambda f: (f.role != FileRole.MAIN, f.position, f.pk))

    @staticmethod
    def resolve_links(acte) -> dict:
        files = list(acte.files.all())
        main = next((f for f in files if f.role == FileRole.MAIN), None)
        received = acte.status in documents.RECEIVED
        return {
            "archive": _url("actes_archive", acte.pk) if acte_archive_message(acte) else None,
            # documents.stamped_available, on the prefetched files
            "stamped": _url("actes_stamped", acte.pk) if received and main and main.extension == "pdf" else None,
            "receipt": _url("actes_receipt", acte.pk) if received else None,
            "ar": _url("actes_ar", acte.pk) if acte_ar(acte) else None,
        }


class LetterFileOut(Schema):
    id: int = Field(..., description="Identifiant du document.")
    name: str = Field(..., description="Nom du fichier, tel que nommé par la préfecture.")
    size: int = Field(..., description="Taille en octets.")
    url: str = Field(..., description="Adresse de téléchargement.")

    @staticmethod
    def resolve_size(item) -> int:
        return item.stored.size

    @staticmethod
    def resolve_url(item) -> str:
        return _url("actes_letter_file", item.message_id, item.pk)


class AnsweredOut(Schema):
    code: str = Field(..., description="Code de la réponse envoyée (2-2, 3-2…).")
    label: str = Field(..., description="Libellé de la réponse.")
    created_at: datetime = Field(..., description="Envoyée le.")

    @staticmethod
    def resolve_label(message) -> str:
        return str(correspondence.ANSWER_LABELS.get(message.code, message.code))


def letter_prefetch() -> tuple[Prefetch, ...]:
    """What `LetterOut` reads, fetched once per page."""
    return (
        Prefetch("files", queryset=IncomingFile.objects.select_related("stored")),
        Prefetch("answers", queryset=OutgoingMessage.objects.order_by("created_at", "pk")),
    )


class LetterOut(Schema):
    id: int = Field(..., description="Identifiant du courrier.")
    siren: str | None = Field(None, description="SIREN de l'organisme destinataire.")
    acte_id: int | None = Field(None, description="Identifiant de l'acte concerné (absent s'il est inconnu).")
    id_acte: str = Field(..., description="Identifiant @CTES de l'acte concerné.")
    code: str = Field(..., description="2-1 courrier simple, 3-1 demande de pièces, 4-1 lettre "
                                       "d'observations, 5-1 déféré au tribunal administratif.")
    label: str = Field(..., description="Nature du courrier, en français.")
    date_courrier_pref: date | None = Field(None, description="Date du courrier de la préfecture.")
    received_at: datetime = Field(..., description="Reçu sur la plateforme le.")
    read_at: datetime | None = Field(None, description="Lu le (absent s'il n'a pas été lu).")
    description: str = Field(..., description="Texte du courrier (motif, pièces demandées…).")
    detail: str = Field(..., description="Détail transmis par la préfecture.")
    files: list[LetterFileOut] = Field(..., description="Documents joints par la préfecture.")
    answers_open: list[str] = Field(..., description="Réponses encore possibles (codes).")
    answered: list[AnsweredOut] = Field(..., description="Réponses déjà envoyées.")

    @staticmethod
    def resolve_siren(letter) -> str | None:
        return letter.body.siren if letter.body_id else None

    @staticmethod
    def resolve_label(letter) -> str:
        return str(correspondence.LETTER_LABELS.get(letter.code, letter.code))

    @staticmethod
    def resolve_description(letter) -> str:
        value = (letter.parsed or {}).get("description")
        return value if isinstance(value, str) else ""

    @staticmethod
    def resolve_files(letter) -> list:
        return list(letter.files.all())

    @staticmethod
    def resolve_answers_open(letter) -> list[str]:
        return correspondence.answers_open(letter) if letter.acte_id else []

    @staticmethod
    def resolve_answered(letter) -> list:
        return list(letter.answers.all())


INPUT_SCHEMAS = (ActeCreateIn, ActeFilters, LetterFilters, ReplyIn)
EXTRA_LABELS = {
    "document": "Document principal",
    "annexes": "Annexes",
    "documents": "Documents de la réponse",
    "id": "Identifiant",
    "file_id": "Identifiant du document",
}


errors.register_field_labels(INPUT_SCHEMAS, EXTRA_LABELS)
