from datetime import UTC, datetime, timedelta

import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.accounts.models import User
from territoires.config import settings as production_settings
from territoires.journal.models import JournalEntry
from territoires.tenancy import services as tenancy_services
from tests.accounts.helpers import password_login
from tests.factories import PASSWORD, UserFactory, membership, operator

SUMMER_NOON_UTC = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


def test_production_hashes_passwords_with_argon2():
    # tests/settings.py uses MD5 for speed; production must not.
    assert (
        production_settings.PASSWORD_HASHERS[0]
        == "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    assert "MD5" not in " ".join(production_settings.PASSWORD_HASHERS)


def test_login_success_completes_the_session_and_journals(client, agent):
    response = password_login(client, agent)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True
    entry = JournalEntry.objects.get(action="login.success")
    assert entry.actor == agent
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_login_accepts_email_in_any_case(client, agent):
    response = client.post(
        reverse("accounts:login"),
        {"email": agent.email.upper(), "password": "Motdepasse-solide-42"},
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_wrong_password_gives_a_clear_french_error_and_keeps_the_email(client, agent):
    response = password_login(client, agent, password="mauvais")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Adresse électronique ou mot de passe incorrect." in content
    assert f'value="{agent.email}"' in content
    assert "mauvais" not in content
    assert SESSION_KEY not in client.session
    entry = JournalEntry.objects.get(action="login.failure")
    assert entry.actor == agent


def test_unknown_email_is_journaled_without_actor(client):
    response = client.post(
        reverse("accounts:login"), {"email": "personne@nulle-part.fr", "password": "x"}
    )
    assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
    entry = JournalEntry.objects.get(action="login.failure")
    assert entry.actor is None and entry.summary == "personne@nulle-part.fr"


def test_empty_form_errors_are_french(client):
    content = client.post(reverse("accounts:login"), {"email": "", "password": ""}).content.decode()
    assert "Saisissez votre adresse électronique." in content
    assert "Saisissez votre mot de passe." in content


def test_lockout_after_five_failures_in_paris_time_then_unlocks(client, agent, settings):
    assert settings.LOGIN_MAX_FAILURES == 5
    with time_machine.travel(SUMMER_NOON_UTC, tick=False):
        for _ in range(4):
            assert "incorrect" in password_login(client, agent, password="faux").content.decode()
        content = password_login(client, agent, password="faux").content.decode()
        # 10:15 UTC is 12:15 in Paris in summer.
        assert "bloqué jusqu&#x27;à 12:15" in content or "bloqué jusqu'à 12:15" in content
        assert "10:15" not in content
        assert JournalEntry.objects.filter(action="login.locked", actor=agent).count() == 1
        # Even the right password is refused while locked.
        content = password_login(client, agent).content.decode()
        assert "12:15" in content
        assert SESSION_KEY not in client.session
    with time_machine.travel(SUMMER_NOON_UTC + timedelta(minutes=16), tick=False):
        response = password_login(client, agent)
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(agent.pk)
    agent.refresh_from_db()
    assert agent.failed_logins == 0 and agent.locked_until is None


def test_success_resets_the_failure_counter(client, agent):
    for _ in range(3):
        password_login(client, agent, password="faux")
    assert User.objects.get(pk=agent.pk).failed_logins == 3
    password_login(client, agent)
    assert User.objects.get(pk=agent.pk).failed_logins == 0


def test_next_is_followed_only_on_this_site(client, agent, body):
    home = reverse("tenancy:home", args=[body.siren])
    assert password_login(client, agent, next_url=home)["Location"] == home
    client.logout()
    assert password_login(client, agent, next_url="https://evil.example.com/")["Location"] == "/"
    client.logout()
    assert password_login(client, agent, next_url="//evil.example.com/x")["Location"] == "/"


def test_login_page_keeps_next_and_links_to_reset(client):
    content = client.get(reverse("accounts:login") + "?next=/o/123/").content.decode()
    assert 'name="next" value="/o/123/"' in content
    assert reverse("accounts:password_reset") in content


def test_logged_in_user_visiting_login_is_sent_on(client, agent):
    password_login(client, agent)
    response = client.get(reverse("accounts:login") + "?next=/compte/profil/")
    assert response.status_code == 302 and response["Location"] == "/compte/profil/"


def test_logout_is_post_only_and_clears_the_session(client, agent):
    password_login(client, agent)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session
    assert SECOND_FACTOR_SESSION_KEY not in client.session


def test_inactive_user_cannot_log_in(client):
    user = UserFactory(is_active=False)
    assert "incorrect" in password_login(client, user).content.decode()
    assert SESSION_KEY not in client.session


def test_agent_promoted_to_administrator_is_asked_for_totp_within_a_minute(client, body):
    """A session opened without a second factor is re-checked every minute."""
    agent = UserFactory()
    membership(agent, body, ["agent"])
    home = reverse("tenancy:home", args=[body.siren])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(reverse("accounts:login"), {"email": agent.email, "password": PASSWORD})
        assert response.status_code == 302
        assert client.get(home).status_code == 200
        tenancy_services.membership_grant(actor=operator(), body=body, user=agent, roles=["administrateur"])
        assert client.get(home).status_code == 200  # within the minute
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        response = client.get(home)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:totp_setup")
        assert client.get(reverse("api:me")).status_code == 401  # the API's session auth agrees
