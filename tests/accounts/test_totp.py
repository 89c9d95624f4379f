from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from territoires.accounts import services
from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from territoires.accounts.models import User
from territoires.accounts.totp_views import SETUP_SECRET_KEY
from territoires.journal.models import JournalEntry
from tests.accounts.helpers import code_at, enable_totp, password_login
from tests.factories import operator

T0 = datetime(2026, 3, 10, 9, 0, 5, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_administrator_without_totp_must_set_it_up(client, admin_agent, body, clock):
    home = reverse("tenancy:home", args=[body.siren])
    response = password_login(client, admin_agent, next_url=home)
    assert response["Location"] == reverse("accounts:totp_setup")
    assert client.session[SECOND_FACTOR_SESSION_KEY] is False
    # Any body page sends back to the setup, whatever the URL.
    response = client.get(home)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:totp_setup")
    # Account pages that change credentials are closed too.
    assert client.get(reverse("accounts:profile"))["Location"] == reverse("accounts:totp_setup")

    page = client.get(reverse("accounts:totp_setup"))
    content = page.content.decode()
    assert 'src="data:image/svg+xml' in content
    assert 'alt="Code QR à scanner' in content
    secret = client.session[SETUP_SECRET_KEY]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in content
    assert "obligatoire" in content
    # The secret is stable across reloads while not confirmed.
    client.get(reverse("accounts:totp_setup"))
    assert client.session[SETUP_SECRET_KEY] == secret

    wrong = client.post(reverse("accounts:totp_setup"), {"code": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    assert not User.objects.get(pk=admin_agent.pk).has_totp

    response = client.post(reverse("accounts:totp_setup"), {"code": code_at(secret, T0)})
    assert response["Location"] == home
    user = User.objects.get(pk=admin_agent.pk)
    assert user.has_totp and user.totp_secret == secret
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True
    assert SETUP_SECRET_KEY not in client.session
    assert JournalEntry.objects.filter(action="totp.enable", actor=admin_agent).exists()
    # The setup code cannot be replayed at the next login.
    client.post(reverse("accounts:logout"))
    password_login(client, admin_agent)
    again = client.post(reverse("accounts:totp_verify"), {"code": code_at(secret, T0)})
    assert "déjà servi" in again.content.decode()


def test_provisioning_uri_names_the_issuer(client, agent, clock):
    password_login(client, agent)
    client.get(reverse("accounts:totp_setup"))
    secret = client.session[SETUP_SECRET_KEY]
    uri = pyotp.TOTP(secret).provisioning_uri(name=agent.email, issuer_name="Territoires")
    from territoires.accounts import totp

    assert totp.provisioning_uri(secret=secret, email=agent.email) == uri
    assert "issuer=Territoires" in uri


def test_code_format_errors_are_french(client, agent, clock):
    password_login(client, agent)
    client.get(reverse("accounts:totp_setup"))
    content = client.post(reverse("accounts:totp_setup"), {"code": "12ab"}).content.decode()
    assert "Le code comporte exactement 6 chiffres" in content
    assert 'value="12ab"' in content


@pytest.mark.parametrize("role", ["administrateur", "agent"])
def test_user_with_totp_is_challenged_before_being_logged_in(client, body, role, clock):
    from tests.factories import UserFactory, membership

    user = UserFactory()
    membership(user, body, [role])
    secret = enable_totp(user, T0 - timedelta(days=3))
    home = reverse("tenancy:home", args=[body.siren])
    response = password_login(client, user, next_url=home)
    assert response["Location"] == reverse("accounts:totp_verify")
    # Not logged in yet, even for an optional second factor.
    assert SESSION_KEY not in client.session
    assert client.get(home)["Location"].startswith(reverse("accounts:login"))
    assert client.get(reverse("accounts:totp_verify")).status_code == 200

    response = client.post(reverse("accounts:totp_verify"), {"code": code_at(secret, T0)})
    assert response["Location"] == home
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session[SECOND_FACTOR_SESSION_KEY] is True
    entry = JournalEntry.objects.get(action="login.success")
    assert entry.actor == user
    assert User.objects.get(pk=user.pk).totp_last_counter == pyotp.TOTP(secret).timecode(T0)


def test_codes_of_a_used_time_step_are_refused_but_the_next_one_passes(client, agent, clock):
    secret = enable_totp(agent, T0)
    password_login(client, agent)
    client.post(reverse("accounts:totp_verify"), {"code": code_at(secret, T0)})
    client.post(reverse("accounts:logout"))

    password_login(client, agent)
    response = client.post(reverse("accounts:totp_verify"), {"code": code_at(secret, T0)})
    assert "Ce code a déjà servi" in response.content.decode()
    assert SESSION_KEY not in client.session
    clock.shift(30)
    response = client.post(
        reverse("accounts:totp_verify"), {"code": code_at(secret, T0 + timedelta(seconds=30))}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(agent.pk)


def test_window_accepts_one_step_of_drift_only(agent, clock):
    secret = enable_totp(agent, T0)
    with pytest.raises(ValidationError, match="Code incorrect"):
        services.totp_check(user=agent, code=code_at(secret, T0 - timedelta(seconds=60)))
    services.totp_check(user=agent, code=code_at(secret, T0 - timedelta(seconds=30)))
    services.totp_check(user=agent, code=code_at(secret, T0 + timedelta(seconds=30)))


def test_wrong_codes_count_into_the_lockout(client, agent, clock):
    secret = enable_totp(agent, T0)
    password_login(client, agent)
    for _ in range(4):
        response = client.post(reverse("accounts:totp_verify"), {"code": "000000"})
        assert "Code incorrect" in response.content.decode()
    response = client.post(reverse("accounts:totp_verify"), {"code": "000000"})
    assert response["Location"] == reverse("accounts:login")
    login_page = client.get(response["Location"]).content.decode()
    assert "bloqué jusqu" in login_page and "10:15" in login_page  # 09:15 UTC = 10:15 Paris
    assert JournalEntry.objects.filter(action="login.locked", actor=agent).count() == 1
    # Locked: neither the password nor a right code gets in.
    assert "bloqué" in password_login(client, agent).content.decode()
    with pytest.raises(services.LockedOut):
        services.totp_check(user=agent, code=code_at(secret, T0))


def test_a_correct_password_does_not_reset_totp_failures(client, agent, clock):
    enable_totp(agent, T0)
    for _ in range(2):
        password_login(client, agent)
        for _ in range(2):
            client.post(reverse("accounts:totp_verify"), {"code": "000000"})
    assert User.objects.get(pk=agent.pk).failed_logins == 4


def test_pending_second_factor_expires(client, agent, clock):
    secret = enable_totp(agent, T0)
    password_login(client, agent)
    clock.shift(11 * 60)
    now = T0 + timedelta(minutes=11)
    response = client.post(reverse("accounts:totp_verify"), {"code": code_at(secret, now)})
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_optional_totp_can_be_disabled_with_a_code(client, agent, clock):
    secret = enable_totp(agent, T0)
    password_login(client, agent)
    client.post(reverse("accounts:totp_verify"), {"code": code_at(secret, T0)})
    clock.shift(30)
    page = client.get(reverse("accounts:totp_disable"))
    assert page.status_code == 200
    wrong = client.post(reverse("accounts:totp_disable"), {"code": "000000"})
    assert "Code incorrect" in wrong.content.decode()
    response = client.post(
        reverse("accounts:totp_disable"), {"code": code_at(secret, T0 + timedelta(seconds=30))}
    )
    assert response["Location"] == reverse("accounts:profile")
    assert not User.objects.get(pk=agent.pk).has_totp
    assert JournalEntry.objects.filter(action="totp.disable").exists()


def test_required_totp_cannot_be_disabled(admin_agent, clock):
    secret = enable_totp(admin_agent, T0)
    with pytest.raises(ValidationError, match="Votre rôle impose"):
        services.totp_disable(actor=admin_agent, code=code_at(secret, T0))
    assert User.objects.get(pk=admin_agent.pk).has_totp


def test_operator_resets_a_lost_second_factor(admin_agent, agent):
    enable_totp(admin_agent, T0)
    with pytest.raises(PermissionDenied):
        services.totp_reset(actor=agent, user=admin_agent)
    services.totp_reset(actor=operator(), user=admin_agent)
    assert not User.objects.get(pk=admin_agent.pk).has_totp
    assert JournalEntry.objects.filter(action="totp.reset").exists()
