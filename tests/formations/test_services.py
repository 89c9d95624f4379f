from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from territoires.formations import services
from territoires.formations.demo import create_demo_sessions
from territoires.formations.models import Registration, TrainingSession
from territoires.formations.selectors import waiting_position
from territoires.journal.models import JournalEntry
from tests.factories import BodyFactory, UserFactory, membership, operator
from tests.formations.factories import TrainingSessionFactory


def register(actor, body, session, agent):
    return services.registration_create(actor=actor, body=body, session=session, agent=agent)


def test_full_session_goes_to_waiting_list_and_mails(
    body, admin_agent, member, session, django_capture_on_commit_callbacks, run_tasks
):
    a, b, c = member(), member(), member()
    with django_capture_on_commit_callbacks(execute=True):
        first = register(admin_agent, body, session, a)
        second = register(admin_agent, body, session, b)
        third = register(admin_agent, body, session, c)
    assert [first.status, second.status, third.status] == ["confirmed", "confirmed", "waiting"]
    assert waiting_position(third) == 1
    assert third.registered_by == admin_agent
    run_tasks()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[a.email].startswith("Inscription confirmée")
    assert subjects[c.email].startswith("Liste d'attente")
    assert "liste d'attente" in next(m.body for m in mail.outbox if m.to == [c.email])
    assert JournalEntry.objects.filter(action="formations.registration.create", body=body).count() == 3


def test_cancellation_promotes_first_in_line(
    body, admin_agent, member, django_capture_on_commit_callbacks, run_tasks
):
    session = TrainingSessionFactory(capacity=1, is_remote=True, place="",
                                     connection_info="https://visio.example.fr/salle-42")
    a, b, c = member(), member(), member()
    ra = register(admin_agent, body, session, a)
    rb = register(admin_agent, body, session, b)
    rc = register(admin_agent, body, session, c)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(actor=a, registration=ra)
    assert promoted == [rb]
    rb.refresh_from_db()
    rc.refresh_from_db()
    assert (rb.status, rc.status) == ("confirmed", "waiting")
    assert rb.promoted_at is not None
    assert waiting_position(rc) == 1
    run_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [b.email]
    assert "Une place s'est libérée" in mail.outbox[0].subject
    assert "https://visio.example.fr/salle-42" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.registration_cancel(actor=a, registration=ra)


def test_cancelling_a_waiting_registration_promotes_nobody(body, admin_agent, member):
    session = TrainingSessionFactory(capacity=1)
    ra = register(admin_agent, body, session, member())
    rb = register(admin_agent, body, session, member())
    rc = register(admin_agent, body, session, member())
    assert services.registration_cancel(actor=admin_agent, registration=rb) == []
    ra.refresh_from_db()
    rc.refresh_from_db()
    assert (ra.status, rc.status) == ("confirmed", "waiting")


def test_agent_registers_themself(body, agent, session):
    registration = register(agent, body, session, agent)
    assert registration.status == "confirmed"
    assert registration.body == body and registration.registered_by == agent


def test_agent_cannot_register_a_colleague(body, agent, member, session):
    with pytest.raises(PermissionDenied):
        register(agent, body, session, member())


def test_agent_of_another_body_cannot_be_registered(body, admin_agent, session):
    stranger = UserFactory()
    membership(stranger, BodyFactory(), ["agent"])
    with pytest.raises(ValidationError) as exc:
        register(admin_agent, body, session, stranger)
    assert exc.value.message_dict["agent"] == [
        f"Cette personne n'est pas un agent actif de {body.name}."
    ]
    assert not Registration.objects.exists()


def test_inactive_membership_cannot_be_registered(body, admin_agent, member, session):
    former = member()
    former.memberships.update(is_active=False)
    with pytest.raises(ValidationError, match="pas un agent actif"):
        register(admin_agent, body, session, former)


def test_outsiders_are_refused(body, agent, session):
    other_admin = UserFactory()
    membership(other_admin, BodyFactory(), ["administrateur"])
    with pytest.raises(PermissionDenied):
        register(other_admin, body, session, agent)
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        register(outsider, body, session, outsider)
    assert not Registration.objects.exists()


def test_body_without_formations_subscription_is_refused(session):
    body = BodyFactory(services=["actes"])
    admin = UserFactory()
    membership(admin, body, ["administrateur"])
    with pytest.raises(PermissionDenied):
        register(admin, body, session, admin)


def test_one_active_registration_per_agent(body, agent, session):
    first = register(agent, body, session, agent)
    with pytest.raises(ValidationError, match="déjà inscrit"):
        register(agent, body, session, agent)
    services.registration_cancel(actor=agent, registration=first)
    again = register(agent, body, session, agent)
    assert again.status == "confirmed"
    assert Registration.objects.filter(session=session, agent=agent).count() == 2


