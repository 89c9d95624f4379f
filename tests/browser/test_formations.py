"""Registering for a training session in a real browser, from the catalogue."""

import re

import pytest
from playwright.sync_api import expect

from territoires.formations.models import Registration
from tests.browser.fixtures import follow, login, submit, visit
from tests.factories import BodyFactory, UserFactory, membership
from tests.formations.factories import RegistrationFactory, TrainingSessionFactory

pytestmark = pytest.mark.browser


def test_agent_registers_from_the_catalogue_then_the_waiting_list(page):
    body = BodyFactory(name="Commune de Précy-sous-Thil")
    agent = UserFactory(email="accueil@precy.example.fr", first_name="Lucie", last_name="Bernard")
    membership(agent, body, ["agent"])
    session = TrainingSessionFactory(title="Rédiger une délibération", capacity=2)
    full = TrainingSessionFactory(title="Marchés publics : les bases", capacity=1)
    RegistrationFactory(session=full, body=BodyFactory(), agent=UserFactory())

    login(page, agent.email)
    visit(page, "/formations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des formations")
    card = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=session.title))
    expect(card).to_contain_text("2 places restantes")

    follow(page, card.get_by_role("link", name=session.title))
    expect(page.get_by_role("heading", level=1)).to_have_text(session.title)
    follow(page, page.get_by_role(
        "link", name="S'inscrire depuis l'espace de Commune de Précy-sous-Thil"))
    expect(page).to_have_url(re.compile(rf"/formations/o/{body.siren}/\?session={session.pk}$"))
    # The session chosen in the catalogue is already selected.
    expect(page.get_by_role("combobox", name="Session")).to_have_value(str(session.pk))
    submit(page, "Inscrire")

    expect(page.get_by_role("status")).to_contain_text("Inscription confirmée pour Lucie Bernard.")
    mine = page.get_by_role("table", name="Mes inscriptions")
    expect(mine).to_contain_text(session.title)
    registration = Registration.objects.get(session=session, agent=agent)
    assert registration.body == body
    assert registration.status == "confirmed"

    # A full session puts the agent on the waiting list, and says so.
    page.get_by_role("combobox", name="Session").select_option(str(full.pk))
    submit(page, "Inscrire")
    expect(page.get_by_role("status")).to_contain_text("liste d'attente (position 1)")
    assert Registration.objects.get(session=full, agent=agent).status == "waiting"

    visit(page, f"/formations/session/{session.pk}/")
    expect(page.get_by_text("Vous êtes inscrit(e) à cette session.")).to_be_visible()
    expect(page.get_by_text("1 place restante")).to_be_visible()
