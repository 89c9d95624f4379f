"""End-to-end check of the test OpenID Provider with a plain HTTP client (no Django)."""

import base64
import json
import secrets
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from harness import parse_form, run_provider

CLIENT_ID = "territoires"
CLIENT_SECRET = "client-secret-for-tests"  # noqa: S105
# Nothing listens there: the flow stops at the redirect, whose Location we read.
REDIRECT_URI = "http://127.0.0.1:9/oidc/callback/"
POST_LOGOUT_URI = "http://127.0.0.1:9/logged-out/"
SCOPE = "openid given_name usual_name email uid siret idp_id"
USER = {
    "password": "mot-de-passe",
    "email": "camille.martin@mairie.example.fr",
    "given_name": "Camille",
    "usual_name": "Martin",
    "uid": "42",
    "siret": "21440109300015",
    "idp_id": "fia1v2",
}
TIMEOUT = 10


@pytest.fixture(scope="module")
def op():
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [REDIRECT_URI],
        "post_logout_redirect_uris": [POST_LOGOUT_URI],
    }
    with run_provider(clients=[client], users={"camille": USER}) as provider:
        discovery = requests.get(provider.discovery_url, timeout=TIMEOUT).json()
        assert discovery["issuer"] == provider.issuer
        yield discovery


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def jwt_part(token: str, index: int = 1) -> dict:
    """Decode a JWT's header (0) or payload (1) without checking the signature."""
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def follow(http: requests.Session, response: requests.Response, stop_at: str) -> requests.Response:
    """Follow redirects by hand, stopping before any URL that starts with ``stop_at``."""
    while response.is_redirect:
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(stop_at):
            return response
        response = http.get(location, allow_redirects=False, timeout=TIMEOUT)
    return response


def authorize(http, op, *, acr="eidas1"):
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "acr_values": acr,
    }
    response = http.get(
        op["authorization_endpoint"], params=params, allow_redirects=False, timeout=TIMEOUT
    )
    return params, follow(http, response, REDIRECT_URI)


def submit(http, page, stop_at, **values):
    action, fields = parse_form(page.text)
    response = http.post(
        urljoin(page.url, action), data={**fields, **values}, allow_redirects=False, timeout=TIMEOUT
    )
    return follow(http, response, stop_at)


def callback_params(response):
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def test_full_login_userinfo_and_logout(op, http):
    params, login_page = authorize(http, op)
    assert login_page.status_code == 200
    assert 'name="login"' in login_page.text and 'name="password"' in login_page.text

    callback = callback_params(
        submit(http, login_page, REDIRECT_URI, login="camille", password=USER["password"])
    )
    assert callback["state"] == params["state"]
    assert callback["iss"] == op["issuer"]

    tokens = requests.post(
        op["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT_URI,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),  # client_secret_basic
        timeout=TIMEOUT,
    )
    assert tokens.status_code == 200, tokens.text
    id_token = tokens.json()["id_token"]
    assert jwt_part(id_token, 0)["alg"] == "RS256"
    claims = jwt_part(id_token)
    assert claims["nonce"] == params["nonce"]
    assert claims["acr"] == "eidas1"
    assert claims["sub"] == "camille"
    assert claims["aud"] == CLIENT_ID and claims["iss"] == op["issuer"]

    userinfo = requests.get(
        op["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
        timeout=TIMEOUT,
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.headers["Content-Type"].startswith("application/jwt")
    info = jwt_part(userinfo.text)
    assert info["sub"] == "camille"
    for claim in ("email", "given_name", "usual_name", "siret", "idp_id", "uid"):
        assert info[claim] == USER[claim]

    # RP-initiated logout: the confirmation page is a self-submitting form; a plain HTTP
    # client posts its fields as they are.
    state = secrets.token_urlsafe(32)
    page = http.get(
        op["end_session_endpoint"],
        params={
            "id_token_hint": id_token,
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": state,
        },
        timeout=TIMEOUT,
    )
    assert page.status_code == 200, page.text
    done = submit(http, page, POST_LOGOUT_URI)
    assert done.status_code == 303, done.text
    assert done.headers["Location"] == f"{POST_LOGOUT_URI}?state={state}"

    # The session is gone: a new authorization request asks for the password again.
    _, page = authorize(http, op)
    assert page.status_code == 200 and 'name="password"' in page.text


def test_login_by_email_with_self_asserted_acr_and_client_secret_post(op, http):
    acr = "https://proconnect.gouv.fr/assurance/self-asserted"
    params, login_page = authorize(http, op, acr=acr)
    callback = callback_params(
        submit(http, login_page, REDIRECT_URI, login=USER["email"], password=USER["password"])
    )
    tokens = requests.post(
        op["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },  # client_secret_post
        timeout=TIMEOUT,
    )
    assert tokens.status_code == 200, tokens.text
    claims = jwt_part(tokens.json()["id_token"])
    assert claims["acr"] == acr and claims["nonce"] == params["nonce"]


def test_wrong_password_shows_the_form_again(op, http):
    _, login_page = authorize(http, op)
    wrong = USER["password"] + "-wrong"
    page = submit(http, login_page, REDIRECT_URI, login="camille", password=wrong)
    assert page.status_code == 200
    assert "incorrect" in page.text and 'name="password"' in page.text


def test_missing_nonce_is_refused_like_proconnect(op, http):
    response = http.get(
        op["authorization_endpoint"],
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPE,
            "state": secrets.token_urlsafe(32),
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert callback_params(response)["error"] == "invalid_request"
