"""A buyer's consultation in a real browser: draft with lots and CPV codes (picker), DCE,
publication, an answer to a company's question, an amendment. axe-core checks every page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from territoires.marches import services
from territoires.marches.models import Consultation, Status
from tests.browser.fixtures import check_a11y, follow, htmx_swap, login, submit, visit
from tests.factories import BodyFactory, UserFactory, membership
from tests.marches.conftest import make_company_user

pytestmark = pytest.mark.browser


def cpv(page, label: str, code: str) -> None:
    """Type a code in a CPV field: the suggestions list follows (htmx), then is checked."""
    htmx_swap(page, lambda: page.get_by_label(label).fill(code))


def test_a_buyer_publishes_answers_and_amends(page, live_server, tmp_path, run_tasks_live):
    body = BodyFactory(name="Communauté de communes du Pays de Beaune", services=["marches"], departement="21")
    buyer = UserFactory(email="marches@pays-beaune.example.fr", first_name="Inès", last_name="Moreau")
    membership(buyer, body, ["acheteur"])
    rc = tmp_path / "RC.pdf"
    rc.write_bytes(b"%PDF-1.4 reglement de consultation")
    cctp = tmp_path / "CCTP.pdf"
    cctp.write_bytes(b"%PDF-1.4 cctp v1")

    login(page, buyer.email)
    visit(page, f"/o/{body.siren}/marches/")
    follow(page, page.get_by_role("link", name="Nouvelle consultation"))
    page.get_by_label("Référence").fill("2026-TRV-007")
    page.get_by_label("Intitulé").fill("Aménagement de la traversée du bourg")
    page.get_by_label("Objet détaillé").fill("Travaux de voirie, de réseaux et de signalisation.")
    page.get_by_role("combobox", name="Nature").select_option("works")
    page.get_by_label("Procédure").select_option("mapa")
    # The CPV picker: typing words fills the suggestions list (htmx), a code is then chosen.
    htmx_swap(page, lambda: page.get_by_label("Code CPV principal").press_sequentially("voirie", delay=30))
    expect(page.locator("#cpv-options option[value='90611000-3']")).to_have_count(1)
    cpv(page, "Code CPV principal", "45233140-9")  # wrong check digit
    cpv(page, "Codes CPV complémentaires", "45233221-4")
    page.get_by_label("Lieu d'exécution (département)").select_option("FRC11")
    page.get_by_label("Valeur estimée (€ HT)").fill("450000")
    deadline = timezone.localtime() + timezone.timedelta(days=30)
    page.get_by_label("Date et heure limites de remise des offres (heure de Paris)").fill(
        deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Courriel du contact").fill("marches@pays-beaune.example.fr")
    submit(page, "Enregistrer le brouillon")
    expect(page.get_by_text("le code complet est 45233140-2")).to_be_visible()
    expect(page.get_by_label("Intitulé")).to_have_value("Aménagement de la traversée du bourg")
    cpv(page, "Code CPV principal", "45233140-2")
    submit(page, "Enregistrer le brouillon")
    expect(page.get_by_role("heading", level=1)).to_have_text("2026-TRV-007 – Aménagement de la traversée du bourg")

    for title, code in (("Voirie et réseaux", "45233140-2"), ("Signalisation", "45233221-4")):
        page.get_by_label("Intitulé du lot").fill(title)
        cpv(page, "Code CPV du lot", code)
        submit(page, "Ajouter le lot")
    expect(page.get_by_role("cell", name="Signalisation")).to_be_visible()
    expect(page.get_by_text("Déposez au moins un document dans le DCE.")).to_be_visible()
    page.get_by_label("Documents du DCE").set_input_files([str(rc), str(cctp)])
    submit(page, "Ajouter")
    expect(page.get_by_role("link", name="CCTP.pdf")).to_be_visible()
    submit(page, "Publier la consultation")
    expect(page.get_by_text("Consultation publiée sur le portail.")).to_be_visible()
    consultation = Consultation.objects.get(body=body)
    assert consultation.status == Status.PUBLISHED and consultation.lots.count() == 2

    # A company downloaded the DCE and asked a question (its own browser story is elsewhere).
    company_user = make_company_user(email="etudes@vrd-beaune.example.fr", siret="49276364401306",
                                     name="Bureau d'études VRD")
    services.retrait_record(consultation=consultation, user=company_user)
    services.question_ask(actor=company_user, consultation=consultation, text="Le plan des réseaux est-il fourni ?")
    page.reload()
    check_a11y(page)
    page.get_by_label("Réponse (publiée sans le nom de l'entreprise)").fill("Oui, pièce 4 du DCE.")
    submit(page, "Publier la réponse")
    expect(page.get_by_text("Réponse publiée et envoyée aux entreprises identifiées.")).to_be_visible()

    # The amendment: a corrected CCTP, a later deadline, downloaders told by e-mail.
    cctp.write_bytes(b"%PDF-1.4 cctp v2")
    page.get_by_label("Documents du DCE").set_input_files(str(cctp))
    submit(page, "Ajouter")
    page.get_by_label("Objet de la modification (envoyé aux entreprises)").fill("CCTP corrigé (article 3).")
    later = deadline + timezone.timedelta(days=7)
    page.get_by_label("Nouvelle date limite (facultatif, heure de Paris)").fill(later.strftime("%Y-%m-%dT%H:%M"))
    submit(page, "Publier le modificatif")
    expect(page.get_by_text("Modificatif publié")).to_be_visible()
    expect(page.get_by_role("heading", name="Version 2, publiée", exact=False)).to_be_visible()

    outbox = run_tasks_live()
    subjects = sorted((m.to[0], m.subject) for m in outbox)
    assert ("etudes@vrd-beaune.example.fr", "Modification de la consultation 2026-TRV-007") in subjects
    assert ("etudes@vrd-beaune.example.fr",
            "Réponse à une question sur la consultation 2026-TRV-007") in subjects

    # The public page shows the answer without the company, and the new deadline.
    follow(page, page.get_by_role("link", name="Voir la page publique"))
    expect(page.get_by_text("Oui, pièce 4 du DCE.")).to_be_visible()
    expect(page.get_by_text("Bureau d'études VRD")).to_have_count(0)
    expect(page.get_by_text("CCTP corrigé (article 3).")).to_be_visible()
