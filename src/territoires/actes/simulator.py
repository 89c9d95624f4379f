"""A prefecture simulator that behaves like the ministry's @CTES platform.

It receives archives over HTTP exactly as the ministry does (multipart POST,
one file named after the archive), checks them with the official schema and
the rules prefectures apply, and answers later *by e-mail*: the answer is
dropped into a Maildir with an availability time, and the platform reads it
through the same inbound path as the real mailbox. It answers an archive
once, however many times it is posted.

Answers, by message received:
- 1-1 Acte → 1-2 ARActe, or 1-3 AnomalieActe (stale classification,
  invalid message, missing or forbidden file);
- 6-1 Annulation → 6-2 ARAnnulation;
- 7-1 DemandeClassification → 7-2 RetourClassification, or 7-3 when current;
- 3-3/3-4 → 3-5, 4-3/4-4 → 4-5;
- an archive it cannot read → AnomalieEnveloppe.

Everything it sends is labelled as a simulation in the sender's name.
"""

import itertools
import os
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from territoires.actes.inbox import maildir_open
from territoires.interop.actes import naming
from territoires.interop.actes.archive import unpack
from territoires.interop.actes.build_pref import (
    build_anomalie_acte,
    build_anomalie_enveloppe,
    build_ar_acte,
    build_ar_annulation,
    build_ar_piece_complementaire,
    build_ar_reponse_rejet_lettre_observations,
    build_reponse_classification_sans_changement,
)
from territoires.interop.actes.classification import (
    build_retour_classification,
    default_classification,
)
from territoires.interop.actes.data import (
    CourrierRef,
    Emitter,
    EnvelopeData,
    OutgoingMessage,
    PrefectureSender,
)
from territoires.interop.actes.errors import ActesError
from territoires.interop.actes.parse import ParsedMessage, parse_message
from territoires.interop.actes.schema import schema_errors
from territoires.interop.actes.transmission import prefecture_archive

# The nomenclature the simulated prefectures currently use.
CLASSIFICATION_DATE = date(2026, 1, 15)
ARCHIVE_RE = re.compile(r"^[A-Z]{3}-(EACT|TACT)--\d{9}--\d{8}-\d+\.tar\.gz$")
ALLOWED_EXTENSIONS = {"pdf", "jpg", "jpeg", "png", "xml"}
SENDER = "Préfecture (simulation) <actes@simulation.interieur.gouv.fr>"
AVAILABLE_HEADER = "X-Simulateur-Disponible"
_serial = itertools.count(1)


@dataclass
class Answer:
    """One message the prefecture sends back, with the files it names."""

    file_name: str
    xml: bytes
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class Received:
    name: str
    members: dict[str, bytes]
    envelope: ParsedMessage | None = None


def _envelope_anomaly(received: Received, detail: str, nature: int, today: date) -> Answer:
    """AnomalieEnveloppe, echoing the envelope when it could be read."""
    envelope = received.envelope.envelope if received.envelope else None
    if envelope is None:
        siren = received.name.split("--")[1] if received.name.count("--") >= 2 else "000000000"
        envelope = EnvelopeData(emitter=Emitter(siren, "00", 0, "31"), return_emails=("inconnu@example.org",),
                                messages=())
    name = next((n for n in received.members if n.startswith(("EACT--", "TACT--"))), received.name + ".xml")
    xml = build_anomalie_enveloppe(envelope, date_anomalie=today, nature=nature, detail=detail)
    return Answer(naming.anomaly_envelope_name(name), xml)


def _acte_answer(message: ParsedMessage, received: Received, today: date, reference_dir: Path) -> Answer:
    acte = message.acte
    stem = message.id_acte
    problem = None
    if errors := schema_errors(received.members[message.file], reference_dir):
        problem = (2, "SIMU-XSD-01 : message non conforme au schéma ACTES : " + errors[0])
    elif missing := [n for n in message.files if n not in received.members]:
        problem = (3, "ODT-VERIF-04 : fichier annoncé absent de l'archive : " + missing[0])
    elif forbidden := [n for n in message.files if n.rsplit(".", 1)[-1].lower() not in ALLOWED_EXTENSIONS]:
        problem = (3, "ODT-VERIF-05 : format de fichier non autorisé : " + forbidden[0])
    elif acte.classification_date < CLASSIFICATION_DATE:
        problem = (1, "ODT-VERIF-01 : L'acte a été transmis avec une date de classification qui n'est "
                      "pas à jour")
    if problem is not None:
        xml = build_anomalie_acte(acte, date_anomalie=today, nature=problem[0], detail=problem[1],
                                  classification_date_en_cours=CLASSIFICATION_DATE)
        return Answer(naming.message_file_name(stem, "1-3", 0, "xml"), xml)
    xml = build_ar_acte(acte, id_acte=stem, date_reception=today,
                        classification_date_en_cours=CLASSIFICATION_DATE)
    return Answer(naming.message_file_name(stem, "1-2", 0, "xml"), xml)


