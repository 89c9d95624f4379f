import io
import random
import struct
import zlib

import pypdf
import pytest
from PIL import Image

from territoires.interop.pdf import ImageError, PdfError, PdfInfo, image_check, pdf_check
from territoires.interop.pdf.check import DAMAGED, NO_PAGES, OFFICE, PASSWORD, TRUNCATED
from tests.interop.pdf.conftest import encrypted_pdf, make_pdf


def test_valid_pdf():
    assert pdf_check(make_pdf(3)) == PdfInfo(page_count=3, encrypted=False, has_signatures=False)


def test_signed_pdf_has_signatures(signed):
    assert pdf_check(signed).has_signatures


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Le fichier est vide."),
    (b"Bonjour, voici la delibe", "Ce fichier n'est pas un PDF."),
    (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), OFFICE),  # .docx / .odt
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), OFFICE),  # .doc
    (b"\xff\xd8\xff\xe0" + bytes(200), "Ce fichier est une image, pas un PDF."),
])
def test_not_a_pdf(data, message):
    with pytest.raises(PdfError) as raised:
        pdf_check(data)
    assert str(raised.value) == message


def test_truncated(pdf):
    with pytest.raises(PdfError, match="tronqué"):
        pdf_check(pdf[: len(pdf) // 2])


def test_truncated_inside_a_signature_is_not_mistaken_for_the_unsigned_revision(signed, pdf):
    """Cut in the signature's incremental update, the file still ends with the
    original %%EOF and a lenient reader would see an unsigned act."""
    cut = signed[: len(pdf) + 200]
    with pytest.raises(PdfError) as raised:
        pdf_check(cut)
    assert str(raised.value) == TRUNCATED


def test_every_truncation_is_refused_or_a_complete_earlier_revision(signed):
    """Fuzz: no cut point raises anything but PdfError; the only cuts that pass
    are those that end on a %%EOF, i.e. a complete earlier revision."""
    for cut in range(0, len(signed), 7):
        data = signed[:cut]
        try:
            pdf_check(data)
        except PdfError:
            continue
        assert data.rstrip().endswith(b"%%EOF"), cut


def test_random_byte_changes_never_crash(signed):
    """Fuzz: single-byte corruptions anywhere give a PdfInfo or a PdfError, nothing else."""
    rng = random.Random(20261102)
    for _ in range(400):
        at = rng.randrange(len(signed))
        data = signed[:at] + bytes([rng.randrange(256)]) + signed[at + 1:]
        try:
            pdf_check(data)
        except PdfError as error:
            assert error.message


def test_broken_xref_offsets(pdf):
    """Bytes inserted after the header shift every object: the xref points nowhere."""
    data = pdf.replace(b"\n", b"\n% inserted by a broken tool\n", 1)
    with pytest.raises(PdfError) as raised:
        pdf_check(data)
    assert str(raised.value) == DAMAGED


def test_garbled_xref_table(pdf):
    at = pdf.rindex(b"\nxref\n") + 1 + len(b"xref\n0 8\n0000000000 65535 f \n")  # first in-use entry
    data = pdf[:at] + b"ZZZZZZ" + pdf[at + 6:]
    with pytest.raises(PdfError) as raised:
        pdf_check(data)
    assert str(raised.value) == DAMAGED


def test_garbage_with_a_pdf_header():
    rng = random.Random(5)
    data = b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(3000)) + b"\n%%EOF\n"
    with pytest.raises(PdfError) as raised:
        pdf_check(data)
    assert str(raised.value) == DAMAGED


def test_damaged_page_content():
    """A corrupted compressed page (xref intact) would show blank at the prefecture."""
    pdf = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf()))
    pdf.pages[0].compress_content_streams()
    out = io.BytesIO()
    pdf.write(out)
    data = out.getvalue()
    start = data.index(b"stream\n", data.index(b"/FlateDecode")) + 7
    data = data[:start + 2] + bytes(20) + data[start + 22:]
    with pytest.raises(PdfError) as raised:
        pdf_check(data)
    assert str(raised.value) == DAMAGED


def test_password_protected():
    with pytest.raises(PdfError) as raised:
        pdf_check(encrypted_pdf("secret"))
    assert str(raised.value) == PASSWORD


def test_encrypted_without_password_is_readable_but_flagged():
    assert pdf_check(encrypted_pdf("")) == PdfInfo(page_count=1, encrypted=True, has_signatures=False)


def test_zero_pages():
    writer = pypdf.PdfWriter()
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(PdfError) as raised:
        pdf_check(out.getvalue())
    assert str(raised.value) == NO_PAGES


def test_max_pages():
    assert pdf_check(make_pdf(5), max_pages=5).page_count == 5
    with pytest.raises(PdfError, match="plus de 4 pages"):
        pdf_check(make_pdf(5), max_pages=4)


def test_page_tree_cycle(pdf):
    """/Kids pointing back to the root: refused, not an infinite loop."""
    data = pdf.replace(b"/Kids [3 0 R]", b"/Kids [1 0 R]")
    assert data != pdf
    with pytest.raises(PdfError) as raised:
        pdf_check(data)
    assert str(raised.value) == DAMAGED


# Images


def _image(kind: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize(("kind", "name"), [("JPEG", "jpeg"), ("PNG", "png")])
def test_image(kind, name):
    assert image_check(_image(kind)) == (name, 40, 30)


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_truncated_image(kind):
    data = _image(kind, (300, 200))
    with pytest.raises(ImageError, match="endommagée ou incomplète"):
        image_check(data[: len(data) * 2 // 3])


@pytest.mark.parametrize(("kind", "message"), [
    ("GIF", "Les images GIF ne sont pas acceptées : seules les images JPEG et PNG le sont."),
    ("TIFF", "Les images TIFF ne sont pas acceptées : seules les images JPEG et PNG le sont."),
])
def test_other_image_formats(kind, message):
    with pytest.raises(ImageError) as raised:
        image_check(_image(kind))
    assert str(raised.value) == message


def test_pdf_is_not_an_image(pdf):
    with pytest.raises(ImageError, match="Ce fichier est un PDF, pas une image."):
        image_check(pdf)


def test_not_an_image():
    with pytest.raises(ImageError, match="n'est pas une image"):
        image_check(b"hello world" * 10)


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a size without the pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_huge_image():
    with pytest.raises(ImageError, match=r"trop grande \(9000 × 9000 pixels\)"):
        image_check(_png_header_only(9000, 9000))
    with pytest.raises(ImageError, match="trop grande"):
        image_check(_png_header_only(60000, 60000))  # Pillow's own bomb limit


def test_decompression_bomb(pdf):
    """Deflate applied twice: 64 MB of page content in a few hundred bytes."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from territoires.interop.pdf.check import TOO_LARGE_STREAMS

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref, _resources = writer.find_page_for_modification(0)
    bomb = generic.StreamObject(
        {pdf_name("/Filter"): generic.ArrayObject([pdf_name("/FlateDecode")] * 2)},
        encoded_data=zlib.compress(zlib.compress(b" " * (64 * 1024 * 1024), 9), 9),
    )
    page_ref.get_object()[pdf_name("/Contents")] = writer.add_object(bomb)
    writer.update_container(page_ref.get_object())
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(PdfError) as raised:
        pdf_check(out.getvalue())
    assert str(raised.value) == TOO_LARGE_STREAMS


def test_package_is_django_free():
    """interop/ must stay usable without Django (DESIGN.md §3): import it in a bare interpreter."""
    import subprocess
    import sys

    code = ("import sys, territoires.interop.pdf; "
            "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
