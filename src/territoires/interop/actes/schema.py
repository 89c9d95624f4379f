"""Safe XML parsing and validation against the official ACTES schema.

Everything we read comes from outside (the ministry, other operators, users'
uploads), so every parse in this package goes through `parse_xml`: no entity
expansion, no DTD, no network, no huge trees, and any DOCTYPE is refused
outright (ACTES messages never have one; a billion-laughs or XXE document does).
"""

import re
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from territoires.interop.actes.errors import ActesSchemaError, ActesXMLError

SCHEMA_FILE = "actesv1_1.xsd"
# An ACTES message is a few kilobytes; a full 7-2 nomenclature a few hundred.
MAX_XML_BYTES = 10 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DOCTYPE_REFUSED = (
    "Déclaration DOCTYPE refusée : un message ACTES n'en contient jamais "
    "(protection contre les entités externes et l'expansion d'entités)."
)


def safe_parser() -> etree.XMLParser:
    """A new parser per call: lxml parsers must not be shared between threads."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=False,
    )


def parse_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Root element of `data`, or ActesXMLError (French) if it is not safe, well-formed XML."""
    if not isinstance(data, bytes | bytearray):
        raise ActesXMLError("Le contenu XML doit être fourni en octets.")
    if len(data) > max_bytes:
        raise ActesXMLError(f"Fichier XML trop volumineux ({len(data)} octets, maximum {max_bytes}).")
    if not data.strip():
        raise ActesXMLError("Le fichier XML est vide.")
    # Refused before parsing: libxml2 expands entities in attribute values even with
    # resolve_entities=False (its amplification guard then stops, but after work).
    if _DOCTYPE.search(data):
        raise ActesXMLError(_DOCTYPE_REFUSED)
    try:
        root = etree.fromstring(bytes(data), safe_parser())  # noqa: S320 (hardened parser)
    except etree.XMLSyntaxError as exc:
        raise ActesXMLError(f"XML mal formé : {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise ActesXMLError(_DOCTYPE_REFUSED)
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise ActesXMLError("Référence d'entité refusée dans un message ACTES.")
    return root


class _LocalOnlyResolver(etree.Resolver):
    """Lets xs:import/xs:include read files of the schema folder, nothing else."""

    def __init__(self, folder: Path):
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):
        path = Path(url.removeprefix("file://")) if url else None
        if path is not None and path.is_absolute():
            try:
                inside = path.resolve().is_relative_to(self.folder)
            except OSError:
                inside = False
            if inside and path.is_file():
                return self.resolve_filename(str(path.resolve()), context)
        # Anything else (http://…, a file elsewhere) becomes an empty, invalid document.
        return self.resolve_string("<refused/>", context)


def _schema_path(reference_dir: Path) -> Path:
    """Accepts the folder holding actesv1_1.xsd, or its parent (REFERENCE_DATA_DIR)."""
    reference_dir = Path(reference_dir)
    for candidate in (reference_dir / SCHEMA_FILE, reference_dir / "actes" / SCHEMA_FILE):
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(f"Schéma ACTES introuvable : {reference_dir / SCHEMA_FILE}")


class _Schema:
    """lxml schema plus a lock: its error_log is shared state between validations."""

    def __init__(self, schema: etree.XMLSchema):
        self.schema = schema
        self.lock = threading.Lock()

    def errors(self, root: etree._Element) -> list[str]:
        with self.lock:
            if self.schema.validate(root):
                return []
            return [_describe(entry) for entry in self.schema.error_log]


def _describe(entry) -> str:
    return f"ligne {entry.line} : {entry.message}"


@lru_cache(maxsize=8)
def _load(path: Path) -> _Schema:
    parser = safe_parser()
    parser.resolvers.add(_LocalOnlyResolver(path.parent))
    document = etree.parse(str(path), parser)  # noqa: S320 (hardened parser, local file)
    return _Schema(etree.XMLSchema(document))


def load_schema(reference_dir: Path) -> etree.XMLSchema:
    """The compiled ACTES schema (cached per folder); imports are read from that folder only."""
    return _load(_schema_path(reference_dir)).schema


def schema_errors(xml: bytes | etree._Element, reference_dir: Path) -> list[str]:
    """Every schema violation of `xml`, as readable lines ([] when valid)."""
    root = xml if isinstance(xml, etree._Element) else parse_xml(xml)
    return _load(_schema_path(reference_dir)).errors(root)


def validate(xml: bytes | etree._Element, reference_dir: Path) -> None:
    """Raise ActesSchemaError unless `xml` follows actesv1_1.xsd."""
    errors = schema_errors(xml, reference_dir)
    if errors:
        raise ActesSchemaError(errors)
