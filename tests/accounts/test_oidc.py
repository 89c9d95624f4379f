"""ProConnect login, end to end against the npm test provider (tests/oidc_provider)."""

import secrets
from urllib.parse import parse_qs, urlsplit

import requests
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from joserfc.jwk import RSAKey

from territoires.accounts import oidc
from territoires.accounts.models import AccountKind
from territoires.journal.models import JournalEntry
from tests.accounts.conftest_oidc import (  # noqa: F401 (fixtures)
    CALLBACK_URI,
    CLIENT_ID,
    LOGOUT_URI,
    SELF_ASSERTED,
    TIMEOUT,
    authorize,
    browser,
    local,
    op,
    proconnect,
    proconnect_login,
    submit,
)
from tests.factories import BodyFactory, UserFactory, membership


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def logged_in_id(client):
    return client.session.get("_auth_user_id")


def last_entry(action: str) -> JournalEntry:
    return JournalEntry.objects.filter(action=action).order_by("-seq").first()


def test_known_agent_logs_in_with_the_id_token_and_acr_kept(client, proconnect, browser):
    agent = UserFactory(email="camille.martin@mairie.example.fr", first_name="Camille-Anne",
                        last_name="Martin-Dupré")
    membership(agent, BodyFactory(), ["agent"])

    authorized = authorize(client, browser, "camille", next_url="/o/")
    params = query(authorized.authorize_url)
    assert authorized.authorize_url.startswith(f"{proconnect.issuer}/authorize?")
    assert params["response_type"] == "code" and params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == CALLBACK_URI
    assert params["scope"] == "openid given_name usual_name email uid siret idp_id"
    assert params["acr_values"] == "eidas1"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["state"] != params["nonce"]

    response = client.get(local(authorized.callback_url))
    assert response.status_code == 302 and response["Location"] == "/o/"
    assert logged_in_id(client) == str(agent.pk)
    session = client.session
    assert session["oidc_acr"] == "eidas1"
    assert session["oidc_id_token"].count(".") == 2
    assert session["second_factor_ok"] is True  # a plain agent needs no second factor
    assert "oidc_pending" not in session
    entry = last_entry("login.proconnect")
    assert entry.actor == agent and "acr : eidas1" in entry.summary
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Camille-Anne", "Martin-Dupré")  # kept
    home = client.get("/")  # straight to the body's home, no second-factor detour
    assert home.status_code == 302
    assert home["Location"] == reverse("tenancy:home", args=[agent.memberships.get().body.siren])

    # The code and the state are single use: replaying the callback is refused.
    replay = client.get(local(authorized.callback_url))
    assert replay.status_code == 400
    assert "a expiré ou a déjà été utilisée" in replay.content.decode()


def test_email_is_matched_case_insensitively_and_empty_names_filled(client, proconnect, browser):
    agent = UserFactory(email="dominique.durand@mairie.example.fr", first_name="", last_name="")
    response = proconnect_login(client, browser, "dominique")
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_id(client) == str(agent.pk)
    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name) == ("Dominique", "Durand")


def test_unknown_email_gets_the_explanation_page(client, proconnect, browser):
    UserFactory(email="quelqu.un@mairie.example.fr")
    response = proconnect_login(client, browser, "inconnu")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Votre compte n'est pas encore ouvert" in page
    assert "personne.inconnue@mairie.example.fr" in page
    assert "« Agents »" in page
    assert f'href="{reverse("tenancy:adhesion")}"' in page
    assert logged_in_id(client) is None
    assert client.session["oidc_id_token"]  # so that "another account" can log out there
    entry = last_entry("login.proconnect_refused")
    assert entry.actor is None and "personne.inconnue@mairie.example.fr" in entry.summary


def test_sub_is_never_used_for_matching(client, proconnect, browser):
    # The provider's sub is "claude@mairie.example.fr"; its verified e-mail is another one.
    claude = UserFactory(email="claude@mairie.example.fr")
    response = proconnect_login(client, browser, "claude@mairie.example.fr")
    assert response.status_code == 403
    assert "usurpateur@ailleurs.example.fr" in response.content.decode()
    assert logged_in_id(client) is None
    assert not JournalEntry.objects.filter(action="login.proconnect", actor=claude).exists()


def test_company_and_inactive_accounts_are_refused(client, proconnect, browser):
    UserFactory(email="contact@entreprise.example.fr", kind=AccountKind.COMPANY)
    response = proconnect_login(client, browser, "entreprise")
    assert response.status_code == 403 and logged_in_id(client) is None
    assert "réservé aux agents" in response.content.decode()

    UserFactory(email="ancien.agent@mairie.example.fr", is_active=False)
    with requests.Session() as other_browser:
        response = proconnect_login(client, other_browser, "ancien")
    assert response.status_code == 403 and logged_in_id(client) is None
    assert "Votre compte est désactivé" in response.content.decode()


