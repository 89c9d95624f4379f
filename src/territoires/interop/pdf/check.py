"""Checks of an uploaded main document: a PDF, or a JPEG or PNG image.

ACTES accepts PDF, JPEG and PNG for the main document, and a corrupted file
is one of the rejections users find hardest to understand (S²LOW #756). The
check parses the PDF with pyHanko's strict reader, the same parser that later
signs and stamps it: a file that passes here can be signed and stamped, and a
file that does not gets a French message saying what to do instead of a stack
trace or a blank page at the prefecture.
"""

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.crypt import AuthStatus
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from territoires.interop.pdf.errors import ImageError, PdfError

MAX_PAGES = 5000
"""Default page limit: far above any act, low enough to bound the work per upload."""

MAX_IMAGE_PIXELS = 80_000_000
"""An A4 page scanned at 600 dpi is 35 million pixels; twice that is not a scan."""

# Where readers look for the header and the end-of-file marker (ISO 32000-1 §7.5.2, §7.5.5).
_HEADER_WINDOW = 1024
_EOF_WINDOW = 1024
# Syntax that only appears inside a revision: after the last %%EOF it means the
# file was cut in the middle of an incremental update (a signature, a stamp).
_UNFINISHED_REVISION = re.compile(rb"\d+\s+\d+\s+obj\b|\bxref\b|\btrailer\b|\bstartxref\b")
_MAX_TREE_DEPTH = 64

NOT_PDF = "Ce fichier n'est pas un PDF."
EMPTY = "Le fichier est vide."
OFFICE = (
    "Ce fichier est un document bureautique (Word, LibreOffice…) ou une archive, pas un PDF : "
    "exportez-le au format PDF depuis votre logiciel avant de le déposer."
)
IMAGE_NOT_PDF = "Ce fichier est une image, pas un PDF."
TRUNCATED = (
    "Le fichier PDF est incomplet (tronqué) : il a sans doute été mal téléchargé ou mal "
    "enregistré. Enregistrez-le à nouveau, puis déposez-le encore."
)
DAMAGED = (
    "Le fichier PDF est endommagé et ne peut pas être lu. Ouvrez-le dans le logiciel d'origine "
    "et enregistrez-le à nouveau au format PDF (ou utilisez « Imprimer en PDF »)."
)
TOO_LARGE_STREAMS = (
    "Le fichier PDF contient des données compressées anormalement volumineuses et ne peut pas "
    "être traité. Enregistrez-le à nouveau au format PDF."
)
PASSWORD = (
    "Ce PDF est protégé par un mot de passe. Enregistrez-en une copie sans mot de passe, "  # noqa: S105 (a message, not a secret)
    "puis déposez cette copie."
)
NO_PAGES = "Ce PDF ne contient aucune page."


@dataclass(frozen=True)
class PdfInfo:
    page_count: int
    encrypted: bool
    """True when the PDF is encrypted but opens without a password (copy or edit
    restrictions). It can be read and sent, but not signed or stamped."""
    has_signatures: bool


class _Broken(Exception):
    """Internal: the page tree does not hold together."""


def pdf_check(data: bytes, *, max_pages: int = MAX_PAGES) -> PdfInfo:
    """Check that `data` is a readable PDF with 1 to `max_pages` pages.

    Every page's content is decoded (within pyHanko's decompression limits), so
    a damaged page is caught now rather than shown blank at the prefecture.
    Raises PdfError with a French message; never anything else.
    """
    reader = pdf_open(data, allow_encrypted=True)
    try:
        page_count = 0
        for page in iter_pages(reader):
            page_count += 1
            if page_count > max_pages:
                raise PdfError(
                    f"Ce PDF compte plus de {max_pages} pages, le maximum accepté : "
                    "déposez-le en plusieurs parties."
                )
            _decode_contents(page)
        has_signatures = any(True for _ in enumerate_sig_fields(reader, filled_status=True))
    except PdfError:
        raise
    except PdfDecodeLimitError as error:
        raise PdfError(TOO_LARGE_STREAMS) from error
    except Exception as error:  # a hostile file can make the parser raise anything
        raise PdfError(DAMAGED) from error
    if page_count == 0:
        raise PdfError(NO_PAGES)
    return PdfInfo(page_count=page_count, encrypted=reader.encrypted,
                   has_signatures=has_signatures)


