"""Safe reading of eForms XML and validation against the eForms XSDs.

Notices come from outside (TED and BOAMP exports, other platforms, users'
uploads), so every read goes through `parse_notice_xml`: the size is checked
*before* anything is loaded (a path or a stream is never read past the limit),
any DOCTYPE is refused (an eForms notice never has one; XXE and billion-laughs
documents need one), and lxml runs without entities, DTD or network.

The XSD is chosen from the root element; the compiled schemas are cached per
file, and their xs:import/xs:include may only read files of the schema folder.
"""

import os
import re
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from territoires.interop.eforms.errors import NoticeError, NoticeSchemaError, NoticeXMLError
from territoires.interop.eforms.namespaces import ROOTS
from territoires.interop.xmlschema import Schema, safe_parser, schema_load

# A large contract notice with 100+ lots stays under 2 MB; 20 MB leaves room
# while keeping a hostile upload from costing memory.
MAX_NOTICE_BYTES = 20 * 1024 * 1024
_CHUNK = 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_DOCTYPE_REFUSED = (
    "Déclaration DOCTYPE refusée : un avis eForms n'en contient jamais "
    "(protection contre les entités externes et l'expansion d'entités)."
)

XmlSource = bytes | bytearray | memoryview | str | os.PathLike | BinaryIO


def _too_large(size: int | None, max_bytes: int) -> NoticeXMLError:
    shown = f"{size} octets" if size is not None else f"plus de {max_bytes} octets"
    return NoticeXMLError(f"Fichier XML trop volumineux ({shown}, maximum {max_bytes} octets).")


def read_limited(source: XmlSource, *, max_bytes: int = MAX_NOTICE_BYTES) -> bytes:
    """The bytes of `source` (bytes, a file path or a binary stream), refusing anything over `max_bytes`.

    A path is checked with stat() and a stream is read in chunks and abandoned
    once over the limit, so a 200 MB upload never sits in memory.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > max_bytes:
            raise _too_large(len(source), max_bytes)
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_large(size, max_bytes)
            with path.open("rb") as stream:
                return read_limited(stream, max_bytes=max_bytes)
        except OSError as exc:
            raise NoticeXMLError(f"Fichier illisible : {exc.strerror or exc}.") from None
    if hasattr(source, "read"):
        chunks, total = [], 0
        while True:
            chunk = source.read(min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                return b"".join(chunks)
            if isinstance(chunk, str):
                raise NoticeXMLError("Le contenu XML doit être fourni en octets, pas en texte.")
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(None, max_bytes)
            chunks.append(chunk)
    raise NoticeXMLError("Le contenu XML doit être fourni en octets, en chemin de fichier ou en flux binaire.")


def parse_notice_xml(source: XmlSource, *, max_bytes: int = MAX_NOTICE_BYTES) -> etree._Element:
    """Root element of a safe, well-formed XML document, or NoticeXMLError (French)."""
    if isinstance(source, str) and source.lstrip().startswith("<"):
        # Catch the common mistake before it is taken for a (very odd) file name.
        raise NoticeXMLError("Le contenu XML doit être fourni en octets, pas en texte.")
    data = read_limited(source, max_bytes=max_bytes)
    if not data.strip():
        raise NoticeXMLError("Le fichier XML est vide.")
    # Refused before parsing: libxml2 expands entities in attribute values even
    # with resolve_entities=False (its amplification guard stops it, but late).
    if _DOCTYPE.search(data):
        raise NoticeXMLError(_DOCTYPE_REFUSED)
    try:
        root = etree.fromstring(data, safe_parser())  # noqa: S320 (hardened parser)
    except etree.XMLSyntaxError as exc:
        raise NoticeXMLError(f"XML mal formé ou tronqué : {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise NoticeXMLError(_DOCTYPE_REFUSED)
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise NoticeXMLError("Référence d'entité refusée dans un avis eForms.")
    return root


def notice_root_info(root: etree._Element) -> tuple[str, str]:
    """(kind, XSD file name) for an eForms root, or NoticeError naming what was found."""
    try:
        return ROOTS[root.tag]
    except KeyError:
        local = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
        raise NoticeError(
            f"Ce document n'est pas un avis eForms : élément racine « {local} » "
            f"dans l'espace de noms « {namespace or 'aucun'} » (attendu : ContractNotice, "
            "ContractAwardNotice ou PriorInformationNotice de UBL 2.3)."
        ) from None


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
