"""The ACTES stamp ("tampon"): a box in the top-right corner of the first page.

S²LOW's stamp (`ActeTamponne.php`) has four lines: sent on, received on,
published on, and the act's ID. Ours takes the lines from the caller and adds
them as a stamp annotation in an incremental update, which is the one kind of
change that leaves the signatures of an already signed act valid: the signed
bytes are untouched, and verification reports the change as modification
level "annotations" (see `modifications.py`). Signed or not, every PDF is
stamped the same way.

The box is drawn by fpdf2 with the standard Helvetica font in WinAnsi
encoding (Windows-1252), imported as the annotation's appearance. Helvetica
is one of the 14 fonts every PDF reader has, so nothing depends on which
fonts the server happens to have installed (DejaVu is on our test image, not
guaranteed in production), and Windows-1252 covers all of French, œ and « »
included. The text is extractable: pdftotext and Acrobat read the appearance,
and the annotation's /Contents holds the same lines.
"""

import datetime
import io
import unicodedata
import uuid

from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from territoires.interop.pdf.check import DAMAGED, iter_pages, pdf_open
from territoires.interop.pdf.errors import PdfError

FONT_SIZE = 9.0
LEADING = 11.0
PADDING = 6.0
BORDER = 0.8
MARGIN = 14.0
"""Distance from the page's corner, in points (about 5 mm)."""
MAX_LINES = 10
MAX_LINE_LENGTH = 200
ENCODING = "windows-1252"
UNSTAMPABLE = "Ce PDF ne peut pas être tamponné : sa structure n'est pas prise en charge."

# Print (bit 3), ReadOnly (7), Locked (8), LockedContents (10): printed, and
# readers do not let anyone move, edit or delete it (ISO 32000-1 §12.5.3).
_FLAGS = 4 | 64 | 128 | 512
# French typography puts (narrow) no-break spaces before ":" and inside dates;
# the box never wraps, and pdftotext drops U+00A0, so they become plain spaces.
_REPLACEMENTS = {"\u202f": " ", "\u00a0": " ", "\u2009": " ", "\u2011": "-", "\u2212": "-"}
# Appearance matrix per page /Rotate, so that the text reads upright on screen.
_ROTATION_MATRIX = {0: (1, 0, 0, 1), 90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}
_MAX_TREE_DEPTH = 64


def pdf_stamp(data: bytes, lines: list[str], *, page: int = 0) -> bytes:
    """Return `data` with a stamp box holding `lines` on `page` (0-based, -1 for the last).

    The box goes in the top-right corner as the page is displayed (its
    /Rotate and /CropBox are taken into account), over a white background so
    it stays readable, and is scaled down only if the page is too narrow.
    Raises PdfError (French) for a PDF that cannot be stamped, ValueError for
    empty or oversized lines.
    """
    text = _clean_lines(lines)
    reader = pdf_open(data)
    try:
        page_count = sum(1 for _page in iter_pages(reader))
    except Exception as error:  # a hostile file can make the parser raise anything
        raise PdfError(DAMAGED) from error
    if not -page_count <= page < page_count:
        raise PdfError(f"Ce PDF n'a pas de page n° {page + 1 if page >= 0 else page}.")
    appearance, width, height = _render(text)
    try:
        writer = IncrementalPdfFileWriter.from_reader(reader)
        page_ref, _resources = writer.find_page_for_modification(page)
        page_obj = page_ref.get_object()
        box = _visible_box(page_obj)
        rotation = _rotation(page_obj)
    except PdfError:
        raise
    except Exception as error:  # a hostile file can make the parser raise anything
        raise PdfError(UNSTAMPABLE) from error

    rect = _rect(box, rotation, width, height)
    xobject = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(appearance)))
    xobject.get_object()[pdf_name("/Matrix")] = generic.ArrayObject(
        [generic.NumberObject(n) for n in (*_ROTATION_MATRIX[rotation], 0, 0)]
    )
    annotation = generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Annot"),
        pdf_name("/Subtype"): pdf_name("/Stamp"),
        pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(round(v, 3)) for v in rect]),
        pdf_name("/Contents"): generic.TextStringObject("\n".join(lines)),
        pdf_name("/Subj"): generic.TextStringObject("Tampon de transmission en préfecture"),
        pdf_name("/NM"): generic.TextStringObject(f"tampon-{uuid.uuid4()}"),
        pdf_name("/M"): generic.pdf_date(datetime.datetime.now(datetime.UTC)),
        pdf_name("/F"): generic.NumberObject(_FLAGS),
        pdf_name("/P"): page_ref,
        pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): xobject}),
    })
    try:
        writer.register_annotation(page_ref, writer.add_object(annotation))
        output = io.BytesIO()
        writer.write(output)
    except Exception as error:  # see above
        raise PdfError(UNSTAMPABLE) from error
    return output.getvalue()


