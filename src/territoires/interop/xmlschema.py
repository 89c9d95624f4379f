"""Safe XML parsing and XSD loading shared by every exchange format (ACTES, eForms, ESPD…).

One hardened parser (no entities, no network, no DTD, no huge trees) and one
way to compile an official XSD: its xs:import/xs:include may read files of
its own folder tree, nothing else, and a compiled schema is cached per file.
"""

import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree


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


@lru_cache(maxsize=16)
def schema_load(path: Path, root_folder: Path) -> Schema:
    """Compile the XSD at `path`; its imports may only read files under `root_folder`."""
    parser = safe_parser()
    parser.resolvers.add(LocalOnlyResolver(root_folder))
    document = etree.parse(str(path), parser)  # noqa: S320 (hardened parser, local file)
    return Schema(etree.XMLSchema(document))
