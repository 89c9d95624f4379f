"""Account pages in a real browser, each axe-checked (WCAG 2.1 AA) by the page fixture."""

import re
from datetime import timedelta

import pyotp
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from territoires.accounts import services
from territoires.accounts.models import User
from tests.browser.fixtures import allow_error, check_a11y, follow, submit, visit
from tests.factories import PASSWORD, UserFactory, membership

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Nouveau-secret-2026"


def _fill_login(page, email, password):
    visit(page, "/compte/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    submit(page, "Se connecter")


def test_password_pages(page, body):
    user = UserFactory(email="secretaire@mairie.example.fr")
    membership(user, body, ["agent"])

    _fill_login(page, user.email, "mauvais")
    expect(page.get_by_role("alert")).to_contain_text("mot de passe incorrect")
    expect(page.get_by_label("Adresse électronique")).to_have_value(user.email)

    follow(page, page.get_by_role("link", name="Mot de passe oublié ?"))
    page.get_by_label("Adresse électronique de votre compte").fill(user.email)
    submit(page, "Recevoir le lien")
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")

    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    visit(page, f"/compte/mot-de-passe-oublie/{uidb64}/{token}/")
    page.get_by_label("Nouveau mot de passe", exact=False).first.fill("court")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("court")
    submit(page, "Enregistrer le mot de passe")
    expect(page.locator(".error-text").first).to_contain_text("trop court")
    page.get_by_label("Nouveau mot de passe", exact=False).first.fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    submit(page, "Enregistrer le mot de passe")
    expect(page.get_by_role("status")).to_contain_text("nouveau mot de passe est enregistré")

    allow_error(page, r"status of 410")
    assert page.goto(f"/compte/mot-de-passe-oublie/{uidb64}/{token}/").status == 410  # spent
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lien inutilisable")


def test_totp_and_profile_pages(page, body):
    user = UserFactory(email="elu@mairie.example.fr")
    membership(user, body, ["signataire"])
    _fill_login(page, user.email, PASSWORD)
    visit(page, "/compte/profil/")
    expect(page.get_by_role("cell", name="Signataire ou élu")).to_be_visible()

    follow(page, page.get_by_role("link", name="Activer la double authentification"))
    expect(page.get_by_role("img", name=re.compile("Code QR"))).to_be_visible()
    secret = page.locator("code").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill("000000")
    submit(page, "Activer")
    expect(page.locator(".error-text")).to_contain_text("Code incorrect")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    submit(page, "Activer")
    expect(page.get_by_role("status")).to_contain_text("double authentification est activée")

    follow(page, page.get_by_role("button", name="Se déconnecter"))
    _fill_login(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    next_code = pyotp.TOTP(secret).at(timezone.now() + timedelta(seconds=30))
    page.get_by_label("Code à 6 chiffres").fill(next_code)
    submit(page, "Valider")
    expect(page).not_to_have_url(re.compile(r"/compte/"))

    visit(page, "/compte/profil/mot-de-passe/")
    visit(page, "/compte/double-authentification/desactiver/")
    expect(page.get_by_role("button", name="Désactiver")).to_be_visible()


def test_login_link_pages(page):
    user = User.objects.create_user("nouvel.agent@mairie.example.fr")
    path = services.login_link_create(user=user).split("://", 1)[1]
    path = "/" + path.split("/", 1)[1]
    visit(page, path)
    submit(page, "Me connecter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")
    follow(page, page.get_by_role("link", name="Choisir mon mot de passe").first)
    page.get_by_label("Nouveau mot de passe", exact=False).first.fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    submit(page, "Enregistrer")
    expect(page.get_by_role("status")).to_contain_text("mot de passe est enregistré")
    allow_error(page, r"status of 410")
    assert page.goto(path).status == 410  # spent
    check_a11y(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Lien inutilisable")
