import pytest
from django.urls import reverse

from territoires.tenancy.models import Notification
from tests.factories import BodyFactory, UserFactory, membership


@pytest.fixture
def logged_agent(client, body, agent):
    client.force_login(agent)
    return agent


def test_home_shows_body_and_platform_notifications(client, body, logged_agent):
    Notification.objects.create(user=logged_agent, body=body, text="Notification de l'organisme")
    Notification.objects.create(user=logged_agent, body=None, text="Notification de la plateforme")
    Notification.objects.create(user=logged_agent, body=BodyFactory(), text="Autre organisme")
    content = client.get(reverse("tenancy:home", args=[body.siren])).content.decode()
    assert "Notification de l&#x27;organisme" in content
    assert "Notification de la plateforme" in content
    assert "Autre organisme" not in content


def test_home_lists_the_subscribed_services_only(client, body, logged_agent):
    home = reverse("tenancy:home", args=[body.siren])
    content = client.get(home).content.decode()
    services = content.split('id="services-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="{reverse("actes:list", args=[body.siren])}"' in services
    assert f'href="{reverse("formations:body_home", args=[body.siren])}"' in services
    assert reverse("marches:list", args=[body.siren]) not in services


def test_home_query_count_is_bounded(client, body, logged_agent, django_assert_max_num_queries):
    url = reverse("tenancy:home", args=[body.siren])
    client.get(url)  # session and last body settle
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def _menu(client, url) -> str:
    content = client.get(url).content.decode()
    return content.split('id="navigation"', 1)[1].split("</nav>", 1)[0]


def test_the_cached_layout_menu_follows_the_body_the_roles_the_services_and_the_page(client):
    """The menu is a cached fragment (ui/base.html): each body, role set, subscription
    list and current page gets its own."""
    from territoires.tenancy.models import Subscription

    user = UserFactory()
    town, syndicate = BodyFactory(services=["actes"]), BodyFactory(services=["marches"])
    membership(user, town, ["agent"])
    membership(user, syndicate, ["administrateur"])
    client.force_login(user)
    session = client.session
    session["second_factor_ok"] = True  # administrators pass TOTP; not the subject here
    session.save()
    town_home, syndicate_home = (reverse("tenancy:home", args=[b.siren]) for b in (town, syndicate))

    menu = _menu(client, town_home)
    assert reverse("actes:list", args=[town.siren]) in menu
    assert "marches" not in menu and "Agents" not in menu and syndicate.siren not in menu
    assert f'href="{town_home}" aria-current="page"' in menu

    menu = _menu(client, syndicate_home)
    assert reverse("marches:list", args=[syndicate.siren]) in menu
    assert reverse("tenancy:agents", args=[syndicate.siren]) in menu  # the administrator's entries
    assert town.siren not in menu and "actes" not in menu

    menu = _menu(client, reverse("tenancy:agents", args=[syndicate.siren]))
    assert f'href="{reverse("tenancy:agents", args=[syndicate.siren])}" aria-current="page"' in menu
    assert f'href="{syndicate_home}" aria-current' not in menu

    Subscription.objects.create(body=town, service="formations")
    menu = _menu(client, town_home)
    assert reverse("formations:body_home", args=[town.siren]) in menu
    assert "Agents" not in menu

    colleague = UserFactory()  # same body, same services, fewer permissions
    membership(colleague, syndicate, ["agent"])
    client.force_login(colleague)
    menu = _menu(client, syndicate_home)
    assert reverse("marches:list", args=[syndicate.siren]) in menu and "Agents" not in menu

    bare = [BodyFactory(services=[]) for _ in range(2)]  # nothing but the body tells them apart
    for b in bare:
        membership(colleague, b, ["agent"])
    for b in bare:
        assert f'href="{reverse("tenancy:home", args=[b.siren])}"' in _menu(
            client, reverse("tenancy:home", args=[b.siren]))


def test_outsider_gets_404_on_body_pages(client, body):
    outsider = UserFactory()
    membership(outsider, BodyFactory(), ["agent"])
    client.force_login(outsider)
    for name in ("tenancy:home", "tenancy:agents", "tenancy:journal"):
        assert client.get(reverse(name, args=[body.siren])).status_code == 404


def test_agent_without_permission_gets_403(client, body, logged_agent):
    assert client.get(reverse("tenancy:agents", args=[body.siren])).status_code == 403


def test_switch_lists_only_own_bodies(client, logged_agent, body):
    other = BodyFactory(name="Commune Étrangère")
    content = client.get(reverse("tenancy:switch")).content.decode()
    assert body.name in content and other.name not in content


def test_invitation_form_htmx_keeps_values_on_error(client, body, admin_agent):
    client.force_login(admin_agent)
    session = client.session
    session["second_factor_ok"] = True
    session.save()
    url = reverse("tenancy:agents", args=[body.siren])
    response = client.post(url, {"email": "pas-une-adresse", "roles": ["agent"]}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Saisissez une adresse de courriel valide." in content
    assert 'value="pas-une-adresse"' in content
    assert "<html" not in content  # a partial for the htmx swap


def _invite(body, admin_agent, roles):
    from territoires.tenancy import services

    _invitation, token = services.invitation_create(actor=admin_agent, body=body, email="nouvelle@mairie.fr",
                                                     roles=roles)
    return reverse("tenancy:invitation_accept", args=[token])


def test_invitation_newcomer_weak_password_is_refused_and_kept(client, body, admin_agent):
    from territoires.accounts.models import User

    url = _invite(body, admin_agent, ["agent"])
    response = client.post(url, {"first_name": "Inès", "last_name": "Roy", "password": "court"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ce mot de passe est trop court" in content
    assert 'value="Inès"' in content and 'value="court"' in content
    assert not User.objects.filter(email="nouvelle@mairie.fr").exists()


def test_invited_administrator_sets_up_totp_right_after_creating_the_account(client, body, admin_agent):
    """The newcomer logs in through the same door as a password login: an administrator
    (second factor mandatory) is sent to the TOTP setup, not to the body's home."""
    url = _invite(body, admin_agent, ["administrateur"])
    response = client.post(url, {"first_name": "Inès", "last_name": "Roy", "password": "Motdepasse-solide-42"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:totp_setup")
    assert client.get(reverse("tenancy:home", args=[body.siren])).status_code == 302  # not before TOTP


def test_invited_agent_lands_on_the_body_home(client, body, admin_agent):
    url = _invite(body, admin_agent, ["agent"])
    response = client.post(url, {"first_name": "Inès", "last_name": "Roy", "password": "Motdepasse-solide-42"})
    assert response["Location"] == reverse("tenancy:home", args=[body.siren])
    assert client.get(response["Location"]).status_code == 200
