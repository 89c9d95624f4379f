"""Dataclasses describing ACTES messages, independent of XML.

Builders take them, the parser gives them back (`ParsedMessage.acte`,
`ParsedMessage.envelope`), so a préfecture simulator can echo what it received
and a test can compare a round trip field by field.
"""

from dataclasses import dataclass, field
from datetime import date

from territoires.interop.actes.codes import nature
from territoires.interop.actes.naming import id_acte, pad_departement


@dataclass(frozen=True)
class FileRef:
    """A file as a message names it (NomFichier), with an optional detached signature."""

    name: str
    signature: str | None = None  # text content of <Signature>; PAdES lives inside the PDF instead


@dataclass(frozen=True)
class Emitter:
    """The collectivité (IDCL): SIREN, département, arrondissement, type of body."""

    siren: str
    departement: str  # "21", "021", "2A", "971"
    arrondissement: int | str  # 0-9
    nature_code: str  # IDCL@Nature on 2 digits, e.g. "31" commune (codes.COLLECTIVITE_NATURES)

    @property
    def departement3(self) -> str:
        return pad_departement(self.departement)


@dataclass(frozen=True)
class Referent:
    nom: str | None = None
    telephone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class EnvelopeData:
    """Content of an EnveloppeCLMISILL (also echoed in AnomalieEnveloppe/EnveloppeRecue)."""

    emitter: Emitter
    return_emails: tuple[str, ...]
    messages: tuple[FileRef, ...]  # the XML messages of the archive (batch: several)
    referent: Referent | None = None


@dataclass(frozen=True)
class PrefectureSender:
    """Emitter of an EnveloppeMISILLCL: préfecture, sous-préfecture (arrondissement) or SGAR."""

    departement: str
    arrondissement: int | str | None = None  # None: the préfecture itself (IDPref)
    sgar: bool = False


@dataclass(frozen=True)
class ActeData:
    """One act as carried by Acte (1-1) and echoed by ARActe/AnomalieActe (ActeRecu)."""

    numero_interne: str
    nature_code: int  # 1 DE … 6 AU
    decision_date: date
    matiere_codes: tuple[int, ...]  # (7, 1) for 7.1; 2 to 5 levels
    objet: str
    classification_date: date
    document: FileRef
    annexes: tuple[FileRef, ...] = ()
    document_papier: bool | None = False  # O/N; None writes xsi:nil
    precedent_id_acte: str | None = None

    @property
    def nature_abbr(self) -> str:
        return nature(self.nature_code).abbr

    @property
    def matiere(self) -> str:
        """Dotted code, "7.1" for (7, 1): the code users and the SCDL open-data export know."""
        return ".".join(str(code) for code in self.matiere_codes)

    def id_acte(self, departement: str, siren: str) -> str:
        return id_acte(departement, siren, self.decision_date, self.numero_interne, self.nature_abbr)


@dataclass(frozen=True)
class CourrierRef:
    """The préfecture letter a message refers to (DonneesCourrierPref)."""

    id_acte: str
    date_courrier_pref: date


@dataclass(frozen=True)
class Attachment:
    """A file to put in an archive; its name is computed from the message it belongs to."""

    content: bytes
    extension: str  # "pdf", "xml", "png", "jpg"
    typology: str | None = None  # CodeTypePJ such as "99_DE"; required since notice 2.2
    signature: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """One business message ready to be packed: its XML and the files it names."""

    file_name: str
    xml: bytes
    files: tuple[tuple[str, bytes], ...] = ()
    id_acte: str | None = None


@dataclass(frozen=True)
class Archive:
    name: str
    data: bytes
    envelope_name: str
    members: tuple[str, ...] = field(default=())
