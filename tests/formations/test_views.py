from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from territoires.formations import services
from territoires.formations.models import Registration, TrainingSession
from tests.factories import BodyFactory, UserFactory, membership
from tests.formations.factories import TrainingSessionFactory


def test_catalogue_is_public_and_shows_seats(client, body, admin_agent, member):
    open_session = TrainingSessionFactory(capacity=3, title="Session ouverte", service="actes")
    full = TrainingSessionFactory(capacity=1, title="Session pleine", service="marches")
    services.registration_create(actor=admin_agent, body=body, session=full, agent=member())
    TrainingSessionFactory(title="Session passée", starts_at=open_session.starts_at - timedelta(days=30))
    response = client.get(reverse("formations:catalogue"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Session ouverte" in html and "3 places restantes" in html
    assert "Session pleine" in html and "Complet – liste d'attente" in html
    assert "Session passée" not in html
    filtered = client.get(reverse("formations:catalogue"), {"service": "marches"}).content.decode()
    assert "Session pleine" in filtered and "Session ouverte" not in filtered


def test_connection_info_only_for_registered_participants(client, body, agent):
    session = TrainingSessionFactory(is_remote=True, place="", connection_info="https://visio.example.fr/secret")
    url = reverse("formations:session_detail", args=[session.pk])
    assert "visio.example.fr/secret" not in client.get(url).content.decode()
    client.force_login(agent)
    page = client.get(url).content.decode()
    assert "visio.example.fr/secret" not in page
    assert reverse("formations:body_home", args=[body.siren]) in page
    services.registration_create(actor=agent, body=body, session=session, agent=agent)
    assert "visio.example.fr/secret" in client.get(url).content.decode()


def test_agent_registers_themself_from_the_body_page(client, body, agent, session):
    client.force_login(agent)
    url = reverse("formations:body_home", args=[body.siren])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="agent"' not in page.content.decode()
    response = client.post(url, {"session": session.pk}, follow=True)
    assert "Inscription confirmée" in response.content.decode()
    assert Registration.objects.get().agent == agent


def test_admin_registers_an_agent_and_sees_the_waiting_list_message(
    login, body, admin_agent, member
):
    session = TrainingSessionFactory(capacity=1)
    a, b = member(), member()
    client = login(admin_agent)
    url = reverse("formations:body_home", args=[body.siren])
    client.post(url, {"session": session.pk, "agent": a.pk})
    response = client.post(url, {"session": session.pk, "agent": b.pk}, follow=True)
    html = response.content.decode()
    assert "La session est complète" in html and "position 1" in html
    assert Registration.objects.get(agent=b).status == "waiting"
    assert b.email in html  # listed among the body's registrations


def test_registration_form_refuses_agents_of_other_bodies(login, body, admin_agent, session):
    stranger = UserFactory(email="etranger@autre.example.fr")
    membership(stranger, BodyFactory(), ["agent"])
    client = login(admin_agent)
    url = reverse("formations:body_home", args=[body.siren])
    assert "etranger@autre.example.fr" not in client.get(url).content.decode()
    response = client.post(url, {"session": session.pk, "agent": stranger.pk})
    assert response.status_code == 200
    assert "Choisissez un agent actif de l&#x27;organisme." in response.content.decode()
    assert not Registration.objects.exists()


def test_closed_session_error_is_shown_in_french(client, body, agent):
    """A closed session leaves the choice list; a stale form gets a French error."""
    session = TrainingSessionFactory(registration_deadline=timezone.now() + timedelta(days=1))
    url = reverse("formations:body_home", args=[body.siren])
    with time_machine.travel(session.starts_at - timedelta(hours=1)):
        client.force_login(agent)
        page = client.get(url).content.decode()
        assert "Aucune session ouverte aux inscriptions" in page
        response = client.post(url, {"session": session.pk})
        detail = client.get(reverse("formations:session_detail", args=[session.pk]))
    assert response.status_code == 200
    assert "Cette session n&#x27;est plus ouverte aux inscriptions" in response.content.decode()
    assert not Registration.objects.exists()
    assert "Les inscriptions à cette session sont closes depuis le" in detail.content.decode()


def test_body_page_is_404_for_outsiders_and_403_without_subscription(client, body):
    outsider = UserFactory()
    membership(outsider, BodyFactory(), ["agent"])
    client.force_login(outsider)
    assert client.get(reverse("formations:body_home", args=[body.siren])).status_code == 404
    unsubscribed = BodyFactory(services=["actes"])
    membership(outsider, unsubscribed, ["agent"])
    assert client.get(reverse("formations:body_home", args=[unsubscribed.siren])).status_code == 403


def test_cancel_own_registration_and_not_a_colleague_s(client, body, agent, member, admin_agent):
    session = TrainingSessionFactory()
    mine = services.registration_create(actor=agent, body=body, session=session, agent=agent)
    colleague = services.registration_create(actor=admin_agent, body=body, session=session,
                                             agent=member())
    client.force_login(agent)
    other = reverse("formations:registration_cancel", args=[body.siren, colleague.pk])
    assert client.post(other).status_code == 404
    own = reverse("formations:registration_cancel", args=[body.siren, mine.pk])
    response = client.post(own, follow=True)
    assert "Inscription annulée" in response.content.decode()
    mine.refresh_from_db()
    colleague.refresh_from_db()
    assert (mine.status, colleague.status) == ("cancelled", "confirmed")


def test_certificate_download_access(client, login, body, agent, admin_agent, trainer, session):
    registration = services.registration_create(actor=agent, body=body, session=session, agent=agent)
    url = reverse("formations:certificate", args=[registration.pk])
    client.force_login(agent)
    assert client.get(url).status_code == 404  # not attended yet
    with time_machine.travel(session.ends_at):
        services.attendance_record(actor=trainer, session=session, attended={registration.pk: True})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    for allowed in (admin_agent, trainer):
        assert login(allowed).get(url).status_code == 200
    colleague = UserFactory()
    membership(colleague, body, ["agent"])
    other_admin = UserFactory()
    membership(other_admin, BodyFactory(), ["administrateur"])
    for denied in (colleague, other_admin):
        assert login(denied).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


OPERATOR_PAGES = [
    ("formations:manage_list", False),
    ("formations:manage_create", False),
    ("formations:manage_participants", True),
    ("formations:manage_edit", True),
    ("formations:manage_cancel", True),
]


@pytest.mark.parametrize(("name", "with_session"), OPERATOR_PAGES)
def test_operator_pages(login, admin_agent, trainer, session, name, with_session):
    url = reverse(name, args=[session.pk] if with_session else [])
    assert login(admin_agent).get(url).status_code == 403
    assert login(trainer).get(url).status_code == 200


def test_operator_creates_edits_and_cancels_a_session(
    login, trainer, body, agent, django_capture_on_commit_callbacks, run_tasks
):
    client = login(trainer)
    data = {
        "title": "Budget communal", "description": "", "service": "actes", "audience": "elus",
        "starts_at": "2099-05-04T09:00", "ends_at": "2099-05-04T12:00", "duration_hours": "",
        "place": "", "is_remote": "", "connection_info": "", "capacity": "5",
        "trainer_name": "Paul Martin", "registration_deadline": "",
    }
    response = client.post(reverse("formations:manage_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Indiquez le lieu, ou cochez « à distance »." in html
    assert 'value="Budget communal"' in html
    data["place"] = "Mairie de Dijon"
    response = client.post(reverse("formations:manage_create"), data)
    session = TrainingSession.objects.get(title="Budget communal")
    assert response.status_code == 302
    assert session.starts_at.isoformat() == "2099-05-04T07:00:00+00:00"
    edit = client.get(reverse("formations:manage_edit", args=[session.pk])).content.decode()
    assert 'value="2099-05-04T09:00"' in edit
    client.post(reverse("formations:manage_edit", args=[session.pk]), {**data, "capacity": "8"})
    session.refresh_from_db()
    assert session.capacity == 8
    services.registration_create(actor=agent, body=body, session=session, agent=agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("formations:manage_cancel", args=[session.pk]))
    run_tasks()
    session.refresh_from_db()
    assert session.status == "cancelled"
    assert [m.to for m in mail.outbox] == [[agent.email]]


def test_attendance_page_records_checkboxes(login, body, agent, member, trainer, session):
    ra = services.registration_create(actor=agent, body=body, session=session, agent=agent)
    other = member()
    rb = services.registration_create(actor=other, body=body, session=session, agent=other)
    client = login(trainer)
    url = reverse("formations:manage_participants", args=[session.pk])
    page = client.get(url).content.decode()
    assert f"{agent.get_full_name()} ({body.name})" in page
    with time_machine.travel(session.ends_at):
        client = login(trainer)
        response = client.post(url, {f"attended_{ra.pk}": "on"})
    assert response.status_code == 302
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert (ra.attended, rb.attended) == (True, False)
