import pytest

from territoires.accounts.middleware import SECOND_FACTOR_SESSION_KEY
from tests.factories import UserFactory, membership, operator
from tests.formations.factories import TrainingSessionFactory


@pytest.fixture
def session():
    return TrainingSessionFactory(capacity=2)


@pytest.fixture
def trainer():
    return operator(roles=("formateur",))


@pytest.fixture
def member(body):
    """A factory of active agents of `body`."""

    def make(roles=("agent",)):
        user = UserFactory()
        membership(user, body, list(roles))
        return user

    return make


@pytest.fixture
def login(client):
    """Log a user in with the second factor already passed (admins, operators)."""

    def do(user):
        client.force_login(user)
        s = client.session
        s[SECOND_FACTOR_SESSION_KEY] = True
        s.save()
        return client

    return do
