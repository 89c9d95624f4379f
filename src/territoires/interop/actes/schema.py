"""Safe XML parsing and validation against the official ACTES schema.

Everything we read comes from outside (the ministry, other operators, users'
uploads), so every parse in this package goes through `parse_xml`: no entity
expansion, no DTD, no network, no huge trees, and any DOCTYPE is refused
outright (ACTES messages never have one; a billion-laughs or XXE document does).
"""

from pathlib import Path

from lxml import etree

from territoires.interop.actes.errors import ActesSchemaError, ActesXMLError
from territoires.interop.xmlschema import Schema, parse_untrusted, schema_load

SCHEMA_FILE = "actesv1_1.xsd"
# An ACTES message is a few kilobytes; a full 7-2 nomenclature a few hundred.
MAX_XML_BYTES = 10 * 1024 * 1024


def parse_xml(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Root element of `data`, or ActesXMLError (French) if it is not safe, well-formed XML."""
    if not isinstance(data, bytes | bytearray):
        raise ActesXMLError("Le contenu XML doit être fourni en octets.")
    return parse_untrusted(bytes(data), max_bytes=max_bytes, error=ActesXMLError, what="un message ACTES")


def _schema_path(reference_dir: Path) -> Path:
    """Accepts the folder holding actesv1_1.xsd, or its parent (REFERENCE_DATA_DIR)."""
    reference_dir = Path(reference_dir)
    for candidate in (reference_dir / SCHEMA_FILE, reference_dir / "actes" / SCHEMA_FILE):
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(f"Schéma ACTES introuvable : {reference_dir / SCHEMA_FILE}")


def _load(path: Path) -> Schema:
    return schema_load(path, path.parent)


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
