"""The session and the user of each request, read by accounts.sessions and the backend's get_user."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.accounts.helpers import password_login

PROFILE = "accounts:profile"


def test_a_live_session_keeps_the_user_logged_in(client, agent):
    password_login(client, agent)
    response = client.get(reverse(PROFILE))
    assert response.status_code == 200
    assert response.wsgi_request.user == agent


def test_an_expired_session_is_not_read(client, agent):
    password_login(client, agent)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse(PROFILE))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not response.wsgi_request.user.is_authenticated


def test_an_unknown_session_key_is_anonymous_and_not_reused(client, agent):
    client.cookies["sessionid"] = "z" * 32  # never issued
    response = client.get(reverse("accounts:login"))
    assert not response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.session.session_key is None  # a fresh key if anything is stored


def test_a_deactivated_user_is_logged_out_on_the_next_request(client, agent):
    password_login(client, agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = client.get(reverse(PROFILE))
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


def test_a_changed_password_ends_other_sessions(client, agent):
    password_login(client, agent)
    agent.set_password("Un-autre-mot-de-passe-99")
    agent.save(update_fields=["password"])
    assert client.get(reverse(PROFILE)).status_code == 302
