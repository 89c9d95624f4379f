"""Exceptions of the eForms package.

All derive from `NoticeError` (a `ValueError`) so a view can catch one class and
show its `str()`, which is always a French sentence meant for the user.
"""


class NoticeError(ValueError):
    """Input that cannot be read as (or turned into) an eForms notice."""


class NoticeXMLError(NoticeError):
    """Bytes that are not acceptable XML: malformed, too large, DOCTYPE or entities."""


class NoticeSchemaError(NoticeError):
    """XML that does not follow the eForms XSD; `errors` lists each violation."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        lines = "\n".join(f"- {error}" for error in self.errors)
        super().__init__(
            f"L'avis n'est pas conforme au schéma eForms ({len(self.errors)} erreur(s)) :\n{lines}"
            if self.errors
            else "L'avis n'est pas conforme au schéma eForms."
        )
