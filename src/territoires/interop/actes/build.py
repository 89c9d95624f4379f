"""Builders of the messages a collectivité sends (CL → préfecture).

Each `build_<root element>` returns ISO-8859-1 bytes in XSD element order.
Builders refuse input that could never be valid (bad IDActe, level-1-only
matière) with a French ValueError; the rest is checked by `schema.validate`,
which callers run before packing. The DonneesActe/FichierSigne/envelope
writers here are reused by the préfecture side (`build_pref`).
"""

from collections.abc import Sequence
from datetime import date

from lxml import etree

from territoires.interop.actes.data import (
    ActeData,
    CourrierRef,
    Emitter,
    EnvelopeData,
    FileRef,
    Referent,
)
from territoires.interop.actes.naming import (
    ID_ACTE_RE,
    arrondissement_error,
    matiere_codes_error,
    pad_departement,
    siren_format_error,
)
from territoires.interop.actes.xmltools import iso, q, qi, root_element, serialize, sub

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"


def check_id_acte(value: str) -> str:
    if not ID_ACTE_RE.match(value or ""):
        raise ValueError(f"Identifiant d'acte invalide : « {value} ».")
    return value


def write_file(parent: etree._Element, name: str, ref: FileRef | str) -> etree._Element:
    """A FichierSigne: NomFichier then the optional Signature."""
    ref = FileRef(ref) if isinstance(ref, str) else ref
    element = sub(parent, name)
    sub(element, "NomFichier", ref.name)
    if ref.signature is not None:
        sub(element, "Signature", ref.signature)
    return element


def write_acte(element: etree._Element, acte: ActeData) -> etree._Element:
    """Fill `element` with DonneesActe (used by Acte and by ActeRecu in ARActe/AnomalieActe)."""
    error = matiere_codes_error(tuple(acte.matiere_codes))
    if error:
        raise ValueError(error)
    element.set(q("Date"), iso(acte.decision_date))
    element.set(q("NumeroInterne"), acte.numero_interne)
    element.set(q("CodeNatureActe"), str(int(acte.nature_code)))
    for level, code in enumerate(acte.matiere_codes, start=1):
        sub(element, f"CodeMatiere{level}", CodeMatiere=str(code))
    sub(element, "Objet", acte.objet)
    if acte.precedent_id_acte:
        sub(element, "PrecedentIdentifiantActe", IDActe=check_id_acte(acte.precedent_id_acte))
    sub(element, "ClassificationDateVersion", iso(acte.classification_date))
    write_file(element, "Document", acte.document)
    annexes = sub(element, "Annexes", Nombre=str(len(acte.annexes)))
    for annexe in acte.annexes:
        write_file(annexes, "Annexe", annexe)
    papier = sub(element, "DocumentPapier")
    if acte.document_papier is None:
        papier.set(XSI_NIL, "true")
    else:
        papier.text = "O" if acte.document_papier else "N"
    return element


def write_referent(parent: etree._Element, referent: Referent | None) -> None:
    if referent is None:
        return
    element = sub(parent, "Referent")
    for name, value in (("Nom", referent.nom), ("Telephone", referent.telephone),
                        ("Email", referent.email)):
        if value:
            sub(element, name, value)


def write_emitter_cl(parent: etree._Element, emitter: Emitter) -> etree._Element:
    for error in (siren_format_error(emitter.siren), arrondissement_error(emitter.arrondissement)):
        if error:
            raise ValueError(error)
    idcl = sub(parent, "IDCL")
    idcl.set(qi("SIREN"), emitter.siren)
    idcl.set(q("Departement"), pad_departement(emitter.departement))
    idcl.set(q("Arrondissement"), str(emitter.arrondissement))
    idcl.set(q("Nature"), str(emitter.nature_code).zfill(2))
    return idcl


