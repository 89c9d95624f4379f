"""Safe XML parsing and XSD loading shared by every exchange format (ACTES, eForms, ESPD…).

One hardened parser (no entities, no network, no DTD, no huge trees) and one
way to compile an official XSD: its xs:import/xs:include may read files of
its own folder tree, nothing else, and a compiled schema is cached per file.
"""

import os
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from lxml import etree

XmlSource = bytes | bytearray | memoryview | str | os.PathLike | BinaryIO
_CHUNK = 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


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


def _too_large(error: type[Exception], size: int | None, max_bytes: int) -> Exception:
    shown = f"{size} octets" if size is not None else f"plus de {max_bytes} octets"
    return error(f"Fichier XML trop volumineux ({shown}, maximum {max_bytes} octets).")


def read_limited(source: XmlSource, *, max_bytes: int, error: type[Exception] = ValueError) -> bytes:
    """The bytes of `source` (bytes, a file path or a binary stream), refusing anything over
    `max_bytes` with `error` (French message).

    A path is checked with stat() and a stream is read in chunks and abandoned once over
    the limit, so a 200 MB upload never sits in memory.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > max_bytes:
            raise _too_large(error, len(source), max_bytes)
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_large(error, size, max_bytes)
            with path.open("rb") as stream:
                return read_limited(stream, max_bytes=max_bytes, error=error)
        except OSError as exc:
            raise error(f"Fichier illisible : {exc.strerror or exc}.") from None
    if hasattr(source, "read"):
        chunks, total = [], 0
        while True:
            chunk = source.read(min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                return b"".join(chunks)
            if isinstance(chunk, str):
                raise error("Le contenu XML doit être fourni en octets, pas en texte.")
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(error, None, max_bytes)
            chunks.append(chunk)
    raise error("Le contenu XML doit être fourni en octets, en chemin de fichier ou en flux binaire.")


def parse_untrusted(source: XmlSource, *, max_bytes: int, error: type[Exception], what: str) -> etree._Element:
    """Root element of a safe, well-formed document from outside, or `error` (French).

    Size checked before reading; any DOCTYPE refused (official exchange formats never
    have one, XXE and billion-laughs documents need one) before lxml even sees the
    bytes, since libxml2 expands entities in attribute values even with
    resolve_entities=False; then the hardened parser. `what` names the document in
    messages (« un avis eForms », « un DUME », « un message ACTES »).
    """
    if isinstance(source, str) and source.lstrip().startswith("<"):
        # Catch the common mistake before it is taken for a (very odd) file name.
        raise error("Le contenu XML doit être fourni en octets, pas en texte.")
    data = read_limited(source, max_bytes=max_bytes, error=error)
    if not data.strip():
        raise error("Le fichier XML est vide.")
    refused = (f"Déclaration DOCTYPE refusée : {what} n'en contient jamais "
               "(protection contre les entités externes et l'expansion d'entités).")
    if _DOCTYPE.search(data):
        raise error(refused)
    try:
        root = etree.fromstring(data, safe_parser())  # noqa: S320 (hardened parser)
    except etree.XMLSyntaxError as exc:
        raise error(f"XML mal formé ou tronqué : {exc}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise error(refused)
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise error(f"Référence d'entité refusée dans {what}.")
    return root


class LocalOnlyResolver(etree.Resolver):
    """Lets xs:import/xs:include read files under `folder`, nothing else."""

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


class Schema:
    """A compiled XSD plus a lock: lxml's error_log is shared state between validations."""

    def __init__(self, schema: etree.XMLSchema):
        self.schema = schema
        self.lock = threading.Lock()

    def errors(self, root: etree._Element) -> list[str]:
        """Every violation, as "ligne N : message" ([] when valid)."""
        with self.lock:
            if self.schema.validate(root):
                return []
            return [f"ligne {entry.line} : {entry.message}" for entry in self.schema.error_log]


def root_kind(root: etree._Element, roots: dict, *, error: type[Exception], what: str, expected: str):
    """`roots[root.tag]` (what the format knows of its roots), or `error` naming the element
    and namespace found instead (« Ce document n'est pas `what` … attendu : `expected` »)."""
    try:
        return roots[root.tag]
    except KeyError:
        local = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
        raise error(
            f"Ce document n'est pas {what} : élément racine « {local} » dans l'espace de noms "
            f"« {namespace or 'aucun'} » (attendu : {expected})."
        ) from None


@lru_cache(maxsize=16)
def schema_load(path: Path, root_folder: Path) -> Schema:
    """Compile the XSD at `path`; its imports may only read files under `root_folder`."""
    parser = safe_parser()
    parser.resolvers.add(LocalOnlyResolver(root_folder))
    document = etree.parse(str(path), parser)  # noqa: S320 (hardened parser, local file)
    return Schema(etree.XMLSchema(document))