def test_self_asserted_acr_is_requested_and_recorded(client, proconnect, browser, settings):
    settings.PROCONNECT_ACR_VALUES = SELF_ASSERTED
    UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    assert query(authorized.authorize_url)["acr_values"] == SELF_ASSERTED
    assert client.get(local(authorized.callback_url)).status_code == 302
    assert client.session["oidc_acr"] == SELF_ASSERTED
    assert SELF_ASSERTED in last_entry("login.proconnect").summary


def test_administrator_without_mfa_acr_still_goes_to_totp(client, proconnect, browser):
    admin = UserFactory(email="alex.admin@mairie.example.fr")
    body = BodyFactory()
    membership(admin, body, ["administrateur"])
    response = proconnect_login(client, browser, "admin", next_url=f"/o/{body.siren}/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:totp_setup")
    assert logged_in_id(client) == str(admin.pk)
    assert client.session["second_factor_ok"] is False
    assert client.session["oidc_acr"] == "eidas1"
    # And the middleware keeps them there whatever page they try.
    detour = client.get(f"/o/{body.siren}/")
    assert detour.status_code == 302 and detour["Location"] == reverse("accounts:totp_setup")


def test_agent_with_totp_still_owes_the_code_after_a_single_factor_acr(
    client, proconnect, browser
):
    agent = UserFactory(email="camille.martin@mairie.example.fr",
                        totp_secret="JBSWY3DPEHPK3PXP", totp_confirmed_at=timezone.now())
    response = proconnect_login(client, browser, "camille")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:totp_verify")
    assert logged_in_id(client) is None  # not logged in before the code
    assert client.session["oidc_id_token"]  # kept for the logout that follows
    assert JournalEntry.objects.filter(action="login.proconnect", actor=agent).exists()


