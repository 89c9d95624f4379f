"""Safe reading of eForms XML and validation against the eForms XSDs.

Notices come from outside (TED and BOAMP exports, other platforms, users'
uploads), so every read goes through `parse_notice_xml`: the size is checked
*before* anything is loaded (a path or a stream is never read past the limit),
any DOCTYPE is refused (an eForms notice never has one; XXE and billion-laughs
documents need one), and lxml runs without entities, DTD or network.

The XSD is chosen from the root element; the compiled schemas are cached per
file, and their xs:import/xs:include may only read files of the schema folder.
"""

from pathlib import Path

from lxml import etree

from territoires.interop.eforms.errors import NoticeError, NoticeSchemaError, NoticeXMLError
from territoires.interop.eforms.namespaces import ROOTS
from territoires.interop.xmlschema import Schema, XmlSource, parse_untrusted, root_kind, schema_load
from territoires.interop.xmlschema import read_limited as xml_read_limited

# A large contract notice with 100+ lots stays under 2 MB; 20 MB leaves room
# while keeping a hostile upload from costing memory.
MAX_NOTICE_BYTES = 20 * 1024 * 1024


def read_limited(source: XmlSource, *, max_bytes: int = MAX_NOTICE_BYTES) -> bytes:
    """The bytes of `source`, refused past `max_bytes` without reading further."""
    return xml_read_limited(source, max_bytes=max_bytes, error=NoticeXMLError)


def parse_notice_xml(source: XmlSource, *, max_bytes: int = MAX_NOTICE_BYTES) -> etree._Element:
    """Root element of a safe, well-formed XML document, or NoticeXMLError (French)."""
    return parse_untrusted(source, max_bytes=max_bytes, error=NoticeXMLError, what="un avis eForms")


def notice_root_info(root: etree._Element) -> tuple[str, str]:
    """(kind, XSD file name) for an eForms root, or NoticeError naming what was found."""
    return root_kind(root, ROOTS, error=NoticeError, what="un avis eForms",
                     expected="ContractNotice, ContractAwardNotice ou PriorInformationNotice de UBL 2.3")


def _schemas_dir(reference_dir: Path) -> Path:
    """Accepts the `marches` folder, its `eforms/` or `eforms/schemas/` child, or REFERENCE_DATA_DIR."""
    reference_dir = Path(reference_dir)
    for candidate in (
        reference_dir / "eforms" / "schemas",
        reference_dir / "schemas",
        reference_dir,
        reference_dir / "marches" / "eforms" / "schemas",
    ):
        if (candidate / "maindoc").is_dir() and (candidate / "common").is_dir():
            return candidate.resolve()
    raise FileNotFoundError(f"Schémas eForms introuvables sous {reference_dir}")


def _load(path: Path) -> Schema:
    return schema_load(path, path.parent.parent)  # maindoc/*.xsd import ../common/*.xsd


def load_schema(reference_dir: Path, xsd_name: str) -> etree.XMLSchema:
    """The compiled maindoc XSD `xsd_name` (cached); imports read only from the schema folder."""
    return _load(_schemas_dir(reference_dir) / "maindoc" / xsd_name).schema


def schema_errors(xml: XmlSource | etree._Element, reference_dir: Path) -> list[str]:
    """Every XSD violation of a notice ([] when valid); the XSD follows the root element."""
    root = xml if isinstance(xml, etree._Element) else parse_notice_xml(xml)
    _kind, xsd_name = notice_root_info(root)
    return _load(_schemas_dir(reference_dir) / "maindoc" / xsd_name).errors(root)


def validate_notice(xml: XmlSource | etree._Element, reference_dir: Path) -> None:
    """Raise NoticeSchemaError unless the notice follows its eForms XSD.

    Only the XSD: business rules live in the SDK Schematrons, which we do not have.
    """
    errors = schema_errors(xml, reference_dir)
    if errors:
        raise NoticeSchemaError(errors)


__all__ = [
    "MAX_NOTICE_BYTES",
    "NoticeError",
    "load_schema",
    "parse_notice_xml",
    "read_limited",
    "schema_errors",
    "validate_notice",
]