def write_formulaires(parent: etree._Element, messages: Sequence[FileRef | str]) -> None:
    if not messages:
        raise ValueError("Une enveloppe doit lister au moins un message.")
    formulaires = sub(parent, "FormulairesEnvoyes")
    for message in messages:
        write_file(formulaires, "Formulaire", message)


def write_envelope_cl(element: etree._Element, envelope: EnvelopeData) -> etree._Element:
    """Fill `element` with DonneesEnveloppeCLMISILL (also used for EnveloppeRecue)."""
    emetteur = sub(element, "Emetteur")
    write_emitter_cl(emetteur, envelope.emitter)
    write_referent(emetteur, envelope.referent)
    if not envelope.return_emails:
        raise ValueError("Indiquez au moins une adresse électronique de retour.")
    adresses = sub(element, "AdressesRetour")
    for email in envelope.return_emails:
        sub(adresses, "Email", email)
    write_formulaires(element, envelope.messages)
    return element


def _courrier(name: str, ref: CourrierRef) -> etree._Element:
    return root_element(name, IDActe=check_id_acte(ref.id_acte),
                        DateCourrierPref=iso(ref.date_courrier_pref))


def _courrier_with_document(name: str, ref: CourrierRef, document: FileRef | str) -> bytes:
    root = _courrier(name, ref)
    write_file(root, "Document", document)
    return serialize(root)


def build_enveloppe_cl_misill(envelope: EnvelopeData) -> bytes:
    """EnveloppeCLMISILL: who sends, where to answer, which messages the archive holds."""
    return serialize(write_envelope_cl(root_element("EnveloppeCLMISILL"), envelope))


def build_acte(acte: ActeData) -> bytes:
    """1-1 Acte."""
    return serialize(write_acte(root_element("Acte"), acte))


def build_reponse_courrier_simple(ref: CourrierRef, document: FileRef | str) -> bytes:
    """2-2 ReponseCourrierSimple."""
    return _courrier_with_document("ReponseCourrierSimple", ref, document)


def build_ar_demande_piece_complementaire(ref: CourrierRef) -> bytes:
    """3-2 ARDemandePieceComplementaire: attributes only."""
    return serialize(_courrier("ARDemandePieceComplementaire", ref))


def build_refus_piece_complementaire(ref: CourrierRef, document: FileRef | str) -> bytes:
    """3-3 RefusPieceComplementaire."""
    return _courrier_with_document("RefusPieceComplementaire", ref, document)


def build_piece_complementaire(ref: CourrierRef, documents: Sequence[FileRef | str]) -> bytes:
    """3-4 PieceComplementaire: Documents/Document+ (at least one)."""
    if not documents:
        raise ValueError("Joignez au moins une pièce complémentaire.")
    root = _courrier("PieceComplementaire", ref)
    container = sub(root, "Documents")
    for document in documents:
        write_file(container, "Document", document)
    return serialize(root)


def build_ar_lettre_observations(ref: CourrierRef) -> bytes:
    """4-2 ARLettreObservations: attributes only."""
    return serialize(_courrier("ARLettreObservations", ref))


def build_rejet_lettre_observations(ref: CourrierRef, document: FileRef | str) -> bytes:
    """4-3 RejetLettreObservations."""
    return _courrier_with_document("RejetLettreObservations", ref, document)


def build_reponse_lettre_observations(ref: CourrierRef, document: FileRef | str) -> bytes:
    """4-4 ReponseLettreObservations."""
    return _courrier_with_document("ReponseLettreObservations", ref, document)


def build_annulation(id_acte: str) -> bytes:
    """6-1 Annulation of a transmitted act."""
    return serialize(root_element("Annulation", IDActe=check_id_acte(id_acte)))


def build_demande_classification(current_date: date | None = None) -> bytes:
    """7-1 DemandeClassification; give the date held so the préfecture can answer 7-3."""
    root = root_element("DemandeClassification")
    if current_date is not None:
        sub(root, "DateClassification", iso(current_date))
    return serialize(root)
