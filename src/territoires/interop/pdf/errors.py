"""Errors raised by the PDF package, each carrying a French message for users.

The message is the exception's only argument, so `str(error)` can be shown as
is to a secretary or an elected official; technical detail goes to the
exception chain (`__cause__`) and the logs, never into the message.
"""


class DocumentError(ValueError):
    """A document or a credential cannot be used; `message` says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PdfError(DocumentError):
    """The PDF is unreadable, protected, empty or cannot be signed or stamped."""


class ImageError(DocumentError):
    """The image is not a readable JPEG or PNG."""


class CredentialError(DocumentError):
    """A key, certificate or PKCS#12 file cannot be used for signing."""