def test_registration_closed_after_deadline_start_and_cancellation(body, agent, trainer):
    start = timezone.now() + timedelta(days=10)
    session = TrainingSessionFactory(starts_at=start, registration_deadline=start - timedelta(days=2))
    with time_machine.travel(start - timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            register(agent, body, session, agent)
    assert "Les inscriptions à cette session sont closes depuis le" in exc.value.message_dict["session"][0]
    with time_machine.travel(start + timedelta(minutes=5)):
        with pytest.raises(ValidationError) as exc:
            register(agent, body, session, agent)
    assert exc.value.message_dict["session"] == [
        "Cette session a déjà commencé : les inscriptions sont fermées."
    ]
    services.training_session_cancel(actor=trainer, session=session)
    with pytest.raises(ValidationError) as exc:
        register(agent, body, session, agent)
    assert exc.value.message_dict["session"] == [
        "Cette session a été annulée : les inscriptions sont fermées."
    ]


def test_session_cancel_notifies_confirmed_and_waiting(
    body, admin_agent, member, trainer, django_capture_on_commit_callbacks, run_tasks
):
    session = TrainingSessionFactory(capacity=1, title="Marchés publics – l’essentiel")
    a, b = member(), member()
    register(admin_agent, body, session, a)
    register(admin_agent, body, session, b)
    with django_capture_on_commit_callbacks(execute=True):
        services.training_session_cancel(actor=trainer, session=session)
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert all(m.subject == "Session annulée : Marchés publics – l’essentiel" for m in mail.outbox)
    assert JournalEntry.objects.filter(action="formations.session.cancel").exists()
    with pytest.raises(ValidationError, match="déjà annulée"):
        services.training_session_cancel(actor=trainer, session=session)


def test_session_writes_need_the_platform_permission(admin_agent, session):
    support = operator(roles=("support",))
    for actor in (admin_agent, support):
        with pytest.raises(PermissionDenied):
            services.training_session_cancel(actor=actor, session=session)
        with pytest.raises(PermissionDenied):
            services.training_session_update(actor=actor, session=session, capacity=5)
        with pytest.raises(PermissionDenied):
            services.attendance_record(actor=actor, session=session, attended={})


def test_session_create_validates_in_french(trainer):
    start = timezone.now() + timedelta(days=3)
    fields = dict(title="Visio", service="actes", audience="agents", starts_at=start,
                  ends_at=start + timedelta(hours=2), capacity=10, trainer_name="Léa",
                  is_remote=True, connection_info="")
    with pytest.raises(ValidationError) as exc:
        services.training_session_create(actor=trainer, **fields)
    assert exc.value.message_dict["connection_info"] == [
        "Indiquez les informations de connexion d'une session à distance."
    ]
    fields.update(connection_info="https://visio.example.fr/x", ends_at=start)
    with pytest.raises(ValidationError) as exc:
        services.training_session_create(actor=trainer, **fields)
    assert "La fin doit être postérieure au début." in exc.value.message_dict["ends_at"]
    fields.update(ends_at=start + timedelta(hours=2))
    session = services.training_session_create(actor=trainer, **fields)
    assert session.status == "scheduled"
    assert JournalEntry.objects.filter(action="formations.session.create").count() == 1


def test_more_seats_promote_the_waiting_list_and_fewer_are_refused(
    body, admin_agent, member, trainer
):
    session = TrainingSessionFactory(capacity=1)
    register(admin_agent, body, session, member())
    waiting = register(admin_agent, body, session, member())
    with pytest.raises(ValidationError) as exc:
        services.training_session_update(actor=trainer, session=session, capacity=0)
    assert "capacity" in exc.value.message_dict
    services.training_session_update(actor=trainer, session=session, capacity=2)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_attendance_opens_the_certificate(body, admin_agent, member, trainer, session):
    a, b = member(), member()
    ra = register(admin_agent, body, session, a)
    rb = register(admin_agent, body, session, b)
    with pytest.raises(ValidationError, match="qu'à partir du début"):
        services.attendance_record(actor=trainer, session=session, attended={ra.pk: True})
    with time_machine.travel(session.ends_at):
        assert services.attendance_record(
            actor=trainer, session=session, attended={ra.pk: True, rb.pk: False}) == 2
        with pytest.raises(ValidationError, match="Inscription inconnue"):
            services.attendance_record(actor=trainer, session=session, attended={ra.pk + 999: True})
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert ra.attended is True and ra.certificate_issued_at is not None
    assert rb.attended is False and rb.certificate_issued_at is None
    assert JournalEntry.objects.filter(action="formations.attendance").count() == 1


def test_seats_are_counted_with_the_session_row_locked(body, agent, session):
    with CaptureQueriesContext(connection) as ctx:
        register(agent, body, session, agent)
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in ctx.captured_queries)
    else:
        # SQLite: writers are serialised by IMMEDIATE transactions instead.
        assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_demo_sessions_are_idempotent():
    created = create_demo_sessions()
    assert len(created) >= 3
    assert create_demo_sessions() == []
    assert TrainingSession.objects.count() == len(created)
    assert all(s.starts_at > timezone.now() for s in created)