def test_tampered_state_is_refused_and_journaled(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    params = authorized.callback_params
    params["state"] = secrets.token_urlsafe(32)
    response = client.get(reverse("oidc:callback"), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "ne correspond pas à votre demande" in page
    assert f'href="{reverse("oidc:login")}"' in page  # retry link
    assert logged_in_id(client) is None
    assert last_entry("login.proconnect_failed").summary.endswith("state_mismatch")


def test_non_ascii_state_is_refused_without_crashing(client, proconnect):
    client.get(reverse("oidc:login"))
    response = client.get(reverse("oidc:callback"), {"state": "état-forgé", "code": "x"})
    assert response.status_code == 400
    assert "ne correspond pas à votre demande" in response.content.decode()


def test_provider_error_is_explained(client, proconnect):
    start = client.get(reverse("oidc:login"))
    state = query(start["Location"])["state"]
    response = client.get(reverse("oidc:callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 400
    assert "a été annulée" in response.content.decode()
    assert last_entry("login.proconnect_failed").summary.endswith("access_denied")


def test_unreachable_provider_gives_a_french_page(client, proconnect, settings):
    settings.PROCONNECT_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"
    response = client.get(reverse("oidc:login"))
    assert response.status_code == 502
    assert "ProConnect ne répond pas" in response.content.decode()
    assert last_entry("login.proconnect_failed").summary.endswith("provider_unreachable")


def test_token_endpoint_failure_gives_a_french_page(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    key = oidc._cache_key("discovery", proconnect.discovery_url)
    cache.set(key, {**cache.get(key), "token_endpoint": "http://127.0.0.1:9/token"})
    response = client.get(local(authorized.callback_url))
    assert response.status_code == 502 and logged_in_id(client) is None
    assert "ProConnect ne répond pas" in response.content.decode()


def provider_jwks(provider) -> tuple[dict, str]:
    discovery = requests.get(provider.discovery_url, timeout=TIMEOUT).json()
    return requests.get(discovery["jwks_uri"], timeout=TIMEOUT).json(), discovery["jwks_uri"]


def test_signature_by_another_key_is_refused(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    jwks, jwks_uri = provider_jwks(proconnect)
    kid = jwks["keys"][0]["kid"]
    impostor = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})
    cache.set(oidc._cache_key("jwks", jwks_uri), {"keys": [impostor.as_dict(private=False)]})
    response = client.get(local(authorized.callback_url))
    assert response.status_code == 400 and logged_in_id(client) is None
    assert "n&#x27;a pas pu être vérifiée" in response.content.decode()
    assert last_entry("login.proconnect_failed").summary.endswith("invalid_token")


def test_unknown_kid_refetches_the_keys_once(client, proconnect, browser):
    agent = UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    _, jwks_uri = provider_jwks(proconnect)
    old = RSAKey.generate_key(2048, parameters={"kid": "ancienne-cle", "use": "sig"})
    cache.set(oidc._cache_key("jwks", jwks_uri), {"keys": [old.as_dict(private=False)]})
    response = client.get(local(authorized.callback_url))
    assert response.status_code == 302 and logged_in_id(client) == str(agent.pk)
    cached = cache.get(oidc._cache_key("jwks", jwks_uri))
    assert "ancienne-cle" not in {key["kid"] for key in cached["keys"]}


def tamper_pending(client, **changes):
    session = client.session
    session["oidc_pending"] = {**session["oidc_pending"], **changes}
    session.save()


def test_nonce_mismatch_is_refused(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    tamper_pending(client, nonce=secrets.token_urlsafe(32))
    response = client.get(local(authorized.callback_url))
    assert response.status_code == 400 and logged_in_id(client) is None


def test_acr_that_was_not_requested_is_refused(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    authorized = authorize(client, browser, "camille")
    tamper_pending(client, acr_values=["eidas2"])
    response = client.get(local(authorized.callback_url))
    assert response.status_code == 400 and logged_in_id(client) is None


def test_open_redirect_in_next_is_ignored(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    response = proconnect_login(client, browser, "camille", next_url="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


def request_with_session(client):
    request = RequestFactory().post("/compte/deconnexion/")
    request.session = client.session
    return request


def test_logout_at_the_provider_round_trip(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    assert proconnect_login(client, browser, "camille").status_code == 302
    id_token = client.session["oidc_id_token"]

    url = oidc.proconnect_logout_url(request_with_session(client), LOGOUT_URI)
    discovery = requests.get(proconnect.discovery_url, timeout=TIMEOUT).json()
    assert url.startswith(discovery["end_session_endpoint"] + "?")
    params = query(url)
    assert params["id_token_hint"] == id_token
    assert params["post_logout_redirect_uri"] == LOGOUT_URI
    assert len(params["state"]) >= 32

    page = browser.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    done = submit(browser, page, LOGOUT_URI)
    assert done.status_code == 303, done.text
    assert done.headers["Location"].startswith(LOGOUT_URI + "?")
    assert query(done.headers["Location"]) == {"state": params["state"]}

    client.logout()  # what the lead's logout view does right after
    back = client.get(local(done.headers["Location"]), follow=True)
    assert back.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "Vous êtes déconnecté de Territoires et de ProConnect." in back.content.decode()

    # The provider's session is over: logging in again asks for the password.
    start = client.get(reverse("oidc:login"))
    form = browser.get(start["Location"], timeout=TIMEOUT)
    assert 'name="password"' in form.text


def test_logout_url_only_for_proconnect_sessions(client, proconnect):
    agent = UserFactory()
    client.force_login(agent)
    assert oidc.proconnect_logout_url(request_with_session(client), LOGOUT_URI) is None
    session = client.session
    session["oidc_id_token"] = "a.b.c"
    session.save()
    url = oidc.proconnect_logout_url(request_with_session(client))
    assert query(url)["post_logout_redirect_uri"] == "http://testserver" + reverse(
        "oidc:logout_callback")


def test_logout_callback_with_a_forged_state(client, proconnect):
    response = client.get(reverse("oidc:logout_callback"), {"state": "x" * 43})
    assert response.status_code == 400
    assert "n&#x27;a pas été reconnu" in response.content.decode()


def test_login_page_offers_proconnect_when_configured(client, proconnect):
    page = client.get(reverse("accounts:login"), {"next": "/o/"}).content.decode()
    assert f'href="{reverse("oidc:login")}?next=%2Fo%2F"' in page
    assert "S'identifier avec ProConnect" in page


def test_logout_view_sends_proconnect_sessions_to_the_provider(client, proconnect, browser):
    UserFactory(email="camille.martin@mairie.example.fr")
    assert proconnect_login(client, browser, "camille").status_code == 302
    response = client.post(reverse("accounts:logout"))
    discovery = requests.get(proconnect.discovery_url, timeout=TIMEOUT).json()
    assert response.status_code == 302
    assert response["Location"].startswith(discovery["end_session_endpoint"] + "?")
    assert "_auth_user_id" not in client.session


def test_logout_view_without_proconnect_stays_local(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
