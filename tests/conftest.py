"""Suite-wide fixtures and guards.

- every test may use the database (les-emplois' automatic django_db mark);
- network is blocked except loopback (pytest-socket, see pyproject addopts);
- warnings are errors (pyproject filterwarnings).
"""

import pytest
from django.core.management import call_command

from tests.factories import BodyFactory, UserFactory, membership

# One set of browser fixtures (one Playwright driver) for every folder.
pytest_plugins = ["tests.browser.fixtures"]


@pytest.fixture(autouse=True)
def _db_for_all(db):
    """Every test gets the database, with the default roles.

    Roles are seeded by a data migration; transactional tests (live server)
    flush tables afterwards, so the next test re-seeds them here.
    """
    from territoires.tenancy.models import Role
    from territoires.tenancy.roles import seed_roles

    if not Role.objects.exists():
        seed_roles(Role)


@pytest.fixture(autouse=True)
def _fresh_layout_fragments():
    """Each test renders the layout from scratch (its menus are cached per process)."""
    from django.core.cache import caches

    caches["template_fragments"].clear()


@pytest.fixture
def run_tasks(monkeypatch):
    """Run every due background task with the real worker, then return.

    The worker closes "old" connections between tasks; inside a test that
    would close the test's own transaction, so that one call is neutralised.
    """
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                     "--queue-name", "*", verbosity=0)

    return run


@pytest.fixture
def body():
    return BodyFactory()


@pytest.fixture
def admin_agent(body):
    user = UserFactory()
    membership(user, body, ["administrateur"])
    return user


@pytest.fixture
def agent(body):
    user = UserFactory()
    membership(user, body, ["agent"])
    return user
