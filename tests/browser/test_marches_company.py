"""A company in a real browser: registration by SIRET (simulated API Entreprise), search on
the portal, an e-mail alert, a DCE download and a question to the buyer. axe-core checks
every page on the way."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from territoires.marches import services
from territoires.marches.models import Question, Retrait, SavedSearch
from tests.browser.fixtures import check_a11y, follow, htmx_submit, submit, visit
from tests.factories import BodyFactory, UserFactory, membership
from tests.marches.conftest import consultation_fields

pytestmark = pytest.mark.browser

SIRET = "58226991607401"  # TRAITEUR LES SAVEURS DE BOURGOGNE in the simulator's directory


@pytest.fixture
def open_consultation():
    body = BodyFactory(name="Commune de Nuits-Saint-Georges", services=["marches"], departement="21",
                       siret="")
    buyer = UserFactory(email="marches@nuits.example.fr")
    membership(buyer, body, ["acheteur"])
    consultation = services.consultation_create(actor=buyer, body=body, **consultation_fields(
        reference="2026-FCS-002", title="Fourniture de repas pour la restauration scolaire",
        object="Repas en liaison froide pour les écoles de la commune.", nature="supplies", procedure="mapa",
        cpv_main="55523100-3", cpv_additional=[], closes_at=timezone.now() + timezone.timedelta(days=21),
        contact_email="marches@nuits.example.fr"))
    services.dce_file_add(actor=buyer, consultation=consultation, name="RC.pdf", data=b"%PDF-1.4 rc repas",
                          content_type="application/pdf")
    return services.consultation_publish(actor=buyer, consultation=consultation)


def test_a_company_registers_searches_saves_an_alert_downloads_and_asks(page, live_server, open_consultation):
    # Registration: the SIRET first, checked, then the company's data come prefilled.
    visit(page, "/entreprise/inscription/")
    expect(page.get_by_text("simulation", exact=False).first).to_be_visible()
    page.get_by_label("SIRET de l'établissement").fill("582 269 916 07400")  # wrong check digit
    submit(page, "Continuer")
    expect(page.locator(".error-text").first).to_be_visible()
    page.get_by_label("SIRET de l'établissement").fill("582 269 916 07401")
    submit(page, "Continuer")
    expect(page.get_by_text("TRAITEUR LES SAVEURS DE BOURGOGNE")).to_be_visible()
    page.get_by_label("Prénom").fill("Julie")
    page.get_by_label("Nom (obligatoire)", exact=True).fill("Perrin")
    page.get_by_label("Adresse électronique professionnelle").fill("julie.perrin@saveurs-bourgogne.example.fr")
    page.get_by_label("Mot de passe").fill("court")
    submit(page, "Créer le compte de l'entreprise")
    expect(page.get_by_label("Prénom")).to_have_value("Julie")  # what was typed stays
    page.get_by_label("Mot de passe").fill("Repas-Bourgogne-2026!")
    submit(page, "Créer le compte de l'entreprise")
    expect(page.get_by_role("heading", level=1)).to_contain_text("TRAITEUR LES SAVEURS DE BOURGOGNE")

    # Search: full text with stemming and without accents, then a filter.
    visit(page, "/marches/")
    page.get_by_label("Mots-clés").fill("repas scolaires")
    htmx_submit(page, "Rechercher")
    result = page.get_by_role("link", name="Fourniture de repas pour la restauration scolaire")
    expect(result).to_be_visible()
    page.get_by_label("Département").select_option("21")
    htmx_submit(page, "Rechercher")
    expect(result).to_be_visible()
    check_a11y(page)

    # The alert: saved from the search, listed in the company space.
    page.get_by_label("Nom de l'alerte").fill("Repas Côte-d'Or")
    submit(page, "Créer une alerte e-mail pour cette recherche")
    expect(page.get_by_text("L'alerte « Repas Côte-d'Or » est créée")).to_be_visible()
    saved = SavedSearch.objects.get()
    assert saved.params.get("q") == "repas scolaires" and saved.params.get("departement") == "21"

    # The consultation: the DCE is downloaded (the retrait is in the company's name), a question is asked.
    visit(page, "/marches/")
    page.get_by_label("Mots-clés").fill("repas")
    htmx_submit(page, "Rechercher")
    follow(page, page.get_by_role("link", name="Fourniture de repas pour la restauration scolaire"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fourniture de repas pour la restauration scolaire")
    with page.expect_download() as download:
        page.get_by_role("link", name="RC.pdf").click()
    assert download.value.suggested_filename == "RC.pdf"
    retrait = Retrait.objects.get()
    assert retrait.company.siret == SIRET
    page.get_by_label("Votre question").fill("Les repas doivent-ils être livrés le mercredi ?")
    submit(page, "Envoyer la question")
    expect(page.get_by_text("Question envoyée à l'acheteur.")).to_be_visible()
    assert Question.objects.get().company.siret == SIRET
