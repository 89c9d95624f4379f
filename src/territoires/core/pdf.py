"""Text for PDFs drawn with fpdf2's core fonts.

Core fonts only cover latin-1: French accents are fine, but typographic
characters that often come from copy-paste (’ – … œ €) are mapped to latin-1
look-alikes, so a title pasted from a word processor never breaks a document.
"""

LATIN1_MAP = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u0153": "oe", "\u0152": "OE", "\u202f": " ", "\u2009": " ", "\u20ac": "EUR",
})


def latin1(text: str) -> str:
    return str(text).translate(LATIN1_MAP).encode("latin-1", "replace").decode("latin-1")


def text_pdf(title: str, text: str) -> bytes:
    """A one-page A4 PDF: a bold title and a paragraph (demo documents, test DCE…)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, latin1(text), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
