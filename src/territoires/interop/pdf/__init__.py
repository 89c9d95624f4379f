"""PDF documents of acts: check, sign (PAdES), verify, stamp. Django-free: bytes in, bytes out.

- `pdf_check`, `image_check`: is the uploaded main document usable? (check.py)
- `ca_create`, `credential_issue`, `pkcs12_load`: signing credentials (credentials.py)
- `pdf_sign`: PAdES B-B signature, as an incremental update (signing.py)
- `pdf_signatures`: verification, summarised in French (verify.py)
- `pdf_stamp`: the ACTES stamp, which keeps existing signatures valid (stamp.py)

Every error meant for users is a `DocumentError` subclass whose message is in French.
"""

from territoires.interop.pdf.check import MAX_PAGES, PdfInfo, image_check, pdf_check
from territoires.interop.pdf.credentials import ca_create, credential_issue, pkcs12_load
from territoires.interop.pdf.errors import CredentialError, DocumentError, ImageError, PdfError
from territoires.interop.pdf.signing import pdf_sign
from territoires.interop.pdf.stamp import pdf_stamp
from territoires.interop.pdf.verify import SignatureInfo, pdf_signatures

__all__ = [
    "MAX_PAGES",
    "CredentialError",
    "DocumentError",
    "ImageError",
    "PdfError",
    "PdfInfo",
    "SignatureInfo",
    "ca_create",
    "credential_issue",
    "image_check",
    "pdf_check",
    "pdf_sign",
    "pdf_signatures",
    "pdf_stamp",
    "pkcs12_load",
]
