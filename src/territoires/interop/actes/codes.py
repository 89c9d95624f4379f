"""Code lists of the ACTES protocol: natures of acts, message types, typologies.

The message-type table is the single place that knows which XSD root element
goes with which business code ("1-2" = ARActe …) and in which direction it
travels; parsing dispatches on the root element, naming uses the code.
"""

from dataclasses import dataclass
from enum import StrEnum

ACTES_NS = "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
INSEE_NS = "http://xml.insee.fr/schema"
NSMAP = {"actes": ACTES_NS, "insee": INSEE_NS}


class Direction(StrEnum):
    CL_TO_PREF = "CL→PREF"
    PREF_TO_CL = "PREF→CL"


@dataclass(frozen=True)
class NatureActe:
    code: int
    abbr: str  # TypeAbrege, last part of the IDActe
    label: str
    default_typology: str  # CodeTypePJ used when nothing more precise applies


NATURES: dict[int, NatureActe] = {
    n.code: n
    for n in (
        NatureActe(1, "DE", "Délibérations", "99_DE"),
        NatureActe(2, "AR", "Actes réglementaires", "99_AR"),
        NatureActe(3, "AI", "Actes individuels", "99_AI"),
        NatureActe(4, "CC", "Contrats, conventions et avenants", "99_DC"),
        NatureActe(5, "BF", "Documents budgétaires et financiers", "99_BU"),
        NatureActe(6, "AU", "Autres", "99_AU"),
    )
}
NATURES_BY_ABBR: dict[str, NatureActe] = {n.abbr: n for n in NATURES.values()}

# "Fichier de signature électronique": a detached signature, allowed for every nature.
SIGNATURE_TYPOLOGY = "99_SE"


def nature(code_or_abbr: int | str) -> NatureActe:
    """The nature for 1, "1" or "DE"; KeyError with a French message otherwise."""
    if isinstance(code_or_abbr, str) and not code_or_abbr.isdigit():
        found = NATURES_BY_ABBR.get(code_or_abbr.upper())
    else:
        found = NATURES.get(int(code_or_abbr))
    if found is None:
        raise KeyError(f"Nature d'acte inconnue : {code_or_abbr!r} (attendu 1 à 6 ou DE, AR, AI, CC, BF, AU).")
    return found


def default_typologies(nature_code: int) -> tuple[str, ...]:
    """Typology codes always usable for a nature: its default one and 99_SE."""
    return (nature(nature_code).default_typology, SIGNATURE_TYPOLOGY)


@dataclass(frozen=True)
class MessageType:
    code: str | None  # "1-1" …; None for envelopes and AnomalieEnveloppe
    root: str  # local name of the XSD root element
    direction: Direction
    label: str

    @property
    def type_subtype(self) -> tuple[int, int] | None:
        if self.code is None:
            return None
        kind, sub = self.code.split("-")
        return int(kind), int(sub)


