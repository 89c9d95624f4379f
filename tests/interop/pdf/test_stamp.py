import io
import re
import subprocess

import pypdf
import pytest

from territoires.interop.pdf import PdfError, pdf_signatures, pdf_stamp
from tests.interop.pdf.conftest import make_pdf, sign
from tests.pdftools import pdfsig, pdftotext

LINES = [
    "Envoyé en préfecture le 02/11/2026",
    "Reçu en préfecture le 02/11/2026",
    "Publié le 03/11/2026",
    "ID : 021-212100011-20261102-DEL2026_01-DE",
]


def _annotations(data: bytes, page: int = 0) -> list:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [a.get_object() for a in reader.pages[page].get("/Annots", [])]


def _stamp_annotation(data: bytes, page: int = 0):
    (stamp,) = [a for a in _annotations(data, page) if a["/Subtype"] == "/Stamp"]
    return stamp


def test_unsigned_pdf(pdf, tmp_path):
    stamped = pdf_stamp(pdf, LINES)
    assert stamped.startswith(pdf)  # incremental update
    text = pdftotext(stamped)
    for line in LINES:
        assert line in text
    stamp = _stamp_annotation(stamped)
    assert stamp["/Contents"] == "\n".join(LINES)
    assert stamp["/F"] & 4  # printed
    # Top-right corner of an A4 page, 14 pt from the edges.
    x0, y0, x1, y1 = (float(v) for v in stamp["/Rect"])
    assert x1 == pytest.approx(595.28 - 14, abs=0.01) and y1 == pytest.approx(841.89 - 14, abs=0.01)
    assert 150 < x1 - x0 < 300 and 40 < y1 - y0 < 70


def test_signed_pdf_keeps_its_signature(signed, ca, tmp_path):
    stamped = pdf_stamp(signed, LINES)
    assert stamped.startswith(signed)
    (info,) = pdf_signatures(stamped, trust_roots_pem=[ca.cert_pem])
    assert info.intact and info.valid and info.trusted and info.ok
    assert info.modification_level == "annotations" and not info.covers_whole_document
    assert info.message == (
        "Signature valide de Jeanne Maire (certificat émis par Territoires AC signature) ; "
        "un tampon ou des annotations ont été ajoutés ensuite."
    )
    (report,) = pdfsig(stamped)
    assert report["Signature Validation"] == "Signature is Valid."
    assert report["Signer Certificate Common Name"] == "Jeanne Maire"
    assert "Not total document signed" in report
    for line in LINES:
        assert line in pdftotext(stamped)


def test_stamped_then_countersigned(signed, deputy, ca, tmp_path):
    """pyHanko's own rule for new signature widgets refuses any other new
    annotation on the page; ours accepts both."""
    data = sign(pdf_stamp(signed, LINES), deputy)
    first, second = pdf_signatures(data, trust_roots_pem=[ca.cert_pem])
    assert first.ok and first.modification_level == "annotations"
    assert second.ok and second.modification_level == "aucune"
    assert [r["Signature Validation"] for r in pdfsig(data)] == ["Signature is Valid."] * 2


def _with_link(official) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text="Voir le registre", link="https://exemple.fr/registre")
    return sign(bytes(pdf.output()), official)


def test_existing_annotations_are_kept(official, ca):
    stamped = pdf_stamp(_with_link(official), LINES)
    assert [a["/Subtype"] for a in _annotations(stamped)] == ["/Link", "/Widget", "/Stamp"]
    (info,) = pdf_signatures(stamped, trust_roots_pem=[ca.cert_pem])
    assert info.ok and info.modification_level == "annotations"


def test_removing_a_signed_annotation_is_not_allowed(official):
    from pyhanko.pdf_utils.generic import ArrayObject, pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_stamp(_with_link(official), LINES)))
    page_ref, _resources = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page[pdf_name("/Annots")] = ArrayObject(list(page.raw_get("/Annots"))[1:])  # drop the link
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    (info,) = pdf_signatures(out.getvalue())
    assert info.intact and not info.ok and info.modification_level == "autres"


def test_tampered_after_stamping_is_still_detected(signed):
    stamped = pdf_stamp(signed, LINES)
    at = stamped.index(b"2026-01")
    (info,) = pdf_signatures(stamped[:at] + b"2026-09" + stamped[at + 7:])
    assert not info.intact and not info.ok


def _rotated(rotation: int) -> bytes:
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf()))
    writer.pages[0].rotate(rotation)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _words(data: bytes, tmp_path) -> dict[str, tuple[float, float, float, float]]:
    """Word boxes as poppler lays out the displayed (rotated) page."""
    path = tmp_path / "bbox.pdf"
    path.write_bytes(data)
    html = subprocess.run(["/usr/bin/pdftotext", "-bbox", str(path), "-"], capture_output=True,
                          text=True, timeout=30, check=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>'
    words: dict[str, tuple[float, float, float, float]] = {}
    for match in re.finditer(pattern, html):
        words.setdefault(match[5], tuple(float(v) for v in match.groups()[:4]))  # first occurrence
    return words


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_rotated_pages_get_an_upright_stamp_top_right(rotation, tmp_path):
    stamped = pdf_stamp(_rotated(rotation), LINES)
    words = _words(stamped, tmp_path)
    shown_width = 595.28 if rotation in (0, 180) else 841.89
    envoye, prefecture, identifier = words["Envoyé"], words["préfecture"], words["021-212100011-20261102-DEL2026_01-DE"]
    # Upright: words of a line side by side, lines going down.
    assert envoye[1] == pytest.approx(prefecture[1], abs=0.5) and prefecture[0] > envoye[2]
    assert identifier[1] > envoye[3]
    # Top-right corner: the longest line ends one padding (6 pt) before the box edge (14 pt).
    assert identifier[2] == pytest.approx(shown_width - 14 - 6, abs=3)
    assert envoye[1] < 30


def test_characters_outside_windows_1252(pdf, tmp_path):
    lines = ["ID\u00a0: 021\u2011212100011 publié le 03\u202f/\u202f11\u202f/\u202f2026 — Ω"]
    stamped = pdf_stamp(pdf, lines)
    assert "ID : 021-212100011 publié le 03 / 11 / 2026 — ?" in pdftotext(stamped)
    assert _stamp_annotation(stamped)["/Contents"] == lines[0]  # the annotation keeps the original


def test_last_page(tmp_path):
    stamped = pdf_stamp(make_pdf(3), LINES, page=-1)
    assert not _annotations(stamped, 0)
    assert _stamp_annotation(stamped, 2)


def test_page_out_of_range(pdf):
    with pytest.raises(PdfError, match="n'a pas de page n° 3"):
        pdf_stamp(pdf, LINES, page=2)


def test_small_page_is_fitted():
    from fpdf import FPDF

    small = FPDF(unit="pt", format=(150, 100))
    small.add_page()
    stamped = pdf_stamp(bytes(small.output()), LINES)
    x0, y0, x1, y1 = (float(v) for v in _stamp_annotation(stamped)["/Rect"])
    assert 0 <= x0 < x1 <= 150 and 0 <= y0 < y1 <= 100


@pytest.mark.parametrize("lines", [[], ["x"] * 11, ["x" * 201]])
def test_bad_lines(pdf, lines):
    with pytest.raises(ValueError, match="stamp"):
        pdf_stamp(pdf, lines)


def test_not_a_pdf():
    with pytest.raises(PdfError, match="n'est pas un PDF"):
        pdf_stamp(b"hello", LINES)
