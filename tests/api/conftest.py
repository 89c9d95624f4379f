"""Fixtures of the API tests: tokens made with the real service, bearer headers."""

import pytest

from territoires.api.services import api_token_create


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin_secret(body, admin_agent) -> str:
    _token, secret = api_token_create(actor=None, body=body, user=admin_agent, name="Logiciel financier")
    return secret


@pytest.fixture
def agent_secret(body, agent) -> str:
    _token, secret = api_token_create(actor=None, body=body, user=agent, name="Outil agent")
    return secret