def pdf_open(data: bytes, *, allow_encrypted: bool = False) -> PdfFileReader:
    """Parse `data` with pyHanko's strict reader, or raise PdfError in French.

    Shared by the check, signing, stamping and verification, so that they all
    accept and refuse the same files with the same words. Encrypted files are
    refused unless `allow_encrypted` (reading only): their permissions usually
    forbid changes, and an update would have to be encrypted like the rest.
    """
    if not data:
        raise PdfError(EMPTY)
    if data.find(b"%PDF-", 0, _HEADER_WINDOW) < 0:
        raise PdfError(_not_pdf_message(data))
    last_eof = data.rfind(b"%%EOF")
    if last_eof < 0 or len(data) - last_eof > _EOF_WINDOW:
        raise PdfError(TRUNCATED)
    if _UNFINISHED_REVISION.search(data, last_eof + 5):
        raise PdfError(TRUNCATED)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=True)
    except Exception as error:  # see pdf_check
        raise PdfError(DAMAGED) from error
    if reader.encrypted:
        try:
            status = reader.decrypt(b"").status
        except Exception:  # certificate-based encryption or an unknown security handler
            status = AuthStatus.FAILED
        if status == AuthStatus.FAILED:
            raise PdfError(PASSWORD)
        if not allow_encrypted:
            raise PdfError(
                "Ce PDF est protégé contre la modification : il ne peut être ni signé ni "
                "tamponné. Enregistrez-en une copie sans protection, puis déposez cette copie."
            )
    return reader


def image_check(data: bytes) -> tuple[str, int, int]:
    """Return ("jpeg" | "png", width, height) or raise ImageError in French.

    The image is decoded to the end, so a truncated upload is caught; a JPEG is
    decoded at 1/8 scale (its DCT allows it), which reads every byte but keeps
    memory small, and a PNG's chunks and checksums are verified without
    inflating the pixels.
    """
    if not data:
        raise ImageError(EMPTY)
    try:
        with warnings.catch_warnings():
            # Pillow warns (and errors at twice the limit) on huge images; make both errors.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("JPEG", "PNG")) as image:
                kind, (width, height) = image.format.lower(), image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageError(_too_large(width, height))
                if kind == "jpeg":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                    image.load()
                else:
                    image.verify()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError("Cette image est trop grande pour être traitée.") from error
    except UnidentifiedImageError as error:
        raise ImageError(_not_image_message(data)) from error
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError… on bad data
        raise ImageError(
            "Cette image est endommagée ou incomplète : enregistrez-la à nouveau, puis "
            "déposez-la encore."
        ) from error
    if width == 0 or height == 0:
        raise ImageError("Cette image est vide (aucun pixel).")
    return kind, width, height


def iter_pages(reader: PdfFileReader):
    """Walk the page tree in order, refusing cycles and absurd depth."""
    seen: set[generic.Reference] = set()

    def walk(raw: generic.PdfObject, depth: int):
        if depth > _MAX_TREE_DEPTH:
            raise _Broken("page tree too deep")
        if isinstance(raw, generic.IndirectObject):
            if raw.reference in seen:
                raise _Broken("cycle in the page tree")
            seen.add(raw.reference)
        node = raw.get_object()
        if not isinstance(node, generic.DictionaryObject):
            raise _Broken("page tree node is not a dictionary")
        if node.get("/Type") == "/Pages" or "/Kids" in node:
            kids = node["/Kids"]
            if not isinstance(kids, generic.ArrayObject):
                raise _Broken("/Kids is not an array")
            for kid in kids:
                yield from walk(kid, depth + 1)
        else:
            yield node

    yield from walk(reader.root.raw_get("/Pages"), 0)


def _decode_contents(page: generic.DictionaryObject) -> None:
    if "/Contents" not in page:
        return  # a blank page has no content stream
    contents = page["/Contents"]
    streams = contents if isinstance(contents, generic.ArrayObject) else [contents]
    for stream in streams:
        stream = stream.get_object()
        if not isinstance(stream, generic.StreamObject):
            raise _Broken("page content is not a stream")
        stream.data  # noqa: B018 -- decoding is the check


def _not_pdf_message(data: bytes) -> str:
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"{\\rtf")):
        return OFFICE
    if head.startswith((b"\xff\xd8\xff", b"\x89PNG")):
        return IMAGE_NOT_PDF
    return NOT_PDF


def _not_image_message(data: bytes) -> str:
    if data.find(b"%PDF-", 0, _HEADER_WINDOW) >= 0:
        return "Ce fichier est un PDF, pas une image."
    try:
        with warnings.catch_warnings():
            # Only naming the format for the message: no pixel is decoded, so
            # Pillow's size warnings are irrelevant here.
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
    except Exception:  # not an image at all
        return "Ce fichier n'est pas une image. Seules les images JPEG et PNG sont acceptées."
    return f"Les images {kind} ne sont pas acceptées : seules les images JPEG et PNG le sont."


def _too_large(width: int, height: int) -> str:
    return (
        f"Cette image est trop grande ({width} × {height} pixels) : réduisez sa résolution "
        "(300 dpi suffisent pour un document scanné)."
    )
