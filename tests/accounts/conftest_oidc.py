"""ProConnect test kit: the npm test provider and a helper driving a whole login.

Imported explicitly by tests/accounts/test_oidc*.py (not a conftest: pytest does not
load it by itself). Our side is Django's test client; the provider's side is a
`requests` session that plays the browser (cookies of the provider's SSO session).
"""

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.urls import reverse

from tests.oidc_provider.harness import parse_form, run_provider

CLIENT_ID = "territoires-test"
CLIENT_SECRET = secrets.token_urlsafe(24)
CALLBACK_URI = "http://testserver/compte/proconnect/callback/"
LOGOUT_URI = "http://testserver/compte/proconnect/deconnexion/"
PASSWORD = "mot-de-passe-du-fournisseur"
SELF_ASSERTED = "https://proconnect.gouv.fr/assurance/self-asserted"
TIMEOUT = 10


def provider_user(email: str, given_name: str = "Camille", usual_name: str = "Martin") -> dict:
    return {
        "password": PASSWORD,
        "email": email,
        "given_name": given_name,
        "usual_name": usual_name,
        "uid": "42",
        "siret": "21440109300015",
        "idp_id": "fia1v2",
    }


# accountId (the `sub`) -> claims. Each test uses its own accounts.
PROVIDER_USERS = {
    "camille": provider_user("camille.martin@mairie.example.fr"),
    "dominique": provider_user("Dominique.Durand@Mairie.Example.FR", "Dominique", "Durand"),
    "inconnu": provider_user("personne.inconnue@mairie.example.fr", "Personne", "Inconnue"),
    "admin": provider_user("alex.admin@mairie.example.fr", "Alex", "Admin"),
    # The sub looks like the e-mail of an existing account; the verified e-mail differs.
    "claude@mairie.example.fr": provider_user("usurpateur@ailleurs.example.fr", "Claude", "X"),
    "entreprise": provider_user("contact@entreprise.example.fr", "Eva", "Entreprise"),
    "ancien": provider_user("ancien.agent@mairie.example.fr", "Ancien", "Agent"),
    "sansnom": provider_user("sans.nom@mairie.example.fr", "Sacha", "Nouveau"),
}


@pytest.fixture(scope="module")
def op():
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [CALLBACK_URI],
        "post_logout_redirect_uris": [LOGOUT_URI],
    }
    with run_provider(clients=[client], users=PROVIDER_USERS) as provider:
        yield provider


@pytest.fixture
def proconnect(op, settings):
    """Point the settings at the test provider; start with empty caches."""
    settings.PROCONNECT_DISCOVERY_URL = op.discovery_url
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
    settings.PROCONNECT_SCOPES = "openid given_name usual_name email uid siret idp_id"
    settings.PROCONNECT_ACR_VALUES = "eidas1"
    cache.clear()
    yield op
    cache.clear()


@pytest.fixture
def browser():
    """The provider's side of the browser (its cookies hold the provider's session)."""
    with requests.Session() as session:
        yield session


def follow(browser: requests.Session, response: requests.Response, stop_at: str):
    """Follow redirects by hand, stopping before any URL that starts with `stop_at`."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(stop_at):
            return response
        response = browser.get(location, allow_redirects=False, timeout=TIMEOUT)
    return response


def submit(browser: requests.Session, page: requests.Response, stop_at: str, **values):
    action, fields = parse_form(page.text)
    response = browser.post(urljoin(page.url, action), data={**fields, **values},
                            allow_redirects=False, timeout=TIMEOUT)
    return follow(browser, response, stop_at)


def local(url: str) -> str:
    """`http://testserver/path?query` -> `/path?query` for Django's test client."""
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass
class Authorized:
    authorize_url: str  # where our login view sent the browser
    callback_url: str  # where the provider sends it back (not followed yet)

    @property
    def callback_params(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(urlsplit(self.callback_url).query).items()}


def authorize(client, browser, login: str, *, next_url: str | None = None) -> Authorized:
    """Our login view -> provider -> login form -> credentials -> callback URL (not followed)."""
    query = {"next": next_url} if next_url else {}
    start = client.get(reverse("oidc:login"), query)
    assert start.status_code == 302, start.content
    authorize_url = start["Location"]
    response = browser.get(authorize_url, allow_redirects=False, timeout=TIMEOUT)
    page = follow(browser, response, CALLBACK_URI)
    if page.is_redirect:  # SSO session still open at the provider: no form
        done = page
    else:
        assert page.status_code == 200 and 'name="password"' in page.text, page.text
        done = submit(browser, page, CALLBACK_URI, login=login, password=PASSWORD)
    assert done.status_code == 303, done.text
    callback = urljoin(done.url, done.headers["Location"])
    assert callback.startswith(CALLBACK_URI), callback
    return Authorized(authorize_url=authorize_url, callback_url=callback)


def proconnect_login(client, browser, login: str, **kwargs):
    """The whole flow; returns our callback's response."""
    authorized = authorize(client, browser, login, **kwargs)
    return client.get(local(authorized.callback_url))