def _classification_answer(message: ParsedMessage, emitter: Emitter) -> Answer:
    stem = naming.classification_stem(emitter.departement, emitter.siren)
    if message.classification_date == CLASSIFICATION_DATE:
        xml = build_reponse_classification_sans_changement(CLASSIFICATION_DATE)
        return Answer(naming.message_file_name(stem, "7-3", 0, "xml"), xml)
    xml = build_retour_classification(default_classification(CLASSIFICATION_DATE))
    return Answer(naming.message_file_name(stem, "7-2", 0, "xml"), xml)


def _answers_for(message: ParsedMessage, received: Received, emitter: Emitter, today: date,
                 reference_dir: Path) -> list[Answer]:
    root = message.root
    if root == "Acte":
        return [_acte_answer(message, received, today, reference_dir)]
    if root == "Annulation":
        return [Answer(naming.message_file_name(message.id_acte, "6-2", 0, "xml"),
                       build_ar_annulation(message.id_acte, today))]
    if root == "DemandeClassification":
        return [_classification_answer(message, emitter)]
    ref = CourrierRef(message.id_acte, message.date_courrier_pref) if message.date_courrier_pref else None
    if root in {"RefusPieceComplementaire", "PieceComplementaire"} and ref:
        return [Answer(naming.message_file_name(message.id_acte, "3-5", 0, "xml"),
                       build_ar_piece_complementaire(ref, today))]
    if root in {"RejetLettreObservations", "ReponseLettreObservations"} and ref:
        return [Answer(naming.message_file_name(message.id_acte, "4-5", 0, "xml"),
                       build_ar_reponse_rejet_lettre_observations(ref, today))]
    return []  # 2-2, 3-2, 4-2: the prefecture does not acknowledge them


def answers(name: str, data: bytes, *, today: date, reference_dir: Path) -> tuple[Emitter | None, list[Answer]]:
    """What the prefecture answers to archive `name`; pure, for tests and the HTTP view."""
    received = Received(name=name, members={})
    if not ARCHIVE_RE.match(name):
        return None, [_envelope_anomaly(received, f"PREF-VERIF-01 : nom d'archive non conforme : {name}", 1, today)]
    try:
        received.members = dict(unpack(data))
    except ActesError as error:
        return None, [_envelope_anomaly(received, f"PREF-VERIF-03 : archive illisible : {error}", 3, today)]
    envelopes = [n for n in received.members if n.startswith(("EACT--", "TACT--")) and n.endswith(".xml")]
    if len(envelopes) != 1:
        return None, [_envelope_anomaly(received, "PREF-VERIF-04 : l'archive doit contenir une seule enveloppe", 4,
                                        today)]
    try:
        received.envelope = parse_message(received.members[envelopes[0]], envelopes[0])
    except ActesError as error:
        return None, [_envelope_anomaly(received, f"PREF-VERIF-04 : enveloppe illisible : {error}", 4, today)]
    if errors := schema_errors(received.members[envelopes[0]], reference_dir):
        return None, [_envelope_anomaly(received, "PREF-VERIF-05 : enveloppe non conforme : " + errors[0], 5, today)]
    emitter = received.envelope.envelope.emitter
    found: list[Answer] = []
    for ref in received.envelope.envelope.messages:
        if ref.name not in received.members:
            return emitter, [_envelope_anomaly(received, f"PREF-VERIF-02 : message absent : {ref.name}", 2, today)]
        try:
            message = parse_message(received.members[ref.name], ref.name)
        except ActesError as error:
            return emitter, [_envelope_anomaly(received, f"PREF-VERIF-02 : message illisible : {error}", 2, today)]
        found.extend(_answers_for(message, received, emitter, today, reference_dir))
    return emitter, found


