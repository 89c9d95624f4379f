"""Safe reading of ESPD XML and validation against the ESPD-EDM v4.1.0 XSDs.

A DUME comes from outside too (another platform, the operator's own ESPD
tool, an upload), so every read goes through `parse_espd_xml`: the size is
checked before anything is loaded, any DOCTYPE is refused (an ESPD document
never has one; XXE and billion-laughs documents need one), and lxml runs
without entities, DTD or network.

The XSDs are read from the reference folder passed by the caller
(`reference_dir / "marches" / "espd" / "xsd"`, or any folder on the way);
their xs:import may only read files of that folder (interop.xmlschema).
"""

from pathlib import Path

from lxml import etree

from territoires.interop.espd.errors import EspdError, EspdSchemaError, EspdXMLError
from territoires.interop.espd.namespaces import ROOTS
from territoires.interop.xmlschema import Schema, XmlSource, parse_untrusted, root_kind, schema_load

# A response answering every criterion is ~100 kB; 10 MB keeps a hostile upload cheap.
MAX_ESPD_BYTES = 10 * 1024 * 1024


def parse_espd_xml(source: XmlSource, *, max_bytes: int = MAX_ESPD_BYTES) -> etree._Element:
    """Root element of a safe, well-formed XML document, or EspdXMLError (French)."""
    return parse_untrusted(source, max_bytes=max_bytes, error=EspdXMLError, what="un DUME")


def espd_root_info(root: etree._Element) -> tuple[str, str]:
    """("response" | "request", XSD file name) for an ESPD root, or EspdError naming what was found."""
    return root_kind(root, ROOTS, error=EspdError, what="un DUME (ESPD)",
                     expected="QualificationApplicationResponse ou QualificationApplicationRequest de UBL 2.3")


def _xsd_dir(reference_dir: Path) -> Path:
    """Accepts REFERENCE_DATA_DIR, its `marches/` folder, `marches/espd/` or `marches/espd/xsd/`."""
    reference_dir = Path(reference_dir)
    for candidate in (
        reference_dir / "marches" / "espd" / "xsd",
        reference_dir / "espd" / "xsd",
        reference_dir / "xsd",
        reference_dir,
    ):
        if (candidate / "maindoc").is_dir() and (candidate / "common").is_dir():
            return candidate.resolve()
    raise FileNotFoundError(f"Schémas ESPD introuvables sous {reference_dir}")


def _load(reference_dir: Path, xsd_name: str) -> Schema:
    folder = _xsd_dir(reference_dir)
    return schema_load(folder / "maindoc" / xsd_name, folder)  # maindoc/*.xsd import ../common/*.xsd


def load_espd_schema(reference_dir: Path, kind: str = "response") -> etree.XMLSchema:
    """The compiled response (or request) XSD, cached; imports read only from the schema folder."""
    names = {kind_: name for kind_, name in ROOTS.values()}
    return _load(reference_dir, names[kind]).schema


def espd_schema_errors(xml: XmlSource | etree._Element, reference_dir: Path) -> list[str]:
    """Every XSD violation of an ESPD response or request ([] when valid), as "ligne N : message"."""
    root = xml if isinstance(xml, etree._Element) else parse_espd_xml(xml)
    _kind, xsd_name = espd_root_info(root)
    return _load(reference_dir, xsd_name).errors(root)


def validate_espd(xml: XmlSource | etree._Element, reference_dir: Path) -> None:
    """Raise EspdSchemaError (French, one line per violation) unless the document follows its XSD."""
    errors = espd_schema_errors(xml, reference_dir)
    if errors:
        raise EspdSchemaError(errors)


__all__ = [
    "MAX_ESPD_BYTES",
    "espd_root_info",
    "espd_schema_errors",
    "load_espd_schema",
    "parse_espd_xml",
    "validate_espd",
]
