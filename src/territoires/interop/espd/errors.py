"""Exceptions of the ESPD package.

All derive from `EspdError` (a `ValueError`) so a view can catch one class and
show its `str()`, which is always a French sentence meant for the user.
"""


class EspdError(ValueError):
    """Input that cannot be read as (or turned into) an ESPD document."""


class EspdXMLError(EspdError):
    """Bytes that are not acceptable XML: malformed, too large, DOCTYPE or entities."""


class EspdSchemaError(EspdError):
    """XML that does not follow the ESPD-EDM XSD; `errors` lists each violation."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        lines = "\n".join(f"- {error}" for error in self.errors)
        super().__init__(
            f"Le DUME n'est pas conforme au schéma ESPD ({len(self.errors)} erreur(s)) :\n{lines}"
            if self.errors
            else "Le DUME n'est pas conforme au schéma ESPD."
        )
