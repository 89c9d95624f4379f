from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from territoires.journal.models import JournalEntry
from territoires.tenancy import access, services
from territoires.tenancy.models import Body, MembershipRequest, Subscription
from tests.factories import BodyFactory, UserFactory, membership, operator


def test_body_create_checks_siren_and_journals():
    op = operator()
    body = services.body_create(actor=op, siren="213502388", name="Rennes-Test", kind="commune",
                                services=["actes", "marches"])
    assert set(body.subscriptions.values_list("service", flat=True)) == {"actes", "marches"}
    assert JournalEntry.objects.filter(action="body.create", body=body).exists()
    with pytest.raises(ValidationError) as exc:
        services.body_create(actor=op, siren="213502387", name="X", kind="commune")
    assert "clé de contrôle" in str(exc.value)


def test_body_create_refused_to_agent(admin_agent):
    with pytest.raises(PermissionDenied):
        services.body_create(actor=admin_agent, siren="213502388", name="X", kind="commune")


def test_epci_needs_its_form():
    with pytest.raises(ValidationError) as exc:
        services.body_create(actor=None, siren="200070852", name="CC", kind="epci")
    assert "forme" in str(exc.value)
    body = services.body_create(actor=None, siren="200070852", name="CC", kind="epci", epci_form="ca")
    assert body.actes_nature_code == "46"


def test_invitation_flow(body, admin_agent, django_capture_on_commit_callbacks, run_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            actor=admin_agent, body=body, email="Nouvel.Agent@Mairie.fr", roles=["agent"]
        )
    run_tasks()
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body
    membership_ = services.invitation_accept(token=token, first_name="Ana", last_name="Lys",
                                             password="Motdepasse-solide-42")
    assert membership_.user.email == "nouvel.agent@mairie.fr"
    assert access.has_perm(membership_.user, body, "actes.draft")
    with pytest.raises(services.InvitationError):
        services.invitation_get(token=token)


def test_duplicate_invitation_is_refused_in_french(body, admin_agent):
    services.invitation_create(actor=admin_agent, body=body, email="a@b.fr", roles=["agent"])
    with pytest.raises(ValidationError) as exc:
        services.invitation_create(actor=admin_agent, body=body, email="A@B.fr", roles=["agent"])
    assert exc.value.message_dict["email"] == ["Une invitation est déjà en attente pour cette adresse."]


def test_expired_invitation(body, admin_agent):
    _inv, token = services.invitation_create(actor=admin_agent, body=body, email="a@b.fr", roles=["agent"])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        with pytest.raises(services.InvitationError, match="expiré"):
            services.invitation_get(token=token)


def test_agent_cannot_invite(body, agent):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=agent, body=body, email="a@b.fr", roles=["agent"])


def test_admin_of_other_body_cannot_invite(body):
    other_admin = UserFactory()
    membership(other_admin, BodyFactory(), ["administrateur"])
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=other_admin, body=body, email="a@b.fr", roles=["agent"])


def test_last_administrator_keeps_the_role(body, admin_agent):
    m = admin_agent.memberships.get(body=body)
    with pytest.raises(ValidationError):
        services.membership_set_roles(actor=admin_agent, membership=m, roles=["agent"])


def test_adhesion_approval_creates_body_and_invites(django_capture_on_commit_callbacks, run_tasks):
    request = services.membership_request_submit(
        siren="212102313", name="Commune de Fleurey", kind="commune", contact_name="M. Maire",
        contact_email="maire@fleurey.fr", services=["actes", "formations"],
    )
    op = operator()
    with django_capture_on_commit_callbacks(execute=True):
        body = services.membership_request_approve(actor=op, request=request)
    run_tasks()
    request.refresh_from_db()
    assert request.status == "approved" and request.body == body
    assert Subscription.objects.filter(body=body, is_active=True).count() == 2
    assert mail.outbox[0].to == ["maire@fleurey.fr"]
    with pytest.raises(ValidationError):
        services.membership_request_approve(actor=op, request=request)
    assert Body.objects.count() == 1
    assert MembershipRequest.objects.count() == 1


def test_subscriptions_switch_services(body):
    op = operator()
    services.body_set_subscriptions(actor=op, body=body, services=["marches"])
    assert access.active_services(body) == ["marches"]
    with pytest.raises(PermissionDenied):
        access.require_service(body, "actes")


def test_body_gets_departement_and_nuts3_from_its_commune():
    from territoires.tenancy.communes import communes_load

    communes_load()
    body = services.body_create(actor=None, siren="212102313", name="Fleurey", kind="commune",
                                insee_code="21273")
    assert (body.departement, body.nuts3, body.commune.name) == ("21", "FRC11", "Fleurey-sur-Ouche")
    jura = services.body_create(actor=None, siren="213502388", name="X", kind="commune", departement="39")
    assert jura.nuts3 == "FRC22"


def test_invitation_accept_applies_the_password_rules(body, admin_agent):
    """The service, not only the form, refuses a weak password (a command or API caller has no form)."""
    _inv, token = services.invitation_create(actor=admin_agent, body=body, email="a@b.fr", roles=["agent"])
    with pytest.raises(ValidationError) as exc:
        services.invitation_accept(token=token, first_name="Ana", last_name="Lys", password="motdepasse")
    assert "password" in exc.value.message_dict
    assert services.invitation_get(token=token)  # still usable