def _clean_lines(lines: list[str]) -> list[str]:
    if not lines or len(lines) > MAX_LINES:
        raise ValueError(f"a stamp has 1 to {MAX_LINES} lines")
    cleaned = []
    for line in lines:
        if len(line) > MAX_LINE_LENGTH:
            raise ValueError(f"stamp line longer than {MAX_LINE_LENGTH} characters")
        line = "".join(_REPLACEMENTS.get(char, char) for char in line)
        cleaned.append("".join(_winansi(char) for char in line if char.isprintable()))
    return cleaned


def _winansi(char: str) -> str:
    """`char` if Windows-1252 has it, else its closest ASCII form, else "?"."""
    try:
        char.encode(ENCODING)
        return char
    except UnicodeEncodeError:
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        return base or "?"


def _render(lines: list[str]) -> tuple[bytes, float, float]:
    """Draw the box as a one-page PDF of exactly its size; return it and its size in points."""
    measure = _fpdf(None)
    measure.add_page()
    measure.set_font("Helvetica", size=FONT_SIZE)
    width = max(measure.get_string_width(line) for line in lines) + 2 * PADDING
    height = 2 * PADDING + (len(lines) - 1) * LEADING + FONT_SIZE
    pdf = _fpdf((width, height))
    pdf.add_page()
    pdf.set_font("Helvetica", size=FONT_SIZE)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_text_color(0, 0, 0)
    pdf.set_line_width(BORDER)
    pdf.rect(BORDER / 2, BORDER / 2, width - BORDER, height - BORDER, style="DF")
    for index, line in enumerate(lines):
        # fpdf2's y grows downwards; `text` places the baseline.
        pdf.text(PADDING, PADDING + FONT_SIZE * 0.75 + index * LEADING, line)
    return bytes(pdf.output()), width, height


def _fpdf(size: tuple[float, float] | None) -> FPDF:
    pdf = FPDF(unit="pt", format=size or "A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    return pdf


def _inherited(page: generic.DictionaryObject, key: str):
    node = page
    for _ in range(_MAX_TREE_DEPTH):
        if key in node:
            return node[key]
        parent = node["/Parent"] if "/Parent" in node else None
        if not isinstance(parent, generic.DictionaryObject):
            return None
        node = parent
    return None


def _visible_box(page: generic.DictionaryObject) -> tuple[float, float, float, float]:
    """The crop box within the media box, as (x0, y0, x1, y1) with x0 < x1, y0 < y1."""
    media = _box(_inherited(page, "/MediaBox"))
    if media is None:
        raise PdfError(
            "La page à tamponner n'a pas de dimensions (MediaBox) : ce PDF est endommagé."
        )
    crop = _box(_inherited(page, "/CropBox")) or media
    box = (*map(max, media[:2], crop[:2]), *map(min, media[2:], crop[2:]))
    return box if box[0] < box[2] and box[1] < box[3] else media


def _box(value) -> tuple[float, float, float, float] | None:
    if not isinstance(value, generic.ArrayObject) or len(value) != 4:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    return box if box[0] < box[2] and box[1] < box[3] else None


def _rotation(page: generic.DictionaryObject) -> int:
    value = _inherited(page, "/Rotate")
    try:
        rotation = int(value or 0) % 360
    except (TypeError, ValueError):
        return 0
    return rotation if rotation in _ROTATION_MATRIX else 0


def _rect(box, rotation: int, width: float, height: float) -> tuple[float, float, float, float]:
    """The annotation's /Rect (user space) for a width × height box shown at the
    top-right corner of the displayed page, `MARGIN` from its edges.

    /Rotate turns the page clockwise for display; the appearance matrix turns
    the box back, and the viewer fits the turned box into /Rect.
    """
    x0, y0, x1, y1 = box
    shown_width = (x1 - x0) if rotation in (0, 180) else (y1 - y0)
    shown_height = (y1 - y0) if rotation in (0, 180) else (x1 - x0)
    margin = min(MARGIN, shown_width / 10, shown_height / 10)
    scale = min(1.0, (shown_width - 2 * margin) / width, (shown_height - 2 * margin) / height)
    w, h = width * scale, height * scale
    if rotation == 0:
        return (x1 - margin - w, y1 - margin - h, x1 - margin, y1 - margin)
    if rotation == 90:  # displayed top-right corner is user space (x0, y1)
        return (x0 + margin, y1 - margin - w, x0 + margin + h, y1 - margin)
    if rotation == 180:  # … (x0, y0)
        return (x0 + margin, y0 + margin, x0 + margin + w, y0 + margin + h)
    return (x1 - margin - h, y0 + margin, x1 - margin, y0 + margin + w)  # 270: (x1, y0)
