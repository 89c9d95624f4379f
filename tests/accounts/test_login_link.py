import io
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from territoires.accounts import services
from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.accounts.models import LoginLink, User
from territoires.journal.models import JournalEntry
from territoires.tenancy import access
from tests.factories import UserFactory


def test_link_is_absolute_and_only_its_hash_is_stored(agent):
    url = services.login_link_create(user=agent)
    assert url.startswith(settings.PUBLIC_URL + "/compte/lien/")
    token = urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]
    link = LoginLink.objects.get()
    assert link.token_hash == services.token_hash(token) and token not in link.token_hash
    assert timedelta(hours=23, minutes=59) < link.expires_at - timezone.now() <= timedelta(hours=24)


def test_link_logs_in_once(client, agent):
    path = urlsplit(services.login_link_create(user=agent)).path
    # A GET (mail scanner, link preview) does not spend the link.
    page = client.get(path)
    assert page.status_code == 200 and agent.email in page.content.decode()
    assert SESSION_KEY not in client.session
    response = client.post(path)
    assert response["Location"] == reverse("accounts:profile")
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True
    assert JournalEntry.objects.filter(action="login_link.use", actor=agent).exists()

    client.post(reverse("accounts:logout"))
    again = client.post(path)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.content.decode()
    assert SESSION_KEY not in client.session


def test_expired_link_gives_a_clear_page(client, agent):
    path = urlsplit(services.login_link_create(user=agent)).path
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        response = client.post(path)
    assert response.status_code == 410
    content = response.content.decode()
    assert "<h1>Lien inutilisable</h1>" in content and "a expiré" in content
    assert SESSION_KEY not in client.session


def test_unknown_token_is_refused(client):
    response = client.get(reverse("accounts:login_link", args=["n-importe-quoi"]))
    assert response.status_code == 410
    assert "n&#x27;est pas valable" in response.content.decode()


def test_user_without_password_is_invited_to_choose_one(client):
    user = User.objects.create_user("nouvelle@mairie.fr")
    client.post(urlsplit(services.login_link_create(user=user)).path)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Choisissez maintenant votre mot de passe" in profile
    assert "Vous n'avez pas encore de mot de passe" in profile
    form = client.get(reverse("accounts:password_change")).content.decode()
    assert "current_password" not in form
    client.post(
        reverse("accounts:password_change"),
        {"new_password1": "Nouveau-secret-2026", "new_password2": "Nouveau-secret-2026"},
    )
    assert User.objects.get(pk=user.pk).check_password("Nouveau-secret-2026")
    assert JournalEntry.objects.filter(action="password.set").exists()


def test_link_for_an_administrator_leads_to_totp_setup(client, admin_agent, body):
    client.post(urlsplit(services.login_link_create(user=admin_agent)).path)
    response = client.get(reverse("tenancy:home", args=[body.siren]))
    assert response["Location"] == reverse("accounts:totp_setup")


def run_agent_create(*args) -> str:
    out = io.StringIO()
    call_command("agent", "create", *args, stdout=out)
    return out.getvalue()


def test_agent_create_prints_a_working_link(client, body):
    output = run_agent_create(
        "--email",
        "Secretaire@Mairie.fr",
        "--body",
        body.siren,
        "--roles",
        "agent,signataire",
        "--first-name",
        "Anne",
        "--last-name",
        "Lys",
    )
    assert "Compte créé : secretaire@mairie.fr" in output
    user = User.objects.get(email="secretaire@mairie.fr")
    assert user.first_name == "Anne" and not user.has_usable_password()
    assert access.has_perm(user, body, "actes.sign") and access.has_perm(user, body, "actes.draft")
    url = re.search(r"https?://\S+", output).group(0)
    response = client.post(urlsplit(url).path)
    assert response["Location"] == reverse("accounts:profile")
    assert client.session[SESSION_KEY] == str(user.pk)


def test_agent_create_on_an_existing_user_adds_roles(body):
    user = UserFactory()
    output = run_agent_create("--email", user.email, "--body", body.siren, "--roles", "acheteur")
    assert "Compte existant" in output
    assert access.has_perm(user, body, "marches.manage")
    assert User.objects.get(pk=user.pk).has_usable_password()


def test_agent_create_rejects_unknown_body_and_role_in_french(body):
    with pytest.raises(CommandError, match="Aucun organisme adhérent n'a le SIREN « 123456789 »"):
        run_agent_create("--email", "a@b.fr", "--body", "123456789", "--roles", "agent")
    with pytest.raises(CommandError, match="Rôle inconnu : chef"):
        run_agent_create("--email", "a@b.fr", "--body", body.siren, "--roles", "agent,chef")
    # Nothing half-created.
    assert not User.objects.filter(email="a@b.fr").exists()
    assert not LoginLink.objects.exists()
    with pytest.raises(CommandError, match="Adresse électronique invalide"):
        run_agent_create("--email", "pas-une-adresse", "--body", body.siren, "--roles", "agent")
