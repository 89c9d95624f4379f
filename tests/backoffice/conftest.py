import pytest

from tests.factories import operator


def login(client, user):
    """Log in fully: operator roles need the second factor, granted here."""
    client.force_login(user)
    session = client.session
    session["second_factor_ok"] = True
    session.save()
    return client


@pytest.fixture
def staff():
    return operator()


@pytest.fixture
def operator_client(client, staff):
    return login(client, staff)

