"""Lenient reading of any ACTES message, from us or from any other tiers.

Dispatch is on the root element's local name, never on the file name (the
ministry's and other tools' names vary). Deviations seen in real traffic —
no DocumentPapier before 2018, anomaly codes the XSD does not list (999),
UTF-8 instead of ISO-8859-1, schema errors — are reported in `warnings`
and do not stop the reading: an AR we cannot read is a legal receipt lost.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from territoires.interop.actes.classification import Classification, read_retour_classification
from territoires.interop.actes.codes import ACTES_NS, BY_ROOT, ENVELOPE_ANOMALY_NATURES
from territoires.interop.actes.data import ActeData, Emitter, EnvelopeData, FileRef, Referent
from territoires.interop.actes.errors import ActesParseError
from territoires.interop.actes.naming import parse_id_acte
from territoires.interop.actes.schema import parse_xml, schema_errors
from territoires.interop.actes.xmltools import (
    XML_DECLARATION,
    attr,
    child,
    children,
    is_nil,
    local,
    read_date,
    text,
)

_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"']")
_ID_IN_NAME = re.compile(
    r"^(?:[0-9]{2}_[A-Z0-9]{2}-)?(?P<id>[09][0-9][AB0-9]-[0-9]{9}-[0-9]{8}-[A-Za-z0-9_]{1,15}-[A-Z]{2})"
    r"-[0-9]-[0-9]_[0-9]+\.xml$"
)
_CLASSIFICATION_NAME = re.compile(r"^(?P<dept>[09][0-9][AB0-9])-(?P<siren>[0-9]{9})----7-[0-9]_[0-9]+\.xml$")
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "iso_8859-1"}


@dataclass
class ParsedMessage:
    """What a message says, flattened; fields a message type does not carry stay None."""

    file: str | None
    root: str
    code: str | None  # "1-2"…; None for envelopes and AnomalieEnveloppe
    direction: str | None = None
    id_acte: str | None = None
    siren: str | None = None
    departement: str | None = None
    date_anomalie: date | None = None  # AnomalieActe/AnomalieEnveloppe Date
    date_depot: date | None = None  # DefereTA DateDepot
    date_reception: date | None = None
    date_courrier_pref: date | None = None
    decision_date: date | None = None
    nature: int | None = None  # CodeNatureActe of an act, or the anomaly's Nature
    detail: str | None = None
    description: str | None = None  # DescriptionPieces, Motif or NatureIllegalite
    numero_interne: str | None = None
    objet: str | None = None
    matiere_codes: tuple[int, ...] = ()
    # Acte: ClassificationDateVersion; ARActe/AnomalieActe: …EnCours; 7-x: DateClassification.
    classification_date: date | None = None
    document_papier: bool | None = None
    files: list[str] = field(default_factory=list)  # every NomFichier, in document order
    warnings: list[str] = field(default_factory=list)
    classification: Classification | None = None
    acte: ActeData | None = None  # Acte, or the ActeRecu echoed by 1-2/1-3
    envelope: EnvelopeData | None = None  # EnveloppeCLMISILL or AnomalieEnveloppe/EnveloppeRecue

    @property
    def matiere(self) -> str | None:
        return ".".join(map(str, self.matiere_codes)) or None

    def to_json(self) -> dict:
        """Plain JSON-able dict (ISO dates) for logs, the command line and the API."""
        data = {
            "file": self.file, "root": self.root, "code": self.code, "direction": self.direction,
            "id_acte": self.id_acte, "siren": self.siren, "departement": self.departement,
            "date_anomalie": _iso(self.date_anomalie), "date_depot": _iso(self.date_depot),
            "date_reception": _iso(self.date_reception),
            "date_courrier_pref": _iso(self.date_courrier_pref),
            "decision_date": _iso(self.decision_date), "nature": self.nature,
            "detail": self.detail, "description": self.description,
            "numero_interne": self.numero_interne, "objet": self.objet, "matiere": self.matiere,
            "classification_date": _iso(self.classification_date),
            "document_papier": self.document_papier, "files": list(self.files),
            "warnings": list(self.warnings),
        }
        if self.classification is not None:
            data["matieres"] = self.classification.codes()
            data["natures"] = [n.abbr for n in self.classification.natures]
        return data


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_message(xml: bytes, file_name: str | None = None, *,
                  reference_dir: Path | None = None) -> ParsedMessage:
    """Read one message or envelope; with `reference_dir`, schema errors become warnings.

    Raises ActesXMLError for unsafe or malformed XML, ActesParseError for an unknown root.
    """
    warnings: list[str] = []
    root = _parse_with_encoding(xml, warnings)
    name = local(root)
    kind = BY_ROOT.get(name)
    if kind is None:
        raise ActesParseError(f"Message ACTES inconnu : élément racine « {name} ».")
    if etree.QName(root).namespace != ACTES_NS:
        warnings.append(f"Espace de noms inattendu « {etree.QName(root).namespace} » (accepté).")
    message = ParsedMessage(file=file_name, root=name, code=kind.code, direction=str(kind.direction))
    _READERS[name](root, message)
    if message.id_acte is None and file_name and (found := _ID_IN_NAME.match(file_name)):
        message.id_acte = found["id"]  # AnomalieActe has no IDActe: its file name has it
    if message.id_acte and message.siren is None:
        _set_ids(message, message.id_acte)
    if message.siren is None and file_name and (found := _CLASSIFICATION_NAME.match(file_name)):
        message.siren, message.departement = found["siren"], found["dept"]  # 7-x concern no act
    if reference_dir is not None:
        message.warnings.extend(f"Schéma : {error}" for error in schema_errors(root, reference_dir))
    message.warnings[:0] = warnings
    return message


def _parse_with_encoding(xml: bytes, warnings: list[str]) -> etree._Element:
    declared = _DECLARED_ENCODING.match(xml[:200].removeprefix(b"\xef\xbb\xbf"))
    encoding = declared.group(1).decode("ascii").lower() if declared else None
    if encoding in _LATIN1:
        if _looks_like_utf8(xml):
            warnings.append("Message déclaré ISO-8859-1 mais encodé en UTF-8 : relu en UTF-8.")
            xml = xml.replace(declared.group(0), declared.group(0).replace(declared.group(1), b"UTF-8"), 1)
    elif encoding is None:
        if not xml.isascii() and not _looks_like_utf8(xml):
            warnings.append("Message sans déclaration d'encodage, relu en ISO-8859-1.")
            xml = _declare_latin1(xml)
        elif not xml.isascii():
            warnings.append("Message sans déclaration d'encodage, lu en UTF-8 (ACTES attend ISO-8859-1).")
    else:
        warnings.append(f"Message encodé en {encoding.upper()} au lieu d'ISO-8859-1 (accepté).")
    return parse_xml(xml)


def _declare_latin1(xml: bytes) -> bytes:
    declaration = _XML_DECLARATION.match(xml)
    if declaration:
        return XML_DECLARATION.rstrip() + xml[declaration.end():]
    return XML_DECLARATION + xml


def _looks_like_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _set_ids(message: ParsedMessage, value: str) -> None:
    message.id_acte = value
    parts = parse_id_acte(value)
    if parts is None:
        message.warnings.append(f"IDActe mal formé : « {value} ».")
        return
    message.siren = message.siren or parts.siren
    message.departement = message.departement or parts.departement


def _int(raw: str | None, label: str, message: ParsedMessage) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        message.warnings.append(f"Valeur non numérique pour {label} : « {raw} ».")
        return None


def _date(raw: str | None, label: str, message: ParsedMessage) -> date | None:
    return read_date(raw, label, message.warnings)


def _file_refs(elements: list[etree._Element]) -> list[FileRef]:
    refs = []
    for element in elements:
        name = text(element, "NomFichier")
        if name:
            signature = child(element, "Signature")
            refs.append(FileRef(name, signature.text.strip() if signature is not None and signature.text else None))
    return refs


def _read_acte(element: etree._Element, message: ParsedMessage) -> None:
    """DonneesActe into the flat fields, plus an ActeData when complete enough."""
    message.decision_date = _date(attr(element, "Date"), "Date", message)
    message.numero_interne = attr(element, "NumeroInterne")
    message.nature = _int(attr(element, "CodeNatureActe"), "CodeNatureActe", message)
    codes = []
    for level in range(1, 6):
        value = _int(attr(child(element, f"CodeMatiere{level}"), "CodeMatiere"), f"CodeMatiere{level}", message)
        if value is None:
            break
        codes.append(value)
    message.matiere_codes = tuple(codes)
    message.objet = text(element, "Objet")
    classification_date = _date(text(element, "ClassificationDateVersion"), "ClassificationDateVersion", message)
    message.classification_date = classification_date
    documents = _file_refs(children(element, "Document"))
    annexes = _file_refs(children(child(element, "Annexes"), "Annexe"))
    message.files = [ref.name for ref in documents + annexes]
    announced = _int(attr(child(element, "Annexes"), "Nombre"), "Annexes/Nombre", message)
    if announced is not None and announced != len(annexes):
        message.warnings.append(f"Nombre d'annexes annoncé ({announced}) différent du nombre listé ({len(annexes)}).")
    message.document_papier = _document_papier(child(element, "DocumentPapier"), message)
    precedent = attr(child(element, "PrecedentIdentifiantActe"), "IDActe")
    if None not in (message.decision_date, message.numero_interne, message.nature,
                    classification_date) and documents:
        message.acte = ActeData(
            numero_interne=message.numero_interne, nature_code=message.nature,
            decision_date=message.decision_date, matiere_codes=message.matiere_codes,
            objet=message.objet or "", classification_date=classification_date,
            document=documents[0], annexes=tuple(annexes),
            document_papier=message.document_papier, precedent_id_acte=precedent,
        )


def _document_papier(element: etree._Element | None, message: ParsedMessage) -> bool | None:
    if element is None:
        message.warnings.append("DocumentPapier absent (message antérieur à la réforme Actes V2 de 2018).")
        return None
    if is_nil(element) or not (element.text or "").strip():
        return None
    value = element.text.strip().upper()
    if value in {"O", "OUI", "1", "TRUE"}:
        return True
    if value in {"N", "NON", "0", "FALSE"}:
        return False
    message.warnings.append(f"Valeur inattendue pour DocumentPapier : « {element.text.strip()} ».")
    return None


def _read_acte_root(root, message):
    _read_acte(root, message)


def _read_acte_recu(root, message):
    if (value := attr(root, "IDActe")) is not None:
        _set_ids(message, value)
    message.date_reception = _date(attr(root, "DateReception"), "DateReception", message)
    recu = child(root, "ActeRecu")
    if recu is None:
        message.warnings.append("ActeRecu absent.")
    else:
        _read_acte(recu, message)
    # The préfecture's current version is what matters to detect a stale nomenclature.
    message.classification_date = _date(
        text(root, "ClassificationDateVersionEnCours"), "ClassificationDateVersionEnCours", message)


def _read_anomalie_acte(root, message):
    _read_acte_recu(root, message)
    _read_anomaly_head(root, message)


def _read_anomaly_head(root, message):
    message.date_anomalie = _date(text(root, "Date"), "Date", message)
    message.nature = _int(text(root, "Nature"), "Nature", message)
    message.detail = text(root, "Detail")


def _read_anomalie_enveloppe(root, message):
    _read_anomaly_head(root, message)
    if message.nature is not None and message.nature not in ENVELOPE_ANOMALY_NATURES:
        message.warnings.append(f"Nature d'anomalie {message.nature:03d} absente du schéma (acceptée).")
    recue = child(root, "EnveloppeRecue")
    if recue is not None:
        _read_envelope_cl(recue, message)


def _read_envelope_cl(root, message):
    idcl = child(child(root, "Emetteur"), "IDCL")
    message.siren = attr(idcl, "SIREN")
    message.departement = attr(idcl, "Departement")
    emails = tuple(e.text.strip() for e in children(child(root, "AdressesRetour"), "Email") if e.text)
    formulaires = _file_refs(children(child(root, "FormulairesEnvoyes"), "Formulaire"))
    message.files = [ref.name for ref in formulaires]
    referent_el = child(child(root, "Emetteur"), "Referent")
    referent = None if referent_el is None else Referent(
        text(referent_el, "Nom"), text(referent_el, "Telephone"), text(referent_el, "Email"))
    if idcl is None:
        message.warnings.append("Émetteur (IDCL) absent de l'enveloppe.")
        return
    arrondissement = attr(idcl, "Arrondissement") or ""
    emitter = Emitter(message.siren or "", message.departement or "",
                      int(arrondissement) if arrondissement.isdigit() else arrondissement,
                      attr(idcl, "Nature") or "")
    message.envelope = EnvelopeData(emitter, emails, tuple(formulaires), referent)


def _read_envelope_pref(root, message):
    emetteur = child(root, "Emetteur")
    sender = next((c for c in emetteur if isinstance(c.tag, str) and local(c).startswith("ID")), None) \
        if emetteur is not None else None
    message.departement = attr(sender, "Departement")
    message.siren = attr(child(root, "Destinataire"), "SIREN")
    message.files = [ref.name for ref in _file_refs(children(child(root, "FormulairesEnvoyes"), "Formulaire"))]


def _read_courrier(root, message):
    if (value := attr(root, "IDActe")) is not None:
        _set_ids(message, value)
    message.date_courrier_pref = _date(attr(root, "DateCourrierPref"), "DateCourrierPref", message)
    message.description = text(root, "DescriptionPieces") or text(root, "Motif")
    refs = _file_refs(children(root, "Document")) + _file_refs(children(child(root, "Documents"), "Document"))
    message.files = [ref.name for ref in refs]


def _read_ar_reponse(root, message):
    message.date_reception = _date(attr(root, "DateReception"), "DateReception", message)
    infos = child(root, "InfosCourrierPref")
    if infos is None:
        message.warnings.append("InfosCourrierPref absent.")
        return
    _read_courrier(infos, message)


def _read_defere(root, message):
    if (value := attr(root, "IDActe")) is not None:
        _set_ids(message, value)
    message.date_depot = _date(text(root, "DateDepot"), "DateDepot", message)
    message.description = text(root, "NatureIllegalite")
    message.files = [ref.name for ref in _file_refs(children(child(root, "PiecesJointes"), "PieceJointe"))]


def _read_annulation(root, message):
    if (value := attr(root, "IDActe")) is not None:
        _set_ids(message, value)
    message.date_reception = _date(attr(root, "DateReception"), "DateReception", message)


def _read_classification_date(root, message):
    message.classification_date = _date(text(root, "DateClassification"), "DateClassification", message)


def _read_retour_classification(root, message):
    message.classification = read_retour_classification(root, message.warnings)
    _read_classification_date(root, message)


_READERS = {
    "Acte": _read_acte_root,
    "ARActe": _read_acte_recu,
    "AnomalieActe": _read_anomalie_acte,
    "AnomalieEnveloppe": _read_anomalie_enveloppe,
    "EnveloppeCLMISILL": _read_envelope_cl,
    "EnveloppeMISILLCL": _read_envelope_pref,
    "CourrierSimple": _read_courrier,
    "ReponseCourrierSimple": _read_courrier,
    "DemandePieceComplementaire": _read_courrier,
    "ARDemandePieceComplementaire": _read_courrier,
    "RefusPieceComplementaire": _read_courrier,
    "PieceComplementaire": _read_courrier,
    "ARPieceComplementaire": _read_ar_reponse,
    "LettreObservations": _read_courrier,
    "ARLettreObservations": _read_courrier,
    "RejetLettreObservations": _read_courrier,
    "ReponseLettreObservations": _read_courrier,
    "ARReponseRejetLettreObservations": _read_ar_reponse,
    "DefereTA": _read_defere,
    "Annulation": _read_annulation,
    "ARAnnulation": _read_annulation,
    "DemandeClassification": _read_classification_date,
    "RetourClassification": _read_retour_classification,
    "ReponseClassificationSansChangement": _read_classification_date,
}
assert set(_READERS) == set(BY_ROOT), "every message type needs a reader"
