"""Builders of the messages a préfecture sends (préfecture → CL).

We never act as a préfecture in production; these exist for the built-in
préfecture simulator (demo, tests) and for test fixtures, so both sides of
the exchange are produced by the same, schema-checked code.
"""

from collections.abc import Sequence
from datetime import date

from territoires.interop.actes.build import (
    check_id_acte,
    write_acte,
    write_envelope_cl,
    write_file,
    write_formulaires,
    write_referent,
)
from territoires.interop.actes.data import (
    ActeData,
    CourrierRef,
    EnvelopeData,
    FileRef,
    PrefectureSender,
    Referent,
)
from territoires.interop.actes.naming import (
    arrondissement_error,
    pad_departement,
    siren_format_error,
)
from territoires.interop.actes.xmltools import iso, q, qi, root_element, serialize, sub


def build_enveloppe_misill_cl(sender: PrefectureSender, *, siren: str,
                              messages: Sequence[FileRef | str],
                              referent: Referent | None = None) -> bytes:
    """EnveloppeMISILLCL: Emetteur (IDPref, IDSousPref or IDSGAR), messages, Destinataire@SIREN."""
    error = siren_format_error(siren)
    if error:
        raise ValueError(error)
    root = root_element("EnveloppeMISILLCL")
    emetteur = sub(root, "Emetteur")
    departement = pad_departement(sender.departement)
    if sender.sgar:
        sub(emetteur, "IDSGAR", Departement=departement)
    elif sender.arrondissement is None:
        sub(emetteur, "IDPref", Departement=departement)
    else:
        error = arrondissement_error(sender.arrondissement)
        if error:
            raise ValueError(error)
        sub(emetteur, "IDSousPref", Departement=departement,
            Arrondissement=str(sender.arrondissement))
    write_referent(emetteur, referent)
    write_formulaires(root, messages)
    destinataire = sub(root, "Destinataire")
    destinataire.set(qi("SIREN"), siren)
    return serialize(root)


def build_ar_acte(acte: ActeData, *, id_acte: str, date_reception: date,
                  classification_date_en_cours: date) -> bytes:
    """1-2 ARActe: IDActe and DateReception (the legal receipt date), the act echoed."""
    root = root_element("ARActe", IDActe=check_id_acte(id_acte), DateReception=iso(date_reception))
    write_acte(sub(root, "ActeRecu"), acte)
    sub(root, "ClassificationDateVersionEnCours", iso(classification_date_en_cours))
    return serialize(root)


def _anomaly_nature(nature: int) -> str:
    if not 0 <= int(nature) <= 999:
        raise ValueError("La nature d'une anomalie est un code de 3 chiffres au plus.")
    return f"{int(nature):03d}"


def build_anomalie_acte(acte: ActeData, *, date_anomalie: date, nature: int, detail: str | None,
                        classification_date_en_cours: date) -> bytes:
    """1-3 AnomalieActe. Note: the XSD gives it no IDActe; the file name carries it."""
    root = root_element("AnomalieActe")
    sub(root, "Date", iso(date_anomalie))
    sub(root, "Nature", _anomaly_nature(nature))
    if detail:
        sub(root, "Detail", detail)
    write_acte(sub(root, "ActeRecu"), acte)
    sub(root, "ClassificationDateVersionEnCours", iso(classification_date_en_cours))
    return serialize(root)


def build_anomalie_enveloppe(envelope: EnvelopeData, *, date_anomalie: date, nature: int,
                             detail: str | None) -> bytes:
    """AnomalieEnveloppe: the whole envelope was refused; it is echoed as EnveloppeRecue."""
    root = root_element("AnomalieEnveloppe")
    sub(root, "Date", iso(date_anomalie))
    sub(root, "Nature", _anomaly_nature(nature))
    if detail:
        sub(root, "Detail", detail)
    write_envelope_cl(sub(root, "EnveloppeRecue"), envelope)
    return serialize(root)


def _courrier(name: str, ref: CourrierRef):
    return root_element(name, IDActe=check_id_acte(ref.id_acte),
                        DateCourrierPref=iso(ref.date_courrier_pref))


def build_courrier_simple(ref: CourrierRef, document: FileRef | str) -> bytes:
    """2-1 CourrierSimple."""
    root = _courrier("CourrierSimple", ref)
    write_file(root, "Document", document)
    return serialize(root)


def build_demande_piece_complementaire(ref: CourrierRef, description: str,
                                       document: FileRef | str) -> bytes:
    """3-1 DemandePieceComplementaire: DescriptionPieces then Document."""
    root = _courrier("DemandePieceComplementaire", ref)
    sub(root, "DescriptionPieces", description)
    write_file(root, "Document", document)
    return serialize(root)


def _ar_reponse(name: str, ref: CourrierRef, date_reception: date) -> bytes:
    root = root_element(name, DateReception=iso(date_reception))
    infos = sub(root, "InfosCourrierPref")
    infos.set(q("IDActe"), check_id_acte(ref.id_acte))
    infos.set(q("DateCourrierPref"), iso(ref.date_courrier_pref))
    return serialize(root)


def build_ar_piece_complementaire(ref: CourrierRef, date_reception: date) -> bytes:
    """3-5 ARPieceComplementaire (answers 3-3 or 3-4); restarts the 2-month déféré window."""
    return _ar_reponse("ARPieceComplementaire", ref, date_reception)


def build_lettre_observations(ref: CourrierRef, motif: str, document: FileRef | str) -> bytes:
    """4-1 LettreObservations: Motif then Document."""
    root = _courrier("LettreObservations", ref)
    sub(root, "Motif", motif)
    write_file(root, "Document", document)
    return serialize(root)


def build_ar_reponse_rejet_lettre_observations(ref: CourrierRef, date_reception: date) -> bytes:
    """4-5 ARReponseRejetLettreObservations (answers 4-3 or 4-4)."""
    return _ar_reponse("ARReponseRejetLettreObservations", ref, date_reception)


def build_defere_ta(id_acte: str, *, date_depot: date, nature_illegalite: str,
                    pieces: Sequence[FileRef | str] = ()) -> bytes:
    """5-1 DefereTA: the act was referred to the tribunal administratif."""
    root = root_element("DefereTA", IDActe=check_id_acte(id_acte))
    sub(root, "DateDepot", iso(date_depot))
    sub(root, "NatureIllegalite", nature_illegalite)
    container = sub(root, "PiecesJointes")
    for piece in pieces:
        write_file(container, "PieceJointe", piece)
    return serialize(root)


def build_ar_annulation(id_acte: str, date_reception: date) -> bytes:
    """6-2 ARAnnulation."""
    return serialize(root_element("ARAnnulation", IDActe=check_id_acte(id_acte),
                                  DateReception=iso(date_reception)))


def build_reponse_classification_sans_changement(classification_date: date) -> bytes:
    """7-3 ReponseClassificationSansChangement: the collectivité's nomenclature is current."""
    root = root_element("ReponseClassificationSansChangement")
    sub(root, "DateClassification", iso(classification_date))
    return serialize(root)
