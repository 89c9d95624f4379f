"""The administrators' token page: list, create (secret once), revoke."""

import re

from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.api.models import ApiToken
from territoires.api.services import api_token_create
from tests.api.conftest import bearer
from tests.factories import BodyFactory, UserFactory, membership


def _login(client, user):
    client.force_login(user)
    session = client.session
    session[SECOND_FACTOR_SESSION_KEY] = True
    session.save()


def test_admin_creates_a_token_and_sees_the_secret_once(client, body, admin_agent, agent):
    _login(client, admin_agent)
    url = f"/o/{body.siren}/api/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Aucun jeton pour l'instant." in page.content.decode()
    response = client.post(url, {"name": "Logiciel financier", "user": agent.pk})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    assert "il ne sera plus jamais affiché" in html
    secret = re.search(r'value="(trt_[^"]+)"', html).group(1)
    token = ApiToken.objects.get()
    assert (token.user, token.created_by, token.name) == (agent, admin_agent, "Logiciel financier")
    assert client.get("/api/v1/me", headers=bearer(secret)).json()["email"] == agent.email
    listing = client.get(url).content.decode()
    assert f"trt_{token.prefix}_…" in listing
    assert secret not in listing


def test_form_errors_are_french_and_keep_input(client, body, admin_agent):
    _login(client, admin_agent)
    outsider = UserFactory()
    response = client.post(f"/o/{body.siren}/api/", {"name": "Mon outil", "user": outsider.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in html
    assert 'value="Mon outil"' in html
    assert not ApiToken.objects.exists()


def test_revoke(client, body, admin_agent):
    token, secret = api_token_create(actor=None, body=body, user=admin_agent, name="Ancien")
    _login(client, admin_agent)
    response = client.post(f"/o/{body.siren}/api/{token.pk}/revoquer/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert "révoqué le" in client.get(f"/o/{body.siren}/api/").content.decode()


def test_agent_is_refused_and_outsider_gets_404(client, body, agent, admin_agent):
    token, _secret = api_token_create(actor=None, body=body, user=admin_agent, name="x")
    client.force_login(agent)
    assert client.get(f"/o/{body.siren}/api/").status_code == 403
    assert client.post(f"/o/{body.siren}/api/{token.pk}/revoquer/").status_code == 403
    outsider = UserFactory()
    membership(outsider, BodyFactory(), ["administrateur"])
    _login(client, outsider)
    assert client.get(f"/o/{body.siren}/api/").status_code == 404
    assert client.post(f"/o/{body.siren}/api/{token.pk}/revoquer/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_a_token_of_another_body_is_404(client, body, admin_agent):
    other = BodyFactory()
    other_admin = UserFactory()
    membership(other_admin, other, ["administrateur"])
    token, _secret = api_token_create(actor=None, body=other, user=other_admin, name="x")
    _login(client, admin_agent)
    assert client.post(f"/o/{body.siren}/api/{token.pk}/revoquer/").status_code == 404


def test_anonymous_is_sent_to_login(client, body):
    response = client.get(f"/o/{body.siren}/api/")
    assert response.status_code == 302 and "/compte/" in response["Location"]
