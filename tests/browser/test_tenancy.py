"""Body spaces in a real browser: choosing the body, inviting an agent, accepting."""

import re

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from territoires.accounts.models import User
from territoires.tenancy.models import Invitation, Membership
from tests.browser.fixtures import check_a11y, follow, login, submit, visit
from tests.factories import BodyFactory, UserFactory, membership

pytestmark = pytest.mark.browser


def test_agent_of_two_bodies_switches_body(page):
    montbard = BodyFactory(name="Commune de Montbard")
    semur = BodyFactory(name="Commune de Semur-en-Auxois")
    user = UserFactory(email="claire.martin@mairie.example.fr")
    membership(user, montbard, ["agent"])
    membership(user, semur, ["agent"])

    login(page, user.email)

    # Two bodies and none chosen yet: the chooser.
    expect(page).to_have_url(re.compile(r"/o/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes organismes")
    follow(page, page.get_by_role("link", name="Commune de Montbard"))
    expect(page).to_have_url(re.compile(rf"/o/{montbard.siren}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Commune de Montbard")
    expect(page.get_by_role("banner")).to_contain_text("Organisme actif : Commune de Montbard")

    follow(page, page.get_by_role("link", name="Changer d'organisme"))
    follow(page, page.get_by_role("link", name="Commune de Semur-en-Auxois"))
    expect(page).to_have_url(re.compile(rf"/o/{semur.siren}/$"))
    expect(page.get_by_role("banner")).to_contain_text(
        "Organisme actif : Commune de Semur-en-Auxois"
    )
    expect(page.get_by_role("banner")).not_to_contain_text("Montbard")

    # The last body is remembered: the root now opens it directly.
    visit(page, "/")
    expect(page).to_have_url(re.compile(rf"/o/{semur.siren}/$"))


def _admin_with_totp(body):
    secret = pyotp.random_base32()
    admin = UserFactory(email="direction@mairie.example.fr", first_name="Hélène",
                        last_name="Roussel", totp_secret=secret,
                        totp_confirmed_at=timezone.now())
    membership(admin, body, ["administrateur"])
    return admin, secret


def test_administrator_invites_an_agent_who_joins(page, new_page, run_tasks_live):
    body = BodyFactory(name="Commune de Vitteaux")
    admin, secret = _admin_with_totp(body)

    login(page, admin.email, totp_secret=secret)
    expect(page).to_have_url(re.compile(rf"/o/{body.siren}/$"))
    follow(page, page.get_by_role("navigation", name="Menu principal")
           .get_by_role("link", name="Agents"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agents de l'organisme")

    # The invitation form is sent by htmx: the panel is swapped, no reload.
    page.evaluate("() => { window.__noReload = true; }")
    page.get_by_label("Adresse électronique de l'agent").fill("Paul.Girard@Mairie.example.fr")
    page.get_by_role("checkbox", name="Agent", exact=True).check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Invitation envoyée à paul.girard@mairie.example.fr."
    )
    pending = page.get_by_role("heading", name="Invitations en attente").locator(
        "xpath=following-sibling::ul[1]"
    )
    expect(pending).to_contain_text("paul.girard@mairie.example.fr")
    expect(page.get_by_label("Adresse électronique de l'agent")).to_have_value("")
    assert page.evaluate("() => window.__noReload === true"), "la page a été rechargée"
    check_a11y(page)

    # Same address again: a French error in the swapped form.
    page.get_by_label("Adresse électronique de l'agent").fill("paul.girard@mairie.example.fr")
    page.get_by_role("checkbox", name="Agent", exact=True).check()
    page.get_by_role("button", name="Envoyer l'invitation").click()
    duplicate = page.get_by_text("Une invitation est déjà en attente pour cette adresse.")
    expect(duplicate).to_be_visible()
    expect(page.get_by_label("Adresse électronique de l'agent")).to_have_value(
        "paul.girard@mairie.example.fr"
    )
    assert page.evaluate("() => window.__noReload === true"), "la page a été rechargée"
    check_a11y(page)
    assert Invitation.objects.filter(body=body).count() == 1

    # The e-mail goes out from the worker; the link it carries is the only way in.
    outbox = run_tasks_live()
    assert [m.to for m in outbox] == [["paul.girard@mairie.example.fr"]]
    link = re.search(r"https?://\S+/o/invitation/(\S+)/", outbox[0].body)
    assert link, outbox[0].body

    newcomer = new_page()  # another browser: not the administrator's session
    visit(newcomer, f"/o/invitation/{link.group(1)}/")
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Rejoindre Commune de Vitteaux")
    newcomer.get_by_label("Prénom").fill("Paul")
    newcomer.get_by_label("Nom d'usage").fill("Girard")
    newcomer.get_by_label("Mot de passe").fill("Cantal-Bourgogne-2024")
    submit(newcomer, "Créer mon compte et rejoindre l'organisme")
    expect(newcomer).to_have_url(re.compile(rf"/o/{body.siren}/$"))
    expect(newcomer.get_by_role("status")).to_contain_text("Bienvenue")
    expect(newcomer.get_by_role("banner")).to_contain_text("Organisme actif : Commune de Vitteaux")

    paul = User.objects.get(email="paul.girard@mairie.example.fr")
    joined = Membership.objects.get(user=paul, body=body)
    assert [r.code for r in joined.roles.all()] == ["agent"]


def test_administrator_edits_the_body_profile_and_journal(page, tmp_path):
    body = BodyFactory(name="Commune de Précy-sous-Thil")
    admin, secret = _admin_with_totp(body)
    login(page, admin.email, totp_secret=secret)
    menu = page.get_by_role("navigation", name="Menu principal")
    follow(page, menu.get_by_role("link", name="Fiche de l'organisme"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiche de l'organisme")

    # A file that is not an image: French error, typed values kept.
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"pas une image")
    page.get_by_label("Adresse postale").fill("2 place de l'Église")
    page.get_by_label("Logo", exact=True).set_input_files(str(fake))
    submit(page, "Enregistrer")
    expect(page.get_by_text("Ce fichier n'est pas une image lisible.")).to_be_visible()
    expect(page.get_by_label("Adresse postale")).to_have_value("2 place de l'Église")

    page.get_by_label("Logo", exact=True).set_input_files([])
    submit(page, "Enregistrer")
    expect(page.get_by_role("status")).to_contain_text("La fiche de l'organisme est enregistrée.")

    follow(page, menu.get_by_role("link", name="Journal"))
    expect(page.get_by_role("table")).to_contain_text("body.profile")
    check_a11y(page)
