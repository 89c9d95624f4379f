from django.urls import reverse

from territoires.backoffice.views.common import PAGE_SIZE
from territoires.journal.models import JournalEntry
from territoires.tenancy.models import Body, Invitation, Subscription
from tests.backoffice.conftest import login
from tests.factories import BodyFactory, valid_siren

CREATE = reverse("backoffice:body_create")


def body_data(**overrides):
    data = {
        "siren": "213 502 388",
        "name": "Commune de Rennes-Test",
        "kind": "commune",
        "epci_form": "",
        "insee_code": "35238",
        "departement": "35",
        "arrondissement": "",
        "population": "220000",
        "nuts3": "FRH03",
        "address": "Place de la Mairie",
        "services": ["actes", "marches"],
    }
    data.update(overrides)
    return data


def test_create_body(operator_client):
    response = operator_client.post(CREATE, body_data())
    body = Body.objects.get(siren="213502388")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:body_detail", args=[body.siren])
    assert body.population == 220000 and body.nuts3 == "FRH03"
    assert set(body.subscriptions.values_list("service", flat=True)) == {"actes", "marches"}
    assert JournalEntry.objects.filter(action="body.create", body=body).exists()
    page = operator_client.get(response["Location"]).content.decode()
    assert "Commune de Rennes-Test est créé" in page


def test_bad_siren_shows_french_error_and_keeps_input(operator_client):
    response = operator_client.post(CREATE, body_data(siren="213502387"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "clé de contrôle incorrecte" in page
    assert 'value="213502387"' in page
    assert 'value="Commune de Rennes-Test"' in page
    assert "Place de la Mairie" in page
    assert 'value="marches" id="id_services_1" checked' in page
    assert 'value="circuits" id="id_services_2">' in page
    assert not Body.objects.exists()


def test_duplicate_siren_and_epci_errors_are_french(operator_client):
    existing = BodyFactory()
    page = operator_client.post(CREATE, body_data(siren=existing.siren)).content.decode()
    assert "Un organisme avec ce SIREN existe déjà." in page
    page = operator_client.post(CREATE, body_data(kind="epci")).content.decode()
    assert "Précisez la forme de l&#x27;EPCI." in page
    assert Body.objects.count() == 1


def test_list_search_and_filters(operator_client):
    dijon = BodyFactory(name="Ville de Dijon", services=["actes"])
    BodyFactory(name="Ville de Beaune", services=["marches"])
    sdis = BodyFactory(name="SDIS de la Côte-d'Or", kind="sdis", services=["marches"])
    url = reverse("backoffice:body_list")
    page = operator_client.get(url, {"q": "dijon"}).content.decode()
    assert "Ville de Dijon" in page and "Beaune" not in page
    page = operator_client.get(url, {"q": dijon.siren[:6]}).content.decode()
    assert "Ville de Dijon" in page
    page = operator_client.get(url, {"service": "marches"}).content.decode()
    assert "Beaune" in page and "Dijon" not in page
    page = operator_client.get(url, {"service": "marches", "kind": "sdis"}).content.decode()
    assert sdis.siren in page and "Beaune" not in page


def test_htmx_search_returns_only_the_results(operator_client):
    BodyFactory(name="Ville de Dijon")
    response = operator_client.get(
        reverse("backoffice:body_list"), {"q": "Dijon"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page and "Ville de Dijon" in page
    assert "1 organisme trouvé." in page
    assert "HX-Request" in response["Vary"]
    full = operator_client.get(reverse("backoffice:body_list"), {"q": "Dijon"}).content.decode()
    assert 'hx-get="/operateur/organismes/"' in full and 'hx-push-url="true"' in full


def test_pagination_keeps_filters(operator_client):
    for n in range(PAGE_SIZE + 1):
        BodyFactory(name=f"Commune Page {n:03d}", siren=valid_siren(5000 + n))
    page = operator_client.get(reverse("backoffice:body_list"), {"q": "Page"}).content.decode()
    assert "q=Page&amp;page=2" in page


def test_subscriptions_switch_a_service_off(operator_client, client, body, agent):
    service_url = reverse("tenancy:service", args=[body.siren, "actes"])
    agent_client = login(type(client)(), agent)
    assert agent_client.get(service_url).status_code == 200
    response = operator_client.post(
        reverse("backoffice:body_subscriptions", args=[body.siren]), {"services": ["formations"]}
    )
    assert response.status_code == 302
    assert not Subscription.objects.get(body=body, service="actes").is_active
    assert agent_client.get(service_url).status_code == 403
    page = operator_client.get(response["Location"]).content.decode()
    assert "Les abonnements de" in page


def test_unknown_service_is_refused(operator_client, body):
    response = operator_client.post(
        reverse("backoffice:body_subscriptions", args=[body.siren]), {"services": ["casino"]}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert Subscription.objects.get(body=body, service="actes").is_active


def test_detail_shows_agents_invitations_and_invites_an_admin(
    operator_client, body, admin_agent, django_capture_on_commit_callbacks, run_tasks, mailoutbox
):
    url = reverse("backoffice:body_detail", args=[body.siren])
    page = operator_client.get(url).content.decode()
    assert admin_agent.email in page and "Administrateur de l&#x27;organisme" in page
    invite = reverse("backoffice:body_invite_admin", args=[body.siren])
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(invite, {"email": "Nouvelle.Maire@Exemple.fr"})
    assert response.status_code == 302
    run_tasks()
    invitation = Invitation.objects.get(body=body)
    assert invitation.email == "nouvelle.maire@exemple.fr"
    assert [r.code for r in invitation.roles.all()] == ["administrateur"]
    assert mailoutbox[0].to == ["nouvelle.maire@exemple.fr"]
    page = operator_client.get(url).content.decode()
    assert "nouvelle.maire@exemple.fr" in page
    # A second invitation to the same address is refused, in French, on the page.
    page = operator_client.post(invite, {"email": "nouvelle.maire@exemple.fr"}).content.decode()
    assert "Une invitation est déjà en attente pour cette adresse." in page


def test_edit_body_and_suspend_it(operator_client, body, agent):
    edit = reverse("backoffice:body_edit", args=[body.siren])
    page = operator_client.get(edit).content.decode()
    assert f'value="{body.name}"' in page
    response = operator_client.post(
        edit, {"name": "Nouveau nom", "kind": "commune", "population": "1300"}
    )
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.name == "Nouveau nom" and body.population == 1300
    page = operator_client.post(edit, {"name": "", "kind": "epci"}).content.decode()
    assert "Ce champ est obligatoire." in page and "Précisez la forme" in page
    operator_client.post(
        reverse("backoffice:body_set_active", args=[body.siren]), {"is_active": "0"}
    )
    body.refresh_from_db()
    assert not body.is_active
    agent_client = login(type(operator_client)(), agent)
    assert agent_client.get(reverse("tenancy:home", args=[body.siren])).status_code == 404
