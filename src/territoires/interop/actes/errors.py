"""Exceptions of the ACTES package.

All derive from `ActesError` (a `ValueError`) so a caller that only wants to
show "this file is not usable" can catch one class; every `str()` is a French
sentence that can be shown to the user as is.
"""


class ActesError(ValueError):
    """Base class: input that cannot be turned into (or read as) ACTES data."""


class ActesXMLError(ActesError):
    """Bytes that are not acceptable XML (malformed, DTD, entities, too large)."""


class ActesSchemaError(ActesError):
    """XML that does not follow actesv1_1.xsd; `errors` lists each violation."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__(self._summary())

    def _summary(self) -> str:
        if not self.errors:
            return "Le message n'est pas conforme au schéma ACTES."
        lines = "\n".join(f"- {error}" for error in self.errors)
        return f"Le message n'est pas conforme au schéma ACTES ({len(self.errors)} erreur(s)) :\n{lines}"


class ArchiveError(ActesError):
    """A .tar.gz that cannot be produced or that is refused when read."""


class ActesParseError(ActesError):
    """Well-formed XML that is not an ACTES message we know how to read."""
