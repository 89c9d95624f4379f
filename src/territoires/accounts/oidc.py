"""ProConnect (OpenID Connect) login for agents: a small client on requests + joserfc.

Why in-house rather than mozilla-django-oidc: ProConnect answers userinfo with a
signed JWT, agents must be matched on their verified e-mail (never on `sub`, which
changes per client and identity provider), the `acr` decides whether the login
also stands for our second factor, and the id_token must be kept for logout.
Each of those is a hook or an override in the library; here it is one page of
code, tested end to end against npm `oidc-provider` (tests/oidc_provider).

Flow: `authorization_url` stores state/nonce in the session, the provider sends
the browser back to the callback view, which calls `callback_identity` (code
exchange, id_token and userinfo verification), `proconnect_agent_match` and
`session_open` (which hands over to the shared login sequence, accounts/flow.py).
Every failure raises `OIDCError`, whose message is French and safe to show.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from django.contrib.auth import login, logout
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from territoires.accounts import flow
from territoires.accounts import services as accounts_services
from territoires.accounts.middleware import second_factor_mark
from territoires.accounts.models import AccountKind, User
from territoires.journal.services import journal_record

logger = logging.getLogger(__name__)

PENDING_SESSION_KEY = "oidc_pending"  # state, nonce, requested acr, next URL
ID_TOKEN_SESSION_KEY = "oidc_id_token"  # kept for RP-initiated logout  # noqa: S105 (not a secret)
ACR_SESSION_KEY = "oidc_acr"  # assurance level of the current login
PASSWORD_BACKEND = flow.PASSWORD_BACKEND  # ModelBackend.get_user is all a session needs

HTTP_TIMEOUT = 10  # seconds; ProConnect codes live 30 s, so no point waiting longer
DISCOVERY_TTL = 300  # short: a key or endpoint change at the provider is picked up fast
JWKS_TTL = 3600  # long: an unknown `kid` forces one refetch anyway
CLOCK_LEEWAY = 60  # seconds of clock skew accepted on exp/iat
LOGOUT_STATE_SALT = "territoires.accounts.oidc.logout"
LOGOUT_STATE_MAX_AGE = 3600
# Asymmetric algorithms only: keys come from the provider's JWKS, never "none".
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
# ProConnect's multi-factor assurance levels (and eIDAS substantial/high).
MFA_ACR_SUFFIX = "-2fa"
MFA_ACR_VALUES = frozenset({"eidas2", "eidas3"})


class OIDCError(Exception):
    """A failed login step. `code` goes to the journal, `message` to the user."""

    def __init__(self, code: str, message: str, *, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Identity:
    """What ProConnect told us about the person, after every check passed."""

    sub: str
    email: str
    acr: str
    id_token: str
    given_name: str = ""
    usual_name: str = ""
    uid: str = ""
    siret: str = ""
    idp_id: str = ""


@dataclass(frozen=True)
class LoginOutcome:
    """Result of `proconnect_agent_match`: the agent, or why there is none."""

    user: User | None
    refusal: str = ""  # "", "unknown", "not_agent", "inactive"


# --- configuration and provider metadata -------------------------------------------


def is_enabled() -> bool:
    return bool(settings.PROCONNECT_DISCOVERY_URL and settings.PROCONNECT_CLIENT_ID)


def requested_acr_values() -> list[str]:
    return settings.PROCONNECT_ACR_VALUES.split()


def acr_is_multi_factor(acr: str) -> bool:
    """True when the provider vouches for a second factor (ProConnect `…-2fa`, eIDAS 2/3)."""
    return acr.endswith(MFA_ACR_SUFFIX) or acr in MFA_ACR_VALUES


def _unreachable(error: Exception) -> OIDCError:
    logger.warning("ProConnect unreachable: %s", error)
    return OIDCError(
        "provider_unreachable",
        _("ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes."),
        status=502,
    )


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as error:
        raise _unreachable(error) from error
    if not isinstance(data, dict):
        raise _unreachable(ValueError(f"{url} did not return a JSON object"))
    return data


def _cache_key(kind: str, url: str) -> str:
    return f"oidc:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def provider_metadata() -> dict:
    """The discovery document, cached briefly (per process cache is enough)."""
    url = settings.PROCONNECT_DISCOVERY_URL
    key = _cache_key("discovery", url)
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json(url)
        required = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        missing = [name for name in required if not metadata.get(name)]
        if missing:
            raise _unreachable(ValueError(f"discovery lacks {', '.join(missing)}"))
        cache.set(key, metadata, DISCOVERY_TTL)
    return metadata


def provider_keys(metadata: dict, *, refresh: bool = False) -> KeySet:
    """The provider's public keys; `refresh` bypasses the cache (unknown `kid`)."""
    url = metadata["jwks_uri"]
    key = _cache_key("jwks", url)
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(url)
        cache.set(key, data, JWKS_TTL)
    try:
        return KeySet.import_key_set(data)
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise _unreachable(error) from error


