"""Who may call the API, and what a token can reach."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.api.models import ApiToken
from territoires.api.services import api_token_create, api_token_revoke
from tests.api.conftest import bearer
from tests.factories import BodyFactory, UserFactory, membership


def test_token_happy_path_me(client, body, admin_agent, admin_secret):
    response = client.get("/api/v1/me", headers=bearer(admin_secret))
    assert response.status_code == 200
    data = response.json()
    assert data["email"] == admin_agent.email
    assert data["authentication"] == "token"
    assert [b["siren"] for b in data["bodies"]] == [body.siren]
    assert data["bodies"][0]["roles"] == [{"code": "administrateur", "label": "Administrateur de l'organisme"}]


def test_token_is_limited_to_its_body(client, body, admin_agent, admin_secret):
    other = BodyFactory()
    membership(admin_agent, other, ["administrateur"])  # the user belongs to both bodies
    me = client.get("/api/v1/me", headers=bearer(admin_secret)).json()
    assert [b["siren"] for b in me["bodies"]] == [body.siren]
    listing = client.get("/api/v1/bodies", headers=bearer(admin_secret)).json()
    assert [b["siren"] for b in listing["items"]] == [body.siren]
    for url in (f"/api/v1/bodies/{other.siren}", f"/api/v1/bodies/{other.siren}/memberships"):
        response = client.get(url, headers=bearer(admin_secret))
        assert response.status_code == 404, url
        assert response.json()["detail"] == "Ressource introuvable ou non accessible avec vos droits."
    response = client.post(f"/api/v1/bodies/{other.siren}/invitations", headers=bearer(admin_secret),
                           data={"email": "a@b.fr", "roles": ["agent"]}, content_type="application/json")
    assert response.status_code == 404


def test_revoked_token_is_401_in_french(client, body, admin_agent):
    token, secret = api_token_create(actor=None, body=body, user=admin_agent, name="x")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    api_token_revoke(actor=admin_agent, token=token)
    response = client.get("/api/v1/me", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'API invalide, révoqué ou expiré."
    assert response["WWW-Authenticate"] == "Bearer"


def test_missing_or_unknown_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]
    assert client.get("/api/v1/me", headers=bearer("trt_00000000_nope")).status_code == 401


def test_unknown_token_does_not_fall_back_to_the_session(client, admin_agent):
    client.force_login(admin_agent)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()
    assert client.get("/api/v1/me", headers=bearer("trt_bad")).status_code == 401


def test_token_without_manage_agents_gets_403(client, body, agent_secret):
    response = client.get(f"/api/v1/bodies/{body.siren}/memberships", headers=bearer(agent_secret))
    assert response.status_code == 403
    assert response.json()["detail"] == "Vos rôles dans cet organisme ne permettent pas cette opération."
    assert client.get(f"/api/v1/bodies/{body.siren}", headers=bearer(agent_secret)).status_code == 200


def test_operator_role_does_not_leak_into_a_body_token(client, body, agent):
    from tests.factories import operator

    operator(agent)  # platform.manage_agents, but only "agent" in the body
    _token, secret = api_token_create(actor=None, body=body, user=agent, name="x")
    response = client.post(f"/api/v1/bodies/{body.siren}/invitations", headers=bearer(secret),
                           data={"email": "a@b.fr", "roles": ["agent"]}, content_type="application/json")
    assert response.status_code == 403


def test_last_used_is_recorded_at_most_once_a_minute(client, body, admin_secret):
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    client.get("/api/v1/me", headers=bearer(admin_secret))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=bearer(admin_secret))
    token.refresh_from_db()
    assert token.last_used_at == first
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        client.get("/api/v1/me", headers=bearer(admin_secret))
    token.refresh_from_db()
    assert token.last_used_at > first


def _session_login(client, user) -> None:
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()


def test_session_auth_sees_all_the_users_bodies(client, body, agent):
    other = BodyFactory()
    membership(agent, other, ["agent"])
    client.force_login(agent)  # a plain agent needs no second factor
    data = client.get("/api/v1/me").json()
    assert data["authentication"] == "session"
    assert {b["siren"] for b in data["bodies"]} == {body.siren, other.siren}
    assert client.get("/api/v1/bodies").json()["count"] == 2


def test_session_of_admin_without_second_factor_is_refused(client, admin_agent):
    client.force_login(admin_agent)
    assert client.get("/api/v1/me").status_code == 401
    _session_login(client, admin_agent)
    assert client.get("/api/v1/me").status_code == 200


def test_session_unsafe_methods_need_csrf(body, admin_agent):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    _session_login(client, admin_agent)
    url = f"/api/v1/bodies/{body.siren}/invitations"
    payload = {"email": "nouvel.agent@mairie.fr", "roles": ["agent"]}
    response = client.post(url, data=payload, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    client.get("/api/v1/docs")  # sets the CSRF cookie, as the browser does
    token = client.cookies["csrftoken"].value
    response = client.post(url, data=payload, content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content


def test_token_calls_need_no_csrf(body, admin_secret):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/api/v1/bodies/{body.siren}/invitations", headers=bearer(admin_secret),
                           data={"email": "x@mairie.fr", "roles": ["agent"]}, content_type="application/json")
    assert response.status_code == 201


def test_user_outside_any_body_sees_nothing(client):
    client.force_login(UserFactory())
    data = client.get("/api/v1/me").json()
    assert data["bodies"] == []
    assert client.get("/api/v1/bodies").json() == {"items": [], "count": 0}