_CL, _PREF = Direction.CL_TO_PREF, Direction.PREF_TO_CL
MESSAGE_TYPES: tuple[MessageType, ...] = (
    MessageType("1-1", "Acte", _CL, "Transmission d'un acte"),
    MessageType("1-2", "ARActe", _PREF, "Accusé de réception d'un acte"),
    MessageType("1-3", "AnomalieActe", _PREF, "Anomalie dans la transmission d'un acte"),
    MessageType("2-1", "CourrierSimple", _PREF, "Courrier simple de la préfecture"),
    MessageType("2-2", "ReponseCourrierSimple", _CL, "Réponse à un courrier simple"),
    MessageType("3-1", "DemandePieceComplementaire", _PREF, "Demande de pièces complémentaires"),
    MessageType("3-2", "ARDemandePieceComplementaire", _CL,
                "Accusé de réception d'une demande de pièces complémentaires"),
    MessageType("3-3", "RefusPieceComplementaire", _CL, "Refus d'envoi de pièces complémentaires"),
    MessageType("3-4", "PieceComplementaire", _CL, "Envoi de pièces complémentaires"),
    MessageType("3-5", "ARPieceComplementaire", _PREF,
                "Accusé de réception de pièces complémentaires (ou de leur refus)"),
    MessageType("4-1", "LettreObservations", _PREF, "Lettre d'observations"),
    MessageType("4-2", "ARLettreObservations", _CL, "Accusé de réception d'une lettre d'observations"),
    MessageType("4-3", "RejetLettreObservations", _CL, "Refus de répondre à une lettre d'observations"),
    MessageType("4-4", "ReponseLettreObservations", _CL, "Réponse à une lettre d'observations"),
    MessageType("4-5", "ARReponseRejetLettreObservations", _PREF,
                "Accusé de réception d'une réponse (ou d'un refus) à une lettre d'observations"),
    MessageType("5-1", "DefereTA", _PREF, "Déféré au tribunal administratif"),
    MessageType("6-1", "Annulation", _CL, "Annulation de la transmission d'un acte"),
    MessageType("6-2", "ARAnnulation", _PREF, "Accusé de réception d'une annulation"),
    MessageType("7-1", "DemandeClassification", _CL, "Demande de classification"),
    MessageType("7-2", "RetourClassification", _PREF, "Classification (nomenclature) en vigueur"),
    MessageType("7-3", "ReponseClassificationSansChangement", _PREF, "Classification à jour"),
    MessageType(None, "EnveloppeCLMISILL", _CL, "Enveloppe collectivité vers préfecture"),
    MessageType(None, "EnveloppeMISILLCL", _PREF, "Enveloppe préfecture vers collectivité"),
    MessageType(None, "AnomalieEnveloppe", _PREF, "Anomalie dans une enveloppe"),
)
BY_CODE: dict[str, MessageType] = {m.code: m for m in MESSAGE_TYPES if m.code}
BY_ROOT: dict[str, MessageType] = {m.root: m for m in MESSAGE_TYPES}
ENVELOPE_ROOTS = frozenset({"EnveloppeCLMISILL", "EnveloppeMISILLCL"})

# AnomalieEnveloppe/Nature as enumerated by the XSD; the DGCL also sends others (999).
ENVELOPE_ANOMALY_NATURES = frozenset({1, 2, 3, 4, 5, 100})

# IDCL@Nature: type of the collectivité (S²LOW db/init_data.sql, authority_types).
COLLECTIVITE_NATURES: dict[str, str] = {
    "11": "Conseil régional",
    "12": "Établissement public local d'enseignement (région)",
    "13": "Autre établissement public (région)",
    "14": "Société d'économie mixte locale (région)",
    "21": "Conseil départemental",
    "22": "Établissement public de santé (département)",
    "23": "Établissement public local d'enseignement (département)",
    "24": "Autre établissement public (département)",
    "25": "Société d'économie mixte locale (département)",
    "31": "Commune",
    "32": "Établissement public de santé (commune)",
    "33": "Autre établissement public (commune)",
    "34": "Société d'économie mixte locale (commune)",
    "41": "Syndicat de communes ou syndicat mixte fermé",
    "42": "Syndicat mixte ouvert",
    "43": "Syndicat d'agglomération nouvelle",
    "44": "Communauté de communes",
    "45": "Communauté urbaine",
    "46": "Communauté d'agglomération",
    "47": "Société d'économie mixte locale (intercommunalité)",
    "51": "Service départemental d'incendie et de secours",
    "52": "Entente interdépartementale",
    "53": "Entente interrégionale",
    "54": "Autre société d'économie mixte locale",
    "55": "Autre",
    "61": "Association syndicale autorisée",
    "72": "Société publique locale",
}


def message_type(code: str) -> MessageType:
    """The message type of a business code such as "1-1"."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"Type de message ACTES inconnu : {code!r}.") from None
