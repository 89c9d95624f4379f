import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from territoires.api import selectors, services
from territoires.api.models import ApiToken
from territoires.journal.models import JournalEntry
from tests.factories import BodyFactory, UserFactory, membership


def test_create_keeps_only_the_hash_and_journals(body, admin_agent, agent):
    token, secret = services.api_token_create(actor=admin_agent, body=body, user=agent, name="  Paie  ")
    assert secret.startswith(f"trt_{token.prefix}_")
    assert len(token.prefix) == 8
    assert token.name == "Paie"
    assert secret not in token.token_hash
    assert token.token_hash == services.secret_hash(secret)
    assert token.created_by == admin_agent
    entry = JournalEntry.objects.get(action="api_token.create", body=body)
    assert entry.actor == admin_agent
    assert selectors.api_token_resolve(secret=secret) == token


def test_each_secret_is_unique(body, admin_agent):
    secrets_ = {services.api_token_create(actor=None, body=body, user=admin_agent, name="x")[1]
                for _ in range(5)}
    assert len(secrets_) == 5


def test_agent_cannot_create_token(body, agent):
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=agent, body=body, user=agent, name="x")
    assert not ApiToken.objects.exists()


def test_admin_of_another_body_cannot_create_token(body, agent):
    outsider = UserFactory()
    membership(outsider, BodyFactory(), ["administrateur"])
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=outsider, body=body, user=agent, name="x")


def test_token_user_must_be_an_active_member(body, admin_agent):
    stranger = UserFactory()
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(actor=admin_agent, body=body, user=stranger, name="x")
    assert exc.value.message_dict["user"] == ["Cette personne n'est pas agent actif de l'organisme."]
    former = UserFactory()
    m = membership(former, body, ["agent"])
    m.is_active = False
    m.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        services.api_token_create(actor=admin_agent, body=body, user=former, name="x")


def test_name_is_required_in_french(body, admin_agent):
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(actor=admin_agent, body=body, user=admin_agent, name="   ")
    assert "Donnez un nom" in exc.value.message_dict["name"][0]


def test_revoke_is_journaled_once_and_idempotent(body, admin_agent):
    token, secret = services.api_token_create(actor=None, body=body, user=admin_agent, name="x")
    services.api_token_revoke(actor=admin_agent, token=token)
    services.api_token_revoke(actor=admin_agent, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert JournalEntry.objects.filter(action="api_token.revoke").count() == 1
    assert selectors.api_token_resolve(secret=secret) is None


def test_agent_cannot_revoke(body, admin_agent, agent):
    token, _secret = services.api_token_create(actor=None, body=body, user=admin_agent, name="x")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(actor=agent, token=token)


def test_token_stops_working_when_membership_or_user_is_deactivated(body, agent):
    _token, secret = services.api_token_create(actor=None, body=body, user=agent, name="x")
    agent.memberships.update(is_active=False)
    assert selectors.api_token_resolve(secret=secret) is None
    agent.memberships.update(is_active=True)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert selectors.api_token_resolve(secret=secret) is None


def test_token_resolution_gives_user_and_body_and_stops_with_the_body(body, agent):
    token, secret = services.api_token_create(actor=None, body=body, user=agent, name="x")
    resolved = selectors.api_token_resolve(secret=secret)
    assert (resolved.pk, resolved.user, resolved.body) == (token.pk, agent, body)
    assert resolved.user.email == agent.email and resolved.body.siren == body.siren
    assert selectors.api_token_resolve(secret=secret + "x") is None
    type(body).objects.filter(pk=body.pk).update(is_active=False)
    assert selectors.api_token_resolve(secret=secret) is None
