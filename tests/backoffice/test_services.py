import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from territoires.backoffice import services
from territoires.journal.models import JournalEntry
from territoires.tenancy import access
from territoires.tenancy.models import Commune, Membership
from tests.factories import operator


def test_body_update_journals_only_changes(staff, body):
    commune = Commune.objects.create(
        insee_code="21231", name="Dijon", departement="21", latitude="47.3", longitude="5.0"
    )
    updated = services.body_update(
        actor=staff, body=body, name="Dijon", insee_code="21231", population=body.population
    )
    assert (updated.name, updated.commune) == ("Dijon", commune)
    entry = JournalEntry.objects.get(action="body.update")
    assert entry.body == body and entry.summary == "Dijon"
    services.body_update(actor=staff, body=updated, name="Dijon")
    assert JournalEntry.objects.filter(action="body.update").count() == 1


def test_body_update_validates_and_leaves_the_row_intact(staff, body):
    with pytest.raises(ValidationError) as exc:
        services.body_update(actor=staff, body=body, kind="epci")
    assert "Précisez la forme de l'EPCI." in str(exc.value)
    body.refresh_from_db()
    assert body.kind == "commune"
    with pytest.raises(TypeError):
        services.body_update(actor=staff, body=body, siren="213502388")


def test_body_writes_need_manage_bodies(body, admin_agent):
    support = operator(roles=("support",))
    for actor in (support, admin_agent):
        with pytest.raises(PermissionDenied):
            services.body_update(actor=actor, body=body, name="X")
        with pytest.raises(PermissionDenied):
            services.body_set_active(actor=actor, body=body, is_active=False)


def test_suspending_a_body_cuts_its_agents_off(staff, body, agent):
    assert access.has_perm(agent, body, "body.view")
    services.body_set_active(actor=staff, body=body, is_active=False)
    body.refresh_from_db()
    access.clear_cache(agent)
    assert not access.has_perm(agent, body, "body.view")
    services.body_set_active(actor=staff, body=body, is_active=False)  # idempotent
    assert JournalEntry.objects.filter(action="body.deactivate").count() == 1
    services.body_set_active(actor=staff, body=body, is_active=True)
    assert JournalEntry.objects.filter(action="body.activate").count() == 1


def test_membership_revoke(staff, body, agent, admin_agent):
    m = Membership.objects.get(user=agent, body=body)
    with pytest.raises(PermissionDenied):
        services.membership_revoke(actor=admin_agent, membership=m)
    services.membership_revoke(actor=staff, membership=m)
    m.refresh_from_db()
    assert not m.is_active
    assert JournalEntry.objects.get(action="membership.deactivate").body == body
    with pytest.raises(ValidationError):
        services.membership_revoke(actor=staff, membership=m)
