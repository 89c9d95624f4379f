"""Endpoints: data, scoping, and French errors naming the field."""

import json

from django.core import mail

from territoires.journal.models import JournalEntry
from territoires.tenancy.models import Invitation, MembershipRequest
from tests.api.conftest import bearer
from tests.factories import BodyFactory, UserFactory, membership, valid_siren


def _post(client, url, payload, secret=None):
    headers = bearer(secret) if secret else {}
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(url, data=data, content_type="application/json", headers=headers)


def _adhesion(**overrides):
    payload = {
        "siren": "213502388",
        "name": "Commune de Rennes-Test",
        "kind": "commune",
        "insee_code": "35238",
        "contact_name": "Ana Lys",
        "contact_email": "ana.lys@mairie.example.fr",
        "services": ["actes", "marches"],
        "message": "Bonjour",
    }
    payload.update(overrides)
    return payload


def test_bodies_list_and_detail(client, body, admin_secret):
    data = client.get("/api/v1/bodies", headers=bearer(admin_secret)).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item == {
        "siren": body.siren, "name": body.name, "kind": "commune", "epci_form": "",
        "insee_code": "", "departement": "21", "population": 1200, "nuts3": "",
        "actes_nature_code": "31", "services": ["actes", "formations"],
    }
    assert client.get(f"/api/v1/bodies/{body.siren}", headers=bearer(admin_secret)).json() == item


def test_bodies_pagination_is_bounded(client, agent):
    for _ in range(3):
        membership(agent, BodyFactory(), ["agent"])
    client.force_login(agent)
    page = client.get("/api/v1/bodies?limit=2&offset=1").json()
    assert page["count"] == 4 and len(page["items"]) == 2
    response = client.get("/api/v1/bodies?limit=100000000000000000000")
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "limit"
    assert error["message"] == "Nombre d'éléments par page : La valeur doit être inférieure ou égale à 200."


def test_malformed_siren_in_path_is_422(client, admin_secret):
    response = client.get("/api/v1/bodies/12AB", headers=bearer(admin_secret))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "siren"


def test_memberships_of_body(client, body, admin_agent, agent, admin_secret):
    data = client.get(f"/api/v1/bodies/{body.siren}/memberships", headers=bearer(admin_secret)).json()
    assert data["count"] == 2
    by_email = {m["email"]: m for m in data["items"]}
    assert by_email[agent.email]["roles"] == [{"code": "agent", "label": "Agent"}]
    assert by_email[admin_agent.email]["is_active"] is True


def test_invitation_create(client, body, admin_agent, admin_secret, django_capture_on_commit_callbacks,
                           run_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/api/v1/bodies/{body.siren}/invitations",
                         {"email": "Nouvel.Agent@Mairie.fr", "roles": ["agent"]}, admin_secret)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["email"] == "nouvel.agent@mairie.fr" and data["roles"] == ["agent"]
    invitation = Invitation.objects.get(pk=data["id"])
    assert invitation.invited_by == admin_agent
    assert JournalEntry.objects.filter(action="invitation.create", actor=admin_agent).exists()
    run_tasks()
    assert mail.outbox[0].to == ["nouvel.agent@mairie.fr"]


def test_invitation_bad_email_names_the_field_in_french(client, body, admin_secret):
    response = _post(client, f"/api/v1/bodies/{body.siren}/invitations",
                     {"email": "pas-une-adresse", "roles": ["agent"]}, admin_secret)
    assert response.status_code == 422
    data = response.json()
    assert data["detail"] == "Les données envoyées ne sont pas valides."
    assert data["errors"] == [{
        "field": "email",
        "label": "Adresse électronique de la personne invitée",
        "message": "Adresse électronique de la personne invitée : Saisissez une adresse électronique "
                   "valide, par exemple nom@mairie.fr.",
    }]


def test_invitation_missing_field_and_service_errors(client, body, agent, admin_secret):
    response = _post(client, f"/api/v1/bodies/{body.siren}/invitations", {"email": "a@b.fr"}, admin_secret)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "roles"
    assert response.json()["errors"][0]["message"] == "Rôles : Ce champ est obligatoire."
    # Errors raised by the service (message_dict) keep the same shape.
    response = _post(client, f"/api/v1/bodies/{body.siren}/invitations",
                     {"email": "a@b.fr", "roles": ["pape"]}, admin_secret)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "roles", "label": "Rôles", "message": "Rôle inconnu : pape."}
    ]
    response = _post(client, f"/api/v1/bodies/{body.siren}/invitations",
                     {"email": agent.email, "roles": ["agent"]}, admin_secret)
    assert response.json()["errors"][0]["message"] == "Cette personne est déjà agent de l'organisme."
    assert not Invitation.objects.exists()


def test_malformed_json_is_a_french_400(client, body, admin_secret):
    response = _post(client, f"/api/v1/bodies/{body.siren}/invitations", '{"email": ', admin_secret)
    assert response.status_code == 400
    data = response.json()
    assert data["detail"] == "Le corps de la requête n'est pas un document JSON valide."
    assert data["errors"][0]["field"] == "body"
    response = _post(client, f"/api/v1/bodies/{body.siren}/invitations", "[1, 2]", admin_secret)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"
    assert response.json()["errors"][0]["message"] == "Corps de la requête : Un objet JSON est attendu."


def test_membership_request_is_public(client):
    response = _post(client, "/api/v1/membership-requests", _adhesion(siren="213 502 388"))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    request = MembershipRequest.objects.get()
    assert request.siren == "213502388" and request.services == ["actes", "marches"]


def test_membership_request_bad_siren_names_siren(client):
    response = _post(client, "/api/v1/membership-requests", _adhesion(siren="213502387"))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "siren"
    assert error["message"] == ("SIREN : Ce SIREN n'est pas valide (clé de contrôle incorrecte) : "
                                "vérifiez sa saisie.")
    assert not MembershipRequest.objects.exists()


def test_membership_request_field_errors(client):
    response = _post(client, "/api/v1/membership-requests",
                     _adhesion(kind="empire", contact_email="x", services=[], name="\x00"))
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(fields) == {"kind", "contact_email", "services", "name"}
    assert fields["kind"].startswith("Type d'organisme : Valeur non autorisée ; valeurs possibles :")
    assert fields["services"] == "Services demandés : Au moins 1 élément(s) attendu(s)."
    # Rules of the service (EPCI form, already a member) come back the same way.
    response = _post(client, "/api/v1/membership-requests", _adhesion(kind="epci", insee_code=""))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "epci_form"
    member = BodyFactory(siren=valid_siren(4242))
    response = _post(client, "/api/v1/membership-requests", _adhesion(siren=member.siren))
    assert response.json()["errors"] == [
        {"field": "siren", "label": "SIREN", "message": "Cet organisme est déjà adhérent."}
    ]


def test_me_shows_profile(client, body):
    user = UserFactory(first_name="Ana", last_name="Lys")
    membership(user, body, ["agent", "acheteur"])
    client.force_login(user)
    data = client.get("/api/v1/me").json()
    assert (data["first_name"], data["last_name"], data["kind"]) == ("Ana", "Lys", "agent")
    assert {r["code"] for r in data["bodies"][0]["roles"]} == {"agent", "acheteur"}