def _answer_archive(answer: Answer, emitter: Emitter | None, today: date) -> tuple[str, bytes]:
    departement = emitter.departement if emitter else "00"
    siren = emitter.siren if emitter else "000000000"
    archive = prefecture_archive(
        sender=PrefectureSender(departement, 1), siren=siren,
        messages=[OutgoingMessage(answer.file_name, answer.xml, tuple(answer.files))],
        day=today, counter=next(_serial) + int(time.time()) % 100000, mtime=int(time.time()),
    )
    return archive.name, archive.data


def _mail(archive_name: str, data: bytes, to: str, available_at: datetime) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = SENDER
    mail["To"] = to
    mail["Subject"] = archive_name
    mail[AVAILABLE_HEADER] = available_at.isoformat()
    mail.set_content("Message du simulateur de préfecture (pas un envoi réel).")
    mail.add_attachment(data, maintype="application", subtype="gzip", filename=archive_name)
    return mail


def receive(name: str, data: bytes, *, folder: Path, delay: int, now: datetime, today: date,
            reference_dir: Path) -> int:
    """Take an archive; queue the answers by e-mail once. Returns how many answers were queued."""
    received_dir = folder / "recus"
    received_dir.mkdir(parents=True, exist_ok=True)
    marker = received_dir / Path(name).name
    try:
        handle = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return 0  # the same archive posted again: already answered
    try:
        os.write(handle, data)
        emitter, found = answers(name, data, today=today, reference_dir=reference_dir)
        box = maildir_open(folder / "courriels")
        return_to = "actes@territoires.example.org"
        for answer in found:
            archive_name, archive = _answer_archive(answer, emitter, today)
            box.add(_mail(archive_name, archive, return_to, now + timedelta(seconds=delay)))
        return len(found)
    except BaseException:
        marker.unlink(missing_ok=True)
        raise
    finally:
        os.close(handle)


def _letter_pdf(title: str, text: str) -> bytes:
    from fpdf import FPDF

    from territoires.core.pdf import latin1

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, latin1(f"{title} (simulation)"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


LETTER_TEXTS = {
    "2-1": ("Courrier simple", "La préfecture accuse bonne réception de votre acte et vous adresse ce courrier."),
    "3-1": ("Demande de pièces complémentaires",
            "Merci de transmettre l'avis de la commission et le rapport de présentation."),
    "4-1": ("Lettre d'observations", "L'acte appelle les observations suivantes : la délibération n'est pas motivée."),
    "5-1": ("Déféré au tribunal administratif", "L'acte est déféré au tribunal administratif pour illégalité."),
}


def letter(code: str, *, id_acte: str, emitter: Emitter, folder: Path, now: datetime, today: date,
           delay: int = 0, text: str | None = None) -> str:
    """Send a prefecture letter about an act (2-1, 3-1, 4-1 or 5-1) to the mailbox; returns its archive name.

    Real prefectures write when they please; the demo and the tests call this
    to play the prefecture's part.
    """
    from territoires.interop.actes import build_pref
    from territoires.interop.actes.data import FileRef

    title, default_text = LETTER_TEXTS[code]
    text = text or default_text
    document_name = naming.message_file_name(id_acte, code, 1, "pdf")
    document = FileRef(document_name)
    ref = CourrierRef(id_acte, today)
    xml = {
        "2-1": lambda: build_pref.build_courrier_simple(ref, document),
        "3-1": lambda: build_pref.build_demande_piece_complementaire(ref, text, document),
        "4-1": lambda: build_pref.build_lettre_observations(ref, text, document),
        "5-1": lambda: build_pref.build_defere_ta(id_acte, date_depot=today, nature_illegalite=text,
                                                  pieces=[document]),
    }[code]()
    answer = Answer(naming.message_file_name(id_acte, code, 0, "xml"), xml,
                    [(document_name, _letter_pdf(title, text))])
    archive_name, archive = _answer_archive(answer, emitter, today)
    maildir_open(folder / "courriels").add(
        _mail(archive_name, archive, "actes@territoires.example.org", now + timedelta(seconds=delay)))
    return archive_name
