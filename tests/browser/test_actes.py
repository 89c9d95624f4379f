"""A small commune's whole e-actes path in a real browser.

Draft → signature by the mayor → transmission to the prefecture simulator
over HTTP → AR through the mailbox → stamped PDF → publication → public
register. axe-core checks every page on the way (visit/follow/submit).
"""

import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from territoires.actes.models import Acte, Status
from tests.actes.factories import classification, pdf_bytes
from tests.browser.fixtures import follow, login, submit, visit
from tests.factories import BodyFactory, UserFactory, membership
from tests.pdftools import pdfsig, pdftotext

pytestmark = pytest.mark.browser


def logout(page):
    submit(page, "Se déconnecter")


def test_a_small_commune_drafts_signs_transmits_and_publishes(page, live_server, settings, tmp_path,
                                                               run_tasks_live):
    settings.ACTES_SIMULATOR_URL = f"{live_server.url}/simulateur/actes/depot/"
    settings.ACTES_SIMULATOR_DIR = tmp_path / "simulateur"
    settings.ACTES_SIMULATOR_DELAY = 0
    body = BodyFactory(name="Commune de Saint-Seine-l'Abbaye", siret="")
    classification(body)
    clerk = UserFactory(email="secretariat@saint-seine.example.fr", first_name="Anne", last_name="Roy")
    membership(clerk, body, ["agent"])
    mayor = UserFactory(email="maire@saint-seine.example.fr", first_name="Marc", last_name="Vidal")
    membership(mayor, body, ["signataire"])
    document = tmp_path / "deliberation.pdf"
    document.write_bytes(pdf_bytes("Deliberation du conseil municipal"))

    # The secretary drafts the act; a wrong number is explained, the file is kept.
    login(page, clerk.email)
    visit(page, f"/o/{body.siren}/actes/")
    expect(page.get_by_text("Simulation")).to_be_visible()
    follow(page, page.get_by_role("link", name="Préparer un acte"))
    page.get_by_label("Nature de l'acte").select_option("DE")
    page.get_by_label("Numéro interne").fill("del 2026-1")
    page.get_by_label("Objet").fill("Tarifs de la cantine scolaire")
    page.get_by_label("Date de la décision").fill("2026-03-02")
    page.get_by_label("Matière (classification de la préfecture)").select_option("7.1")
    page.get_by_label("Document principal").set_input_files(str(document))
    submit(page, "Enregistrer le brouillon")
    expect(page.get_by_text("Document principal déjà reçu : deliberation.pdf")).to_be_visible()
    expect(page.get_by_label("Objet")).to_have_value("Tarifs de la cantine scolaire")
    page.get_by_label("Numéro interne").fill("DEL2026_1")
    submit(page, "Enregistrer le brouillon")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acte DEL2026_1")
    acte = Acte.objects.get(body=body)
    expect(page.get_by_text(acte.id_acte)).to_be_visible()
    expect(page.get_by_text("L'acte respecte les règles de la préfecture")).to_be_visible()
    submit(page, "Demander la signature d'un élu")
    logout(page)

    # The mayor gets a certificate and signs.
    login(page, mayor.email)
    visit(page, f"/o/{body.siren}/")
    follow(page, page.get_by_role("link", name="1 acte à signer"))
    follow(page, page.get_by_role("link", name="DEL2026_1"))
    follow(page, page.get_by_role("link", name="Mon certificat de signature"))
    submit(page, "Créer un certificat délivré par la plateforme")
    expect(page.get_by_text("Marc Vidal").first).to_be_visible()
    visit(page, f"/o/{body.siren}/actes/{acte.pk}/")
    page.get_by_label("Votre mot de passe").fill("Motdepasse-solide-42")
    submit(page, "Signer")
    expect(page.get_by_text("Autorité de certification reconnue.")).to_be_visible()
    logout(page)

    # The secretary transmits; the worker posts to the simulator; the AR comes back by mail.
    login(page, clerk.email)
    visit(page, f"/o/{body.siren}/actes/{acte.pk}/")
    submit(page, "Transmettre à la préfecture")
    expect(page.get_by_text("Déposé, en attente de transmission")).to_be_visible()
    run_tasks_live()
    time.sleep(1.2)  # the simulator's answer is polled one second after the sending
    run_tasks_live()
    acte.refresh_from_db()
    assert acte.status == Status.ACKNOWLEDGED
    visit(page, f"/o/{body.siren}/actes/{acte.pk}/")
    expect(page.get_by_text("Acquittement reçu")).to_be_visible()
    today = timezone.localdate().strftime("%d/%m/%Y")
    with page.expect_download() as download:
        page.get_by_role("link", name="Acte tamponné (PDF)").click()
    stamped = (tmp_path / "tamponne.pdf")
    download.value.save_as(stamped)
    text = " ".join(pdftotext(stamped.read_bytes()).split())
    assert f"Reçu en préfecture le {today}" in text and acte.id_acte in text
    assert [s["Signature Validation"] for s in pdfsig(stamped.read_bytes())] == ["Signature is Valid."]

    # Publication, then the public register.
    page.get_by_label("Nom du signataire").fill("Marc Vidal")
    page.get_by_label("Qualité du signataire").fill("maire")
    submit(page, "Publier")
    expect(page.get_by_text("exécutoire depuis le")).to_be_visible()
    logout(page)
    visit(page, f"/registre/{body.siren}/")
    follow(page, page.get_by_role("link", name="Tarifs de la cantine scolaire"))
    expect(page.get_by_text("Marc Vidal")).to_be_visible()
