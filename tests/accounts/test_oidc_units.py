"""ProConnect client pieces that the test provider cannot produce: other acr values,
forged or expired tokens, plain JSON userinfo, the button, the disabled state.

Tokens here are signed with a key made in the test; its JWKS sits in Django's
cache under the provider's jwks_uri, exactly where `oidc.provider_keys` looks.
"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.cache import cache
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from territoires.accounts import oidc
from territoires.journal.models import JournalEntry
from territoires.journal.services import payload_digest
from tests.factories import BodyFactory, UserFactory, membership

ISSUER = "https://auth.proconnect.example"
CLIENT_ID = "territoires-unit"
JWKS_URI = f"{ISSUER}/jwks"  # never fetched: the keys are put in the cache
METADATA = {"issuer": ISSUER, "jwks_uri": JWKS_URI}
NONCE = "n" * 43
KEY = RSAKey.generate_key(2048, parameters={"kid": "cle-de-test", "alg": "RS256", "use": "sig"})


@pytest.fixture(autouse=True)
def _provider_settings(settings):
    settings.PROCONNECT_DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"
    settings.PROCONNECT_CLIENT_ID = CLIENT_ID
    settings.PROCONNECT_CLIENT_SECRET = "secret-du-client-de-test-assez-long"  # noqa: S105
    settings.PROCONNECT_ACR_VALUES = "eidas1"
    cache.clear()
    cache.set(oidc._cache_key("jwks", JWKS_URI), {"keys": [KEY.as_dict(private=False)]})
    yield
    cache.clear()


def sign(claims: dict, key=KEY, alg="RS256", kid="cle-de-test") -> str:
    header = {"alg": alg} | ({"kid": kid} if kid else {})
    return jwt.encode(header, claims, key)


def id_claims(**changes) -> dict:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "abc", "exp": now + 60, "iat": now,
              "nonce": NONCE, "acr": "eidas1"}
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def test_a_well_formed_id_token_is_accepted():
    claims = oidc.verify_id_token(sign(id_claims()), metadata=METADATA, nonce=NONCE,
                                  acr_values=["eidas1"])
    assert claims["sub"] == "abc" and claims["acr"] == "eidas1"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://autre-fournisseur.example"},
        {"aud": "un-autre-client"},
        {"aud": [CLIENT_ID, "un-autre-client"]},  # several audiences without azp
        {"exp": int(time.time()) - 120},
        {"exp": None},
        {"iat": None},
        {"sub": None},
        {"nonce": "x" * 43},
        {"nonce": None},
        {"acr": None},
        {"acr": "eidas2"},  # not what we asked for
    ],
    ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()),
)
def test_id_token_claims_are_checked(changes):
    with pytest.raises(oidc.OIDCError) as error:
        oidc.verify_id_token(sign(id_claims(**changes)), metadata=METADATA, nonce=NONCE,
                             acr_values=["eidas1"])
    assert error.value.code == "invalid_token" and error.value.status == 400


def test_several_audiences_need_azp():
    token = sign(id_claims(aud=[CLIENT_ID, "autre"], azp=CLIENT_ID))
    assert oidc.verify_id_token(token, metadata=METADATA, nonce=NONCE, acr_values=["eidas1"])


def unsigned(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}."


@pytest.mark.parametrize("alg", ["HS256", "none"])
def test_symmetric_and_unsigned_tokens_are_refused(alg, settings):
    # Whoever knows the client secret (or nothing at all) must not forge an id_token.
    if alg == "none":
        token = unsigned(id_claims())
    else:
        secret = OctKey.import_key(settings.PROCONNECT_CLIENT_SECRET)
        token = sign(id_claims(), key=secret, alg="HS256", kid=None)
    with pytest.raises(oidc.OIDCError) as error:
        oidc.verify_id_token(token, metadata=METADATA, nonce=NONCE, acr_values=["eidas1"])
    assert error.value.code == "invalid_token"


def test_garbage_instead_of_a_token_is_refused():
    with pytest.raises(oidc.OIDCError):
        oidc.verify_id_token("pas-un-jeton", metadata=METADATA, nonce=NONCE, acr_values=[])


@pytest.mark.parametrize(
    ("acr", "multi_factor"),
    [
        ("eidas1", False),
        ("eidas2", True),
        ("eidas3", True),
        ("https://proconnect.gouv.fr/assurance/self-asserted", False),
        ("https://proconnect.gouv.fr/assurance/self-asserted-2fa", True),
        ("https://proconnect.gouv.fr/assurance/consistency-checked", False),
        ("https://proconnect.gouv.fr/assurance/consistency-checked-2fa", True),
        ("", False),
    ],
)
def test_which_acr_stands_for_a_second_factor(acr, multi_factor):
    assert oidc.acr_is_multi_factor(acr) is multi_factor


# --- userinfo, served by a tiny local HTTP server -----------------------------------


class _Userinfo(BaseHTTPRequestHandler):
    reply: tuple[int, str, bytes] = (200, "application/json", b"{}")

    def do_GET(self):  # noqa: N802 (http.server API)
        status, content_type, body = type(self).reply
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def userinfo_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Userinfo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    metadata = {**METADATA, "userinfo_endpoint": f"http://127.0.0.1:{server.server_port}/userinfo"}

    def serve(status, content_type, body):
        _Userinfo.reply = (status, content_type, body if isinstance(body, bytes) else body.encode())
        return metadata

    yield serve
    server.shutdown()
    server.server_close()
    thread.join()


def test_plain_json_userinfo_is_accepted(userinfo_server):
    body = json.dumps({"sub": "abc", "email": "Agent@Mairie.example.fr"})
    metadata = userinfo_server(200, "application/json; charset=utf-8", body)
    info = oidc.fetch_userinfo(metadata=metadata, access_token="t", sub="abc")
    assert info["email"] == "Agent@Mairie.example.fr"


def test_signed_userinfo_is_verified(userinfo_server):
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "abc", "email": "a@mairie.example.fr"}
    metadata = userinfo_server(200, "application/jwt", sign(claims))
    assert oidc.fetch_userinfo(metadata=metadata, access_token="t", sub="abc")["sub"] == "abc"


@pytest.mark.parametrize(
    ("status", "content_type", "body", "code"),
    [
        (200, "application/json", json.dumps({"sub": "autre", "email": "a@b.fr"}), "invalid_token"),
        (200, "application/json", "[]", "invalid_token"),
        (200, "text/html", "<p>oups</p>", "invalid_token"),
        (200, "application/jwt", sign({"iss": "https://x.example", "aud": CLIENT_ID,
                                       "sub": "abc"}), "invalid_token"),
        (200, "application/jwt", sign({"iss": ISSUER, "aud": "autre", "sub": "abc"}),
         "invalid_token"),
        (200, "application/jwt",
         sign({"iss": ISSUER, "aud": CLIENT_ID, "sub": "abc"},
              key=RSAKey.generate_key(2048, parameters={"kid": "cle-de-test"})),
         "invalid_token"),
        (401, "application/json", "{}", "invalid_token"),
        (503, "text/plain", "maintenance", "provider_unreachable"),
    ],
    ids=["other-sub", "not-an-object", "html", "jwt-iss", "jwt-aud", "jwt-key", "401", "503"],
)
def test_bad_userinfo_is_refused(userinfo_server, status, content_type, body, code):
    metadata = userinfo_server(status, content_type, body)
    with pytest.raises(oidc.OIDCError) as error:
        oidc.fetch_userinfo(metadata=metadata, access_token="t", sub="abc")
    assert error.value.code == code


# --- opening the session --------------------------------------------------------------


def anonymous_request():
    request = RequestFactory().get(reverse("oidc:callback"))
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = AnonymousUser()
    return request


def identity(email: str, acr: str) -> oidc.Identity:
    return oidc.Identity(sub="abc", email=email, acr=acr, id_token="a.b.c")


@pytest.mark.parametrize(
    "acr", ["eidas2", "https://proconnect.gouv.fr/assurance/self-asserted-2fa"]
)
def test_multi_factor_acr_stands_for_the_administrators_second_factor(acr):
    admin = UserFactory(totp_secret="JBSWY3DPEHPK3PXP", totp_confirmed_at=timezone.now())
    membership(admin, BodyFactory(), ["administrateur"])
    request = anonymous_request()
    outcome = oidc.proconnect_agent_match(identity=identity(admin.email.upper(), acr))
    response = oidc.session_open(request, user=outcome.user, identity=identity(admin.email, acr),
                                 next_url="/o/")
    assert response["Location"] == "/o/"
    assert request.session["_auth_user_id"] == str(admin.pk)
    assert request.session["second_factor_ok"] is True
    assert request.session["oidc_acr"] == acr and request.session["oidc_id_token"] == "a.b.c"
    success = JournalEntry.objects.filter(action="login.success", actor=admin).get()
    assert success.payload_hash == payload_digest({"method": "proconnect-mfa"})
    assert JournalEntry.objects.filter(action="login.proconnect", actor=admin).exists()


def test_single_factor_acr_leaves_the_administrator_halfway():
    admin = UserFactory()
    membership(admin, BodyFactory(), ["administrateur"])
    request = anonymous_request()
    response = oidc.session_open(request, user=admin, identity=identity(admin.email, "eidas1"),
                                 next_url="/o/")
    assert response["Location"] == reverse("accounts:totp_setup")
    assert request.session["_auth_user_id"] == str(admin.pk)
    assert request.session["second_factor_ok"] is False


# --- disabled, and the button ---------------------------------------------------------


BUTTON = Template('{% include "accounts/_proconnect_button.html" %}')


def test_button_links_to_the_login_with_next(settings):
    html = BUTTON.render(Context({"next": "/o/123456789/"}))
    assert "S&#x27;identifier avec ProConnect" in html or "S'identifier avec ProConnect" in html
    assert f'href="{reverse("oidc:login")}?next=%2Fo%2F123456789%2F"' in html
    assert f'href="{reverse("oidc:login")}"' in BUTTON.render(Context({}))


def test_disabled_proconnect_hides_the_button_and_the_pages(settings, client):
    settings.PROCONNECT_DISCOVERY_URL = ""
    assert BUTTON.render(Context({"next": "/"})).strip() == ""
    assert client.get(reverse("oidc:login")).status_code == 404
    assert client.get(reverse("oidc:callback"), {"state": "x", "code": "y"}).status_code == 404
    assert oidc.proconnect_logout_url(anonymous_request()) is None