# --- authorization request ----------------------------------------------------------


def callback_url(request) -> str:
    return request.build_absolute_uri(reverse("oidc:callback"))


def authorization_url(request, *, next_url: str | None = None, login_hint: str = "") -> str:
    """Build the redirect to ProConnect and remember state and nonce in the session."""
    metadata = provider_metadata()
    state = secrets.token_urlsafe(32)  # 43 characters; ProConnect wants at least 32
    nonce = secrets.token_urlsafe(32)
    acr_values = requested_acr_values()
    request.session[PENDING_SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "acr_values": acr_values,
        "next": flow.safe_next(request, next_url),
    }
    params = {
        "response_type": "code",
        "client_id": settings.PROCONNECT_CLIENT_ID,
        "redirect_uri": callback_url(request),
        "scope": settings.PROCONNECT_SCOPES,
        "state": state,
        "nonce": nonce,
    }
    if acr_values:
        params["acr_values"] = " ".join(acr_values)
    if login_hint:
        params["login_hint"] = login_hint
    endpoint = metadata["authorization_endpoint"]
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params, quote_via=quote)}"


# --- callback: code exchange and token verification ---------------------------------


def _same(received, expected: str) -> bool:
    """Constant-time comparison that also survives non-ASCII or non-string input."""
    return isinstance(received, str) and hmac.compare_digest(received.encode(), expected.encode())


def _invalid_token(detail: str) -> OIDCError:
    logger.warning("ProConnect token refused: %s", detail)
    return OIDCError(
        "invalid_token",
        _("La réponse de ProConnect n'a pas pu être vérifiée. Recommencez la connexion."),
    )


def _token_request(metadata: dict, *, code: str, redirect_uri: str) -> dict:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    client_id, secret = settings.PROCONNECT_CLIENT_ID, settings.PROCONNECT_CLIENT_SECRET
    auth = None
    if "client_secret_basic" in methods:
        # RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
        auth = (quote(client_id, safe=""), quote(secret, safe=""))
    else:
        data.update(client_id=client_id, client_secret=secret)
    try:
        response = requests.post(
            metadata["token_endpoint"], data=data, auth=auth, timeout=HTTP_TIMEOUT,
            headers={"Accept": "application/json"},
        )
    except requests.RequestException as error:
        raise _unreachable(error) from error
    if response.status_code >= 500:
        raise _unreachable(ValueError(f"token endpoint answered {response.status_code}"))
    try:
        tokens = response.json()
    except ValueError:
        tokens = None
    if response.status_code != 200 or not isinstance(tokens, dict):
        raise _invalid_token(f"token endpoint {response.status_code}: {response.text[:200]}")
    if not all(isinstance(tokens.get(name), str) and tokens[name]
               for name in ("id_token", "access_token")):
        raise _invalid_token("token response without id_token or access_token")
    return tokens


def _verify_jws(token: str, metadata: dict) -> dict:
    """Check the signature with the provider's JWKS (refetched once on unknown kid)."""
    try:
        header = extract_compact(token.encode()).headers()
    except (JoseError, ValueError, TypeError) as error:
        raise _invalid_token(f"malformed JWT: {error}") from error
    alg = header.get("alg")
    if alg not in SIGNING_ALGORITHMS:
        raise _invalid_token(f"algorithm {alg!r} refused")
    kid = header.get("kid")
    keys = provider_keys(metadata)
    if kid is not None and kid not in {key.kid for key in keys.keys}:
        keys = provider_keys(metadata, refresh=True)
    try:
        return jwt.decode(token, keys, algorithms=[alg]).claims
    except (JoseError, ValueError) as error:
        raise _invalid_token(f"bad signature or key: {error!r}") from error


