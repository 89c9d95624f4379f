"""An interrupted upload resumes, in a real browser (`ui/uploads.js` against `core.uploads`).

The line drops while a DCE file goes up: the script waits, asks the server how
much arrived and sends only the rest. The buyer who reloads the page and picks
the same file again also resumes where it stopped. axe-core checks every page.
"""

import hashlib
import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from territoires.marches import services
from territoires.marches.models import DceFile
from tests.browser.fixtures import allow_error, login, submit, visit
from tests.factories import BodyFactory, UserFactory, membership
from tests.marches.conftest import consultation_fields

pytestmark = pytest.mark.browser

PIECE = 64 * 1024


class Line:
    """The network between the browser and the server's upload address, which a test can cut."""

    def __init__(self, page):
        self.offsets: list[int] = []  # Upload-Offset of each piece that reached the server
        self.heads = 0
        self.cut_at: set[int] = set()  # offsets whose next piece is lost once
        self.down = False  # every piece lost
        page.route("**/televersements/**", self._route)

    def _route(self, route):
        request = route.request
        if request.method == "HEAD":
            self.heads += 1
        if request.method == "PATCH":
            offset = int(request.headers["upload-offset"])
            if self.down or offset in self.cut_at:
                self.cut_at.discard(offset)
                route.abort("connectionreset")
                return
            self.offsets.append(offset)
        route.continue_()


def test_an_interrupted_dce_upload_resumes(page, live_server, tmp_path, settings):
    settings.UPLOAD_CHUNK_BYTES = PIECE
    body = BodyFactory(name="Commune de Nolay", services=["marches"], departement="21")
    buyer = UserFactory(email="marches@nolay.example.fr")
    membership(buyer, body, ["acheteur"])
    consultation = services.consultation_create(actor=buyer, body=body, **consultation_fields())
    plans = tmp_path / "Plans.pdf"
    plans.write_bytes(b"%PDF-1.4 " + os.urandom(5 * PIECE - 9))  # five pieces
    allow_error(page, "ERR_CONNECTION_RESET|Failed to load resource|Failed to fetch")

    login(page, buyer.email)
    detail = reverse("marches:detail", args=[body.siren, consultation.pk])
    visit(page, detail)
    line = Line(page)
    line.cut_at = {2 * PIECE}  # the third piece is lost on its first try
    page.get_by_label("Documents du DCE").set_input_files(str(plans))
    submit(page, "Ajouter")
    expect(page.get_by_role("link", name="Plans.pdf")).to_be_visible()
    assert line.offsets == [0, PIECE, 2 * PIECE, 3 * PIECE, 4 * PIECE]  # only the lost piece went twice
    stored = DceFile.objects.get(version__consultation=consultation, name="Plans.pdf").stored
    assert stored.sha256 == hashlib.sha256(plans.read_bytes()).hexdigest()

    # The line goes down after the first piece of another file; the buyer reloads the page.
    annexe = tmp_path / "Annexe.pdf"
    annexe.write_bytes(b"%PDF-1.4 " + os.urandom(3 * PIECE - 9))
    line.offsets.clear()
    line.cut_at = {PIECE}
    line.down = False
    page.get_by_label("Documents du DCE").set_input_files(str(annexe))
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Connexion interrompue")).to_be_visible()
    line.down = True
    visit(page, detail)
    line.down = False
    line.offsets.clear()
    heads = line.heads
    page.get_by_label("Documents du DCE").set_input_files(str(annexe))
    submit(page, "Ajouter")
    expect(page.get_by_role("link", name="Annexe.pdf")).to_be_visible()
    assert line.heads > heads and line.offsets == [PIECE, 2 * PIECE]  # resumed: the first piece not sent again
    stored = DceFile.objects.get(version__consultation=consultation, name="Annexe.pdf").stored
    assert stored.sha256 == hashlib.sha256(annexe.read_bytes()).hexdigest()
