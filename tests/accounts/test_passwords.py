import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, password_validation
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from territoires.accounts import services
from territoires.accounts.models import User
from territoires.journal.models import JournalEntry
from tests.accounts.helpers import password_login
from tests.factories import PASSWORD

NEW_PASSWORD = "Nouveau-secret-2026"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Court-1a", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
        ("toutenminuscules", "au moins trois types de caractères"),
        ("123456789012345", "Ce mot de passe est entièrement numérique."),
        ("password1234", "Ce mot de passe est trop courant."),
    ],
)
def test_weak_passwords_are_refused_in_french(password, message):
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password(password)
    assert any(message in text for text in exc.value.messages), exc.value.messages


def test_strong_password_passes_the_validators():
    password_validation.validate_password(NEW_PASSWORD)


def request_reset(client, email, django_capture_on_commit_callbacks, run_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:password_reset"), {"email": email})
    run_tasks()
    return response


def reset_link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_password_reset_full_flow(client, agent, django_capture_on_commit_callbacks, run_tasks):
    response = request_reset(
        client, agent.email.upper(), django_capture_on_commit_callbacks, run_tasks
    )
    assert "Si un compte existe" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agent.email]
    assert "nouveau mot de passe" in message.subject
    assert "valable 3 jours" in message.body
    url = reset_link(message)
    path = url.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    page = client.get(path)
    assert page.status_code == 200
    assert agent.email in page.content.decode()
    weak = client.post(path, {"new_password1": "court", "new_password2": "court"})
    assert "trop court" in weak.content.decode()
    mismatch = client.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert "ne sont pas identiques" in mismatch.content.decode()

    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:login")
    assert User.objects.get(pk=agent.pk).check_password(NEW_PASSWORD)
    assert JournalEntry.objects.filter(action="password.reset", actor=agent).exists()
    assert JournalEntry.objects.filter(action="password.reset_request").exists()
    # The link is single use: the password changed, the token no longer matches.
    assert client.get(path).status_code == 410
    assert password_login(client, agent, password=NEW_PASSWORD).status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(
    client, agent, django_capture_on_commit_callbacks, run_tasks
):
    known = request_reset(client, agent.email, django_capture_on_commit_callbacks, run_tasks)
    unknown = request_reset(
        client, "inconnu@mairie.fr", django_capture_on_commit_callbacks, run_tasks
    )

    def normalise(response, email):
        return re.sub(
            r'(csrf-token" content|csrfmiddlewaretoken" value)="[^"]+"',
            "",
            response.content.decode(),
        ).replace(email, "EMAIL")

    assert normalise(known, agent.email) == normalise(unknown, "inconnu@mairie.fr")
    assert len(mail.outbox) == 1


def test_repeated_requests_send_one_mail(
    client, agent, django_capture_on_commit_callbacks, run_tasks
):
    for _ in range(3):
        request_reset(client, agent.email, django_capture_on_commit_callbacks, run_tasks)
    assert len(mail.outbox) == 1


def test_reset_link_expires(client, agent, settings, django_capture_on_commit_callbacks, run_tasks):
    request_reset(client, agent.email, django_capture_on_commit_callbacks, run_tasks)
    path = "/" + reset_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    # Django's token clock is naive local time: leave a margin over any UTC offset.
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) + timedelta(hours=3)
    with time_machine.travel(later):
        response = client.get(path)
    assert response.status_code == 410
    assert "n&#x27;est plus valable" in response.content.decode()


def test_reset_clears_the_lockout(client, agent, django_capture_on_commit_callbacks, run_tasks):
    for _ in range(5):
        password_login(client, agent, password="faux")
    assert User.objects.get(pk=agent.pk).locked_until is not None
    request_reset(client, agent.email, django_capture_on_commit_callbacks, run_tasks)
    path = "/" + reset_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user = User.objects.get(pk=agent.pk)
    assert user.locked_until is None and user.failed_logins == 0
    assert password_login(client, agent, password=NEW_PASSWORD).status_code == 302


def test_forged_reset_link_is_refused(client, agent):
    response = client.get(reverse("accounts:password_reset_confirm", args=["MQ", "faux-jeton"]))
    assert response.status_code == 410
    with pytest.raises(ValidationError, match="plus valable"):
        services.password_reset_complete(user=agent, token="faux-jeton", new_password=NEW_PASSWORD)


def test_password_change_needs_the_current_password(
    client, agent, django_capture_on_commit_callbacks, run_tasks
):
    password_login(client, agent)
    url = reverse("accounts:password_change")
    wrong = client.post(
        url,
        {"current_password": "faux", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "Le mot de passe actuel est incorrect." in wrong.content.decode()
    weak = client.post(
        url,
        {
            "current_password": PASSWORD,
            "new_password1": "abcdefghijkl",
            "new_password2": "abcdefghijkl",
        },
    )
    assert "trois types de caractères" in weak.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "current_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
    run_tasks()
    assert response["Location"] == reverse("accounts:profile")
    # Still logged in here (session hash updated).
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert User.objects.get(pk=agent.pk).check_password(NEW_PASSWORD)
    assert mail.outbox[0].to == [agent.email] and "modifié" in mail.outbox[0].subject
    assert JournalEntry.objects.filter(action="password.change", actor=agent).exists()
