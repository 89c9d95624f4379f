from django.urls import reverse

from territoires.journal.models import JournalEntry
from territoires.tenancy import access
from territoires.tenancy.models import Membership
from tests.factories import BodyFactory, UserFactory, membership


def test_search_by_email_or_name(operator_client):
    UserFactory(email="claire.dupont@beaune.fr", first_name="Claire", last_name="Dupont")
    UserFactory(email="marc@dijon.fr", first_name="Marc", last_name="Lefèvre")
    url = reverse("backoffice:agent_list")
    page = operator_client.get(url, {"q": "beaune"}).content.decode()
    assert "claire.dupont@beaune.fr" in page and "marc@dijon.fr" not in page
    page = operator_client.get(url, {"q": "marc lefèvre"}).content.decode()
    assert "marc@dijon.fr" in page and "claire" not in page
    fragment = operator_client.get(
        url, {"q": "dupont"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and "1 personne trouvée." in fragment


def test_detail_lists_memberships_across_bodies(operator_client, body):
    person = UserFactory()
    other = BodyFactory(name="Syndicat des eaux")
    membership(person, body, ["agent"])
    membership(person, other, ["acheteur", "commission"])
    page = operator_client.get(
        reverse("backoffice:agent_detail", args=[person.pk])
    ).content.decode()
    assert body.name in page and "Syndicat des eaux" in page
    assert "Acheteur, Membre de commission" in page or "Membre de commission, Acheteur" in page


def test_grant_roles_by_siren(operator_client, body):
    person = UserFactory()
    url = reverse("backoffice:agent_detail", args=[person.pk])
    response = operator_client.post(
        url, {"siren": f"{body.siren[:3]} {body.siren[3:]}", "roles": ["signataire"]}
    )
    assert response.status_code == 302
    assert access.has_perm(person, body, "actes.sign")
    assert JournalEntry.objects.filter(action="membership.grant", body=body).exists()
    page = operator_client.get(url).content.decode()
    assert "a reçu les rôles choisis" in page


def test_grant_errors_are_french_and_keep_input(operator_client):
    person = UserFactory()
    url = reverse("backoffice:agent_detail", args=[person.pk])
    page = operator_client.post(url, {"siren": "123456782", "roles": ["agent"]}).content.decode()
    assert "Aucun organisme adhérent n&#x27;a ce SIREN." in page
    assert 'value="123456782"' in page
    page = operator_client.post(url, {"siren": "123456782"}).content.decode()
    assert "Ce champ est obligatoire." in page
    assert not Membership.objects.filter(user=person).exists()


def test_revoke_membership(operator_client, body, agent):
    m = Membership.objects.get(user=agent, body=body)
    url = reverse("backoffice:membership_revoke", args=[m.pk])
    response = operator_client.post(url, follow=True)
    assert "est retiré" in response.content.decode()
    m.refresh_from_db()
    assert not m.is_active
    access.clear_cache(agent)
    assert not access.has_perm(agent, body, "body.view")
    response = operator_client.post(url, follow=True)
    assert "Cet accès est déjà retiré." in response.content.decode()
