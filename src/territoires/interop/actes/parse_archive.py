"""Reading whole archives (or a lone XML file) as sent by a tiers or the ministry.

The envelope is found by its root element, then the messages it lists;
anything else is an attached file (which may itself be XML: budget documents).
Inconsistencies — a listed message missing, a file nobody names — become
warnings, because the archive is evidence and must be stored and shown anyway.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from territoires.interop.actes.archive import MAX_MEMBERS, MAX_TOTAL_BYTES, unpack
from territoires.interop.actes.codes import BY_ROOT, ENVELOPE_ROOTS
from territoires.interop.actes.errors import ActesError
from territoires.interop.actes.naming import id_acte as make_id_acte
from territoires.interop.actes.parse import ParsedMessage, parse_message
from territoires.interop.actes.xmltools import local

# Messages whose NomFichier entries travel in the same archive (ARs only echo names).
_CARRIES_FILES = frozenset({
    "Acte", "CourrierSimple", "ReponseCourrierSimple", "DemandePieceComplementaire",
    "RefusPieceComplementaire", "PieceComplementaire", "LettreObservations",
    "RejetLettreObservations", "ReponseLettreObservations", "DefereTA",
})


@dataclass
class ParsedArchive:
    name: str | None
    envelope: ParsedMessage | None
    messages: list[ParsedMessage] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # attachments by name
    warnings: list[str] = field(default_factory=list)

    def all_messages(self) -> list[ParsedMessage]:
        """The envelope (if any) then the business messages."""
        return ([self.envelope] if self.envelope else []) + list(self.messages)

    def to_json(self) -> dict:
        return {
            "archive": self.name,
            "warnings": list(self.warnings),
            "files": sorted(self.files),
            "messages": [message.to_json() for message in self.all_messages()],
        }


def _actes_root(name: str, content: bytes) -> str | None:
    """Root local name if `content` is an ACTES message; None for any other file."""
    if not name.lower().endswith(".xml"):
        return None
    try:
        # Only the first start tag is read: an attached budget XML may be large.
        events = etree.iterparse(io.BytesIO(content), events=("start",), resolve_entities=False,  # noqa: S320
                                 no_network=True, load_dtd=False, huge_tree=False)
        _event, element = next(events)
    except (etree.XMLSyntaxError, StopIteration):
        return None
    root = local(element)
    return root if root in BY_ROOT else None


def parse_archive(data: bytes, name: str | None = None, *, reference_dir: Path | None = None,
                  max_members: int = MAX_MEMBERS, max_total: int = MAX_TOTAL_BYTES) -> ParsedArchive:
    """Read a .tar.gz; ArchiveError if it is unsafe or unreadable, otherwise warnings."""
    members = unpack(data, max_members=max_members, max_total=max_total)
    result = ParsedArchive(name=name, envelope=None)
    candidates: dict[str, ParsedMessage] = {}
    for member_name, content in members:
        if _actes_root(member_name, content) is None:
            result.files[member_name] = content
            continue
        try:
            candidates[member_name] = parse_message(content, member_name, reference_dir=reference_dir)
        except ActesError as exc:
            result.warnings.append(f"Message illisible « {member_name} » : {exc}")
            result.files[member_name] = content

    envelopes = [m for m in candidates.values() if m.root in ENVELOPE_ROOTS]
    if len(envelopes) > 1:
        result.warnings.append(f"Plusieurs enveloppes dans l'archive ({len(envelopes)}) : seule la première est lue.")
    result.envelope = envelopes[0] if envelopes else None
    others = {n: m for n, m in candidates.items() if m.root not in ENVELOPE_ROOTS}
    if result.envelope is None:
        if not any(m.root == "AnomalieEnveloppe" for m in others.values()):
            result.warnings.append("Archive sans enveloppe (EnveloppeCLMISILL ou EnveloppeMISILLCL).")
        listed: list[str] = []
    else:
        listed = list(result.envelope.files)
    for file_name in listed:
        if file_name in others:
            result.messages.append(others.pop(file_name))
        else:
            result.warnings.append(f"Message annoncé par l'enveloppe mais absent de l'archive : « {file_name} ».")
    for file_name, message in others.items():
        if result.envelope is not None:
            result.warnings.append(f"Message présent dans l'archive mais non listé par l'enveloppe : « {file_name} ».")
        result.messages.append(message)

    named: set[str] = set()
    for message in result.messages:
        _complete_id_acte(message, result.envelope)
        if message.root not in _CARRIES_FILES:
            continue
        for file_name in message.files:
            named.add(file_name)
            if file_name not in result.files:
                message.warnings.append(f"Fichier annoncé mais absent de l'archive : « {file_name} ».")
    for file_name in result.files:
        if file_name not in named:
            result.warnings.append(f"Fichier présent dans l'archive mais cité par aucun message : « {file_name} ».")
    return result


def _complete_id_acte(message: ParsedMessage, envelope: ParsedMessage | None) -> None:
    """An AnomalieActe has no IDActe: rebuild it from the echoed act and the envelope."""
    if message.id_acte or message.acte is None or envelope is None:
        return
    if not (envelope.siren and envelope.departement):
        return
    try:
        value = make_id_acte(envelope.departement, envelope.siren, message.acte.decision_date,
                             message.acte.numero_interne, message.acte.nature_abbr)
    except (ValueError, KeyError):
        return
    message.id_acte, message.siren, message.departement = value, envelope.siren, envelope.departement


def parse_any(data: bytes, file_name: str | None = None, *,
              reference_dir: Path | None = None) -> ParsedArchive:
    """An archive (gzip or plain tar) or a single XML message/envelope, detected by content."""
    if data[:2] == b"\x1f\x8b" or data[257:262] == b"ustar":
        return parse_archive(data, file_name, reference_dir=reference_dir)
    message = parse_message(data, file_name, reference_dir=reference_dir)
    if message.root in ENVELOPE_ROOTS:
        return ParsedArchive(name=None, envelope=message)
    return ParsedArchive(name=None, envelope=None, messages=[message])