def _validate(claims: dict, registry: jwt.JWTClaimsRegistry, what: str) -> None:
    try:
        registry.validate(claims)
    except JoseError as error:
        raise _invalid_token(f"{what}: {error!r}") from error


def verify_id_token(token: str, *, metadata: dict, nonce: str, acr_values: list[str]) -> dict:
    """Signature, iss, aud (and azp), exp, iat, nonce, and an acr we asked for."""
    claims = _verify_jws(token, metadata)
    client_id = settings.PROCONNECT_CLIENT_ID
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_LEEWAY,
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    _validate(claims, registry, "id_token")
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise _invalid_token("id_token azp is not us")
    if not _same(claims.get("nonce"), nonce):
        raise _invalid_token("id_token nonce mismatch")
    acr = claims.get("acr")
    if not isinstance(acr, str) or not acr or (acr_values and acr not in acr_values):
        raise _invalid_token(f"acr {acr!r} not among {acr_values}")
    return claims


def fetch_userinfo(*, metadata: dict, access_token: str, sub: str) -> dict:
    """Userinfo as a signed JWT (ProConnect) or plain JSON; `sub` must match the id_token."""
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        raise _unreachable(ValueError("discovery lacks userinfo_endpoint"))
    try:
        response = requests.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT
        )
    except requests.RequestException as error:
        raise _unreachable(error) from error
    if response.status_code >= 500:
        raise _unreachable(ValueError(f"userinfo answered {response.status_code}"))
    if response.status_code != 200:
        raise _invalid_token(f"userinfo {response.status_code}")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/jwt":
        claims = _verify_jws(response.text.strip(), metadata)
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": settings.PROCONNECT_CLIENT_ID},
        )
        _validate(claims, registry, "userinfo")
    else:
        try:
            claims = response.json()
        except ValueError as error:
            raise _invalid_token(f"userinfo neither JWT nor JSON ({content_type})") from error
        if not isinstance(claims, dict):
            raise _invalid_token("userinfo is not an object")
    if claims.get("sub") != sub:
        raise _invalid_token("userinfo sub differs from id_token sub")
    return claims


