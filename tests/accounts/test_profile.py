from django.urls import reverse

from territoires.accounts.models import User
from territoires.journal.models import JournalEntry
from tests.accounts.helpers import password_login
from tests.factories import BodyFactory, membership


def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_profile_lists_bodies_and_roles(client, agent, body):
    other = BodyFactory(name="Communauté de communes du Val")
    membership(agent, other, ["acheteur", "commission"])
    inactive = BodyFactory(name="Ancienne commune", is_active=False)
    membership(agent, inactive, ["agent"])
    password_login(client, agent)
    content = client.get(reverse("accounts:profile")).content.decode()
    assert agent.email in content
    assert body.name in content and "Communauté de communes du Val" in content
    assert "Acheteur" in content and "Membre de commission" in content
    assert "Ancienne commune" not in content
    assert "Non activée" in content
    assert reverse("accounts:totp_setup") in content


def test_profile_updates_the_name(client, agent):
    password_login(client, agent)
    response = client.post(
        reverse("accounts:profile"), {"first_name": " Rose ", "last_name": "Lamy"}
    )
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(pk=agent.pk)
    assert (user.first_name, user.last_name) == ("Rose", "Lamy")
    assert JournalEntry.objects.filter(action="user.update", actor=agent).exists()


def test_administrator_sees_that_totp_is_mandatory(client, admin_agent):
    password_login(client, admin_agent)
    content = client.get(reverse("accounts:totp_setup")).content.decode()
    assert "obligatoire" in content
