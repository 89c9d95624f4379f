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
