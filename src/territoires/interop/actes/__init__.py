"""@CTES / ACTES: the exchange format between collectivités and préfectures.

Django-free: dataclasses in, bytes out, and back. Nothing here reads settings;
callers pass the folder of the official XSD (`reference_dir`) explicitly.

Modules: `codes` (natures, message types), `naming` (IDActe, file and archive
names, input checks), `schema` (safe parsing, XSD validation), `build` and
`build_pref` (one builder per message, each side), `classification` (7-2 and
our default nomenclature), `archive` (deterministic, defensive .tar.gz),
`transmission` (complete archives), `parse`/`parse_archive` (lenient reading).
"""

from territoires.interop.actes.archive import pack, unpack
from territoires.interop.actes.build import (
    build_acte,
    build_annulation,
    build_ar_demande_piece_complementaire,
    build_ar_lettre_observations,
    build_demande_classification,
    build_enveloppe_cl_misill,
    build_piece_complementaire,
    build_refus_piece_complementaire,
    build_rejet_lettre_observations,
    build_reponse_courrier_simple,
    build_reponse_lettre_observations,
)
from territoires.interop.actes.build_pref import (
    build_anomalie_acte,
    build_anomalie_enveloppe,
    build_ar_acte,
    build_ar_annulation,
    build_ar_piece_complementaire,
    build_ar_reponse_rejet_lettre_observations,
    build_courrier_simple,
    build_defere_ta,
    build_demande_piece_complementaire,
    build_enveloppe_misill_cl,
    build_lettre_observations,
    build_reponse_classification_sans_changement,
)
from territoires.interop.actes.classification import (
    Classification,
    Matiere,
    Nature,
    Typology,
    build_retour_classification,
    default_classification,
)
from territoires.interop.actes.codes import (
    BY_CODE,
    BY_ROOT,
    MESSAGE_TYPES,
    NATURES,
    Direction,
    MessageType,
    NatureActe,
)
from territoires.interop.actes.data import (
    ActeData,
    Archive,
    Attachment,
    CourrierRef,
    Emitter,
    EnvelopeData,
    FileRef,
    OutgoingMessage,
    PrefectureSender,
    Referent,
)
from territoires.interop.actes.errors import (
    ActesError,
    ActesParseError,
    ActesSchemaError,
    ActesXMLError,
    ArchiveError,
)
from territoires.interop.actes.naming import (
    archive_name,
    envelope_name,
    id_acte,
    message_file_name,
    numero_interne_error,
    parse_id_acte,
    prefecture_envelope_name,
)
from territoires.interop.actes.parse import ParsedMessage, parse_message
from territoires.interop.actes.parse_archive import ParsedArchive, parse_any, parse_archive
from territoires.interop.actes.schema import load_schema, parse_xml, schema_errors, validate
from territoires.interop.actes.transmission import (
    acte_message,
    cl_archive,
    message_with_files,
    prefecture_archive,
)

__all__ = [
    "BY_CODE", "BY_ROOT", "MESSAGE_TYPES", "NATURES",
    "ActeData", "ActesError", "ActesParseError", "ActesSchemaError", "ActesXMLError", "Archive",
    "ArchiveError", "Attachment", "Classification", "CourrierRef", "Direction", "Emitter",
    "EnvelopeData", "FileRef", "Matiere", "MessageType", "Nature", "NatureActe", "OutgoingMessage",
    "ParsedArchive", "ParsedMessage", "PrefectureSender", "Referent", "Typology",
    "acte_message", "archive_name", "build_acte", "build_annulation", "build_anomalie_acte",
    "build_anomalie_enveloppe", "build_ar_acte", "build_ar_annulation",
    "build_ar_demande_piece_complementaire", "build_ar_lettre_observations",
    "build_ar_piece_complementaire", "build_ar_reponse_rejet_lettre_observations",
    "build_courrier_simple", "build_defere_ta", "build_demande_classification",
    "build_demande_piece_complementaire", "build_enveloppe_cl_misill", "build_enveloppe_misill_cl",
    "build_lettre_observations", "build_piece_complementaire", "build_refus_piece_complementaire",
    "build_rejet_lettre_observations", "build_reponse_classification_sans_changement",
    "build_reponse_courrier_simple", "build_reponse_lettre_observations",
    "build_retour_classification", "cl_archive", "default_classification", "envelope_name",
    "id_acte", "load_schema", "message_file_name", "message_with_files", "numero_interne_error",
    "pack", "parse_any", "parse_archive", "parse_id_acte", "parse_message", "parse_xml",
    "prefecture_archive", "prefecture_envelope_name", "schema_errors", "unpack", "validate",
]
