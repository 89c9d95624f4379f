"""Logging in in a real browser: password, then the TOTP code when the account has one."""

import re

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from territoires.accounts.models import User
from tests.browser.fixtures import check_a11y, login, submit, visit
from tests.factories import PASSWORD, BodyFactory, UserFactory, membership

pytestmark = pytest.mark.browser


def _wrong_code(secret: str) -> str:
    """A 6-digit code that no time-step near now accepts."""
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    valid = {totp.generate_otp(c) for c in range(now - 2, now + 3)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def test_password_then_totp_code(page):
    body = BodyFactory(name="Communauté de communes du Pays d'Arnay")
    secret = pyotp.random_base32()
    admin = UserFactory(email="dgs@arnay.example.fr", totp_secret=secret,
                        totp_confirmed_at=timezone.now())
    membership(admin, body, ["administrateur"])

    visit(page, "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill("DGS@arnay.example.fr")
    page.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    submit(page, "Se connecter")
    expect(page.get_by_role("alert")).to_contain_text(
        "Adresse électronique ou mot de passe incorrect."
    )
    expect(page.get_by_label("Adresse électronique")).to_have_value("DGS@arnay.example.fr")

    page.get_by_label("Mot de passe").fill(PASSWORD)
    submit(page, "Se connecter")
    expect(page).to_have_url(re.compile(r"/compte/double-authentification/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    # Not logged in yet: the body's pages are out of reach.
    visit(page, f"/o/{body.siren}/")
    expect(page).to_have_url(re.compile(r"/compte/connexion/"))
    page.go_back()
    check_a11y(page)
    submit_code = page.get_by_label("Code à 6 chiffres")
    expect(submit_code).to_be_visible()

    submit_code.fill(_wrong_code(secret))
    submit(page, "Valider")
    expect(page.get_by_text("Code incorrect.")).to_be_visible()
    expect(page.get_by_label("Code à 6 chiffres")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    submit(page, "Valider")
    expect(page).to_have_url(re.compile(rf"/o/{body.siren}/$"))
    expect(page.get_by_role("banner")).to_contain_text(
        "Organisme actif : Communauté de communes du Pays d'Arnay"
    )


def test_administrator_without_totp_must_enrol_first(page):
    body = BodyFactory(name="Commune de Pouilly-en-Auxois")
    admin = UserFactory(email="secretariat@pouilly.example.fr")
    membership(admin, body, ["administrateur"])

    visit(page, "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(admin.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    submit(page, "Se connecter")
    expect(page).to_have_url(re.compile(r"/compte/double-authentification/activer/$"))
    expect(page.get_by_text("la double authentification est obligatoire")).to_be_visible()
    # Every other page sends back here until the enrolment is done.
    visit(page, f"/o/{body.siren}/")
    expect(page).to_have_url(re.compile(r"/compte/double-authentification/activer/$"))

    # The key shown under the QR code is what the phone application would hold.
    secret = page.locator("main code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    submit(page, "Activer")
    expect(page.get_by_role("status")).to_contain_text("La double authentification est activée.")
    assert User.objects.get(pk=admin.pk).has_totp

    visit(page, f"/o/{body.siren}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Commune de Pouilly-en-Auxois")


def test_login_helper_types_the_totp_code(page):
    body = BodyFactory()
    secret = pyotp.random_base32()
    admin = UserFactory(totp_secret=secret, totp_confirmed_at=timezone.now())
    membership(admin, body, ["administrateur"])
    login(page, admin.email, totp_secret=secret)
    expect(page).to_have_url(re.compile(rf"/o/{body.siren}/$"))
