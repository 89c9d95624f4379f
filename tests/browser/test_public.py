"""Public pages in a real browser: landing, accessibility, legal notice, adhesion form."""

import re

import pytest
from playwright.sync_api import expect

from territoires.tenancy.models import MembershipRequest
from tests.browser.fixtures import follow, submit, visit

pytestmark = pytest.mark.browser


def test_landing_and_footer_pages(page):
    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("services numériques")
    # htmx and the site script load under the strict CSP (errors fail the test).
    page.wait_for_function("() => typeof window.htmx === 'object'")

    follow(page, page.get_by_role("link", name="Accessibilité : partiellement conforme"))
    expect(page).to_have_url(re.compile(r"/accessibilite/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    follow(page, page.get_by_role("link", name="Mentions légales"))
    expect(page).to_have_title("Mentions légales – Territoires")

    follow(page, page.get_by_role("link", name="Territoires", exact=True))
    expect(page.get_by_role("link", name="Demander l'adhésion")).to_be_visible()


def test_adhesion_form_keeps_values_and_explains_errors(page):
    visit(page, "/")
    follow(page, page.get_by_role("link", name="Demander l'adhésion"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Demander l'adhésion de votre organisme"
    )

    page.get_by_label("SIREN").fill("212102314")  # wrong check digit
    page.get_by_label("Nom de l'organisme").fill("Commune de Flavignerot")
    page.get_by_label("Type d'organisme").select_option(label="Commune")
    page.get_by_label("Code INSEE de la commune").fill("21271")
    page.get_by_label("Votre nom").fill("Camille Durand")
    page.get_by_label("Votre adresse électronique professionnelle").fill(
        "mairie@flavignerot.example.fr"
    )
    page.get_by_role("checkbox", name="Formations").check()
    submit(page, "Envoyer la demande")

    expect(page.get_by_text("clé de contrôle incorrecte")).to_be_visible()
    # What was typed is still there.
    expect(page.get_by_label("SIREN")).to_have_value("212102314")
    expect(page.get_by_label("Nom de l'organisme")).to_have_value("Commune de Flavignerot")
    expect(page.get_by_label("Votre nom")).to_have_value("Camille Durand")
    expect(page.get_by_role("checkbox", name="Formations")).to_be_checked()
    assert not MembershipRequest.objects.exists()

    page.get_by_label("SIREN").fill("212 102 313")
    submit(page, "Envoyer la demande")

    expect(page.get_by_role("heading", level=1)).to_have_text("Demande envoyée")
    expect(page.get_by_text("Commune de Flavignerot est enregistrée")).to_be_visible()
    request = MembershipRequest.objects.get()
    assert request.siren == "212102313"
    assert request.contact_email == "mairie@flavignerot.example.fr"
    assert request.services == ["formations"]
