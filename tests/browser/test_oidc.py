"""ProConnect in a real browser, against the npm test provider (tests/oidc_provider).

The provider's own pages (its login form, its self-submitting logout page) are
not ours: the page watch leaves them out (`foreign_pages`), axe does not run on
them. Every page of ours the browser shows is checked, as everywhere else.
"""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.accounts.conftest_oidc import CLIENT_ID, CLIENT_SECRET, PASSWORD, provider_user
from tests.browser.fixtures import allow_error, check_a11y, foreign_pages, visit
from tests.factories import BodyFactory, UserFactory, membership
from tests.oidc_provider.harness import run_provider

pytestmark = pytest.mark.browser

SCOPES = "openid given_name usual_name email uid siret idp_id"
USERS = {
    "camille": provider_user("camille.martin@mairie.example.fr"),
    "inconnu": provider_user("personne.inconnue@mairie.example.fr", "Personne", "Inconnue"),
}


@pytest.fixture(scope="module")
def op(live_server):
    """The provider, registered with the live server's exact URLs (the browser's host)."""
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [live_server.url + reverse("oidc:callback")],
        "post_logout_redirect_uris": [live_server.url + reverse("oidc:logout_callback")],
    }
    with run_provider(clients=[client], users=USERS) as provider:
        yield provider


@pytest.fixture
def proconnect(op, settings):
    """ProConnect enabled as production does it from PROCONNECT_DISCOVERY_URL.

    settings.py adds the provider's origin to the CSP `form-action` when the
    variable is set at start-up; Chrome enforces `form-action` on the redirect
    that follows our logout form, so the test's policy must hold it too. The
    CSP middleware reads SECURE_CSP on every response: the override applies.
    """
    settings.PROCONNECT_DISCOVERY_URL = op.discovery_url
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_SCOPES = SCOPES
    settings.PROCONNECT_ACR_VALUES = "eidas1"
    csp = {directive: list(values) for directive, values in settings.SECURE_CSP.items()}
    if op.issuer not in csp["form-action"]:
        csp["form-action"].append(op.issuer)
    settings.SECURE_CSP = csp
    cache.clear()
    yield op
    cache.clear()


def _proconnect_login(page: Page, op, live_server, login: str) -> None:
    """From our login page: the ProConnect button, the provider's form, back to us."""
    visit(page, "/compte/connexion/")
    with page.expect_navigation(url=re.compile(rf"^{re.escape(op.issuer)}/interaction/")):
        page.get_by_role("link", name="S'identifier avec ProConnect").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation(url=re.compile(rf"^{re.escape(live_server.url)}/")):
        page.get_by_role("button", name="Se connecter").click()
    check_a11y(page)


def test_agent_logs_in_and_out_through_proconnect(page, live_server, proconnect):
    body = BodyFactory(name="Commune de Saulieu")
    agent = UserFactory(email="camille.martin@mairie.example.fr")
    membership(agent, body, ["agent"])

    _proconnect_login(page, proconnect, live_server, "camille")
    expect(page).to_have_url(f"{live_server.url}/o/{body.siren}/")
    expect(page.get_by_role("banner")).to_contain_text("Organisme actif : Commune de Saulieu")
    # The only foreign document was the provider's form.
    assert len(foreign_pages(page)) == 1, foreign_pages(page)
    assert "/interaction/" in foreign_pages(page)[0]

    # Logged out here, then at the provider (its page submits itself), then back here.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/compte/connexion/")
    check_a11y(page)
    expect(page.get_by_role("status")).to_contain_text(
        "Vous êtes déconnecté de Territoires et de ProConnect."
    )
    assert any("/session/end" in url for url in foreign_pages(page)), foreign_pages(page)

    # Our session is over, and so is the provider's: its form asks for the password again.
    visit(page, "/")
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("banner")).not_to_contain_text("Commune de Saulieu")
    visit(page, "/compte/connexion/")
    with page.expect_navigation(url=re.compile(rf"^{re.escape(proconnect.issuer)}/interaction/")):
        page.get_by_role("link", name="S'identifier avec ProConnect").click()
    expect(page.locator("input[name=password]")).to_be_visible()


def test_unknown_email_is_told_how_to_get_an_account(page, live_server, proconnect):
    UserFactory(email="quelqu.un@mairie.example.fr")
    allow_error(page, r"status of 403")  # the explanation page is a 403

    _proconnect_login(page, proconnect, live_server, "inconnu")
    expect(page).to_have_url(re.compile(r"/compte/proconnect/callback/\?"))
    expect(page).to_have_title(re.compile("Votre compte n'est pas encore ouvert"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre compte n'est pas encore ouvert"
    )
    expect(page.get_by_role("main")).to_contain_text("personne.inconnue@mairie.example.fr")
    adhesion = page.get_by_role("link", name="demander son adhésion")
    expect(adhesion).to_have_attribute("href", reverse("tenancy:adhesion"))
    expect(page.get_by_role("banner")).not_to_contain_text("Organisme actif")