def _text(claims: dict, name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def callback_identity(request) -> tuple[Identity, str]:
    """Check the callback parameters against the session and return (identity, next URL).

    Consumes the pending state, so a callback can be used once only.
    """
    pending = request.session.pop(PENDING_SESSION_KEY, None)
    params = request.GET
    if not isinstance(pending, dict):
        raise OIDCError(
            "no_pending_login",
            _("Votre demande de connexion a expiré ou a déjà été utilisée. Recommencez."),
        )
    if not _same(params.get("state"), pending["state"]):
        raise OIDCError(
            "state_mismatch",
            _("La réponse de ProConnect ne correspond pas à votre demande de connexion. "
              "Recommencez la connexion."),
        )
    if params.get("error"):
        if params["error"] == "access_denied":
            raise OIDCError("access_denied", _("La connexion avec ProConnect a été annulée."))
        logger.warning("ProConnect error %s: %s", params["error"], params.get("error_description"))
        raise OIDCError(
            f"provider_error:{params['error'][:40]}",
            _("ProConnect a refusé la demande de connexion. Recommencez, ou utilisez votre "
              "adresse électronique et votre mot de passe."),
        )
    metadata = provider_metadata()
    if "iss" in params and params["iss"] != metadata["issuer"]:  # RFC 9207 mix-up defence
        raise _invalid_token("callback iss differs from the issuer")
    code = params.get("code", "")
    if not code:
        raise _invalid_token("callback without code")

    tokens = _token_request(metadata, code=code, redirect_uri=callback_url(request))
    id_claims = verify_id_token(
        tokens["id_token"], metadata=metadata, nonce=pending["nonce"],
        acr_values=pending["acr_values"],
    )
    info = fetch_userinfo(metadata=metadata, access_token=tokens["access_token"],
                          sub=id_claims["sub"])
    email = _text(info, "email").lower()
    if "@" not in email:
        raise _invalid_token("userinfo without e-mail")
    identity = Identity(
        sub=id_claims["sub"],
        email=email,
        acr=id_claims["acr"],
        id_token=tokens["id_token"],
        given_name=_text(info, "given_name"),
        usual_name=_text(info, "usual_name"),
        uid=_text(info, "uid"),
        siret=_text(info, "siret"),
        idp_id=_text(info, "idp_id"),
    )
    return identity, pending["next"]


# --- matching and login -------------------------------------------------------------


def _payload(identity: Identity) -> dict:
    return {"sub": identity.sub, "email": identity.email, "acr": identity.acr,
            "siret": identity.siret, "idp_id": identity.idp_id}


def proconnect_agent_match(*, identity: Identity) -> LoginOutcome:
    """Find the agent whose account has ProConnect's verified e-mail, and journal it.

    Matching is on the e-mail only (case-insensitive): `sub` differs per client and
    identity provider, so it would both miss people and invite confusion. Accounts
    are never created here: an administrator of the body invites agents. Empty
    names are filled from ProConnect (never overwritten: the agent may have fixed them).
    """
    with transaction.atomic():
        user = User.objects.filter(email__iexact=identity.email).first()
        refusal = ""
        if user is None:
            refusal = "unknown"
        elif user.kind != AccountKind.AGENT:
            refusal = "not_agent"
        elif not user.is_active:
            refusal = "inactive"
        if refusal:
            journal_record(
                actor=user, action="login.proconnect_refused",
                summary=f"Connexion ProConnect refusée ({refusal}) : {identity.email}",
                payload=_payload(identity),
            )
            return LoginOutcome(user=None, refusal=refusal)

        names = {}
        if not user.first_name and identity.given_name:
            names["first_name"] = identity.given_name[:150]
        if not user.last_name and identity.usual_name:
            names["last_name"] = identity.usual_name[:150]
        if names:
            for field, value in names.items():
                setattr(user, field, value)
            user.save(update_fields=list(names))
        journal_record(
            actor=user, action="login.proconnect", target=user,
            summary=f"Connexion ProConnect (acr : {identity.acr})",
            payload=_payload(identity),
        )
    return LoginOutcome(user=user)


def session_open(request, *, user: User, identity: Identity, next_url: str):
    """Log the matched agent in; returns the redirect to follow.

    A multi-factor acr stands for our second factor. Otherwise ProConnect is only
    the first factor and the shared sequence (`flow.login_begin`) applies: TOTP
    code if the account has one, TOTP enrolment if a role requires it.
    """
    if acr_is_multi_factor(identity.acr):
        if request.user.is_authenticated:
            logout(request)
        flow.pending_clear(request)
        login(request, user, backend=PASSWORD_BACKEND)
        accounts_services.login_success_record(user=user, method="proconnect-mfa")
        second_factor_mark(request.session, verified=True)
        response = redirect(next_url)
    else:
        response = flow.login_begin(request, user, backend=PASSWORD_BACKEND,
                                    method="proconnect", next_url=next_url)
    # After login_begin: it may flush the session of a previous user.
    request.session[ID_TOKEN_SESSION_KEY] = identity.id_token
    request.session[ACR_SESSION_KEY] = identity.acr
    return response


def login_failure_record(*, code: str, request) -> None:
    """Journal a failed ProConnect attempt (no actor: nobody is identified yet)."""
    with transaction.atomic():
        journal_record(
            actor=request.user if request.user.is_authenticated else None,
            action="login.proconnect_failed",
            summary=f"Échec de connexion ProConnect : {code}",
            payload={"code": code},
        )


# --- logout -------------------------------------------------------------------------


def logout_state_valid(state: str) -> bool:
    try:
        signing.loads(state, salt=LOGOUT_STATE_SALT, max_age=LOGOUT_STATE_MAX_AGE)
    except signing.BadSignature:
        return False
    return True


def proconnect_logout_url(request, post_logout_redirect_uri: str | None = None) -> str | None:
    """The provider's end-session URL when this session came from ProConnect, else None.

    Call it before `django.contrib.auth.logout` (which empties the session). The
    state is signed rather than stored, because the session is gone when the
    provider sends the browser back. Unreachable provider → None: the local logout
    must still happen.
    """
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    if not id_token or not is_enabled():
        return None
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except OIDCError:
        return None
    if not endpoint:
        return None
    if post_logout_redirect_uri is None:
        post_logout_redirect_uri = request.build_absolute_uri(reverse("oidc:logout_callback"))
    state = signing.dumps(secrets.token_urlsafe(24), salt=LOGOUT_STATE_SALT)
    params = {
        "id_token_hint": id_token,
        "state": state,
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    separator = "&" if "?" in endpoint else "?"
    return f"{endpoint}{separator}{urlencode(params, quote_via=quote)}"
