"""Company space: registration by SIRET, colleagues, document safe, alerts, tenant isolation."""

import io
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from territoires.accounts.models import AccountKind, Company, CompanyMembership, User
from territoires.journal.models import JournalEntry
from territoires.marches import companies
from territoires.marches.models import CompanyDocument, CompanyProfile, SavedSearch
from tests.factories import UserFactory
from tests.marches.factories_company import (
    DEMO_SIRET,
    DEMO_SIRET_CLOSED,
    CompanyDocumentFactory,
    CompanyUserFactory,
    SavedSearchFactory,
    company_with_admin,
    member,
    small_pdf,
)

STRONG = "Chantier-Bresse-2026"


def register(**overrides):
    fields = {"email": "Gerant@Terrassements-Bresse.example.fr", "password": STRONG, "siret": DEMO_SIRET,
              "first_name": "Lucie", "last_name": "Vuillermoz"}
    fields.update(overrides)
    return companies.company_register(**fields)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


# --- Registration -------------------------------------------------------------------------


def test_register_creates_company_account(django_capture_on_commit_callbacks, run_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        user, company = register()
    run_tasks()
    assert user.email == "gerant@terrassements-bresse.example.fr" and user.kind == AccountKind.COMPANY
    assert user.check_password(STRONG)
    assert company.siret == DEMO_SIRET and company.name == "TERRASSEMENTS BRESSE-JURA"
    assert CompanyMembership.objects.get(company=company, user=user).is_admin
    profile = CompanyProfile.objects.get(company=company)
    assert profile.data["naf_code"] == "43.12A" and profile.source == "simulator"
    assert JournalEntry.objects.filter(action="marches.company.register", actor=user).exists()
    assert mail.outbox[0].to == [user.email]
    assert "TERRASSEMENTS BRESSE-JURA" in mail.outbox[0].body and "simulation" in mail.outbox[0].body


def test_register_refuses_existing_company_and_points_to_invitation():
    register()
    with pytest.raises(ValidationError) as exc:
        register(email="autre@terrassements-bresse.example.fr")
    assert "Demandez à l'un de vos collègues" in exc.value.message_dict["siret"][0]
    assert Company.objects.count() == 1 and User.objects.count() == 1


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"siret": "123"}, "siret", "14 chiffres"),
    ({"siret": "37994000004103"}, "siret", "clé de contrôle"),
    ({"siret": DEMO_SIRET_CLOSED}, "siret", "est fermé"),
    ({"siret": "51234567900017"}, "siret", "inconnu"),
    ({"password": "court"}, "password", "12 caractères"),
    ({"email": "pas-une-adresse"}, "email", "valide"),
])
def test_register_errors_are_french_and_create_nothing(overrides, field, message):
    with pytest.raises(ValidationError) as exc:
        register(**overrides)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Company.objects.exists() and not User.objects.exists()


def test_register_refuses_known_email():
    UserFactory(email="gerant@terrassements-bresse.example.fr")
    with pytest.raises(ValidationError) as exc:
        register()
    assert "connectez-vous" in exc.value.message_dict["email"][0]
    assert not Company.objects.exists()


def test_register_pages_prefill_then_create_and_log_in(client):
    url = reverse("marches_company:register")
    page = client.get(url)
    assert page.status_code == 200 and "Simulation" in page.content.decode()
    step2 = client.post(url, {"step": "siret", "siret": "379 940 000 04102"})
    html = step2.content.decode()
    assert "TERRASSEMENTS BRESSE-JURA" in html and "43.12A" in html and "LONS-LE-SAUNIER" in html
    assert 'name="step" value="account"' in html
    # A weak password: everything typed stays, the error is summarised and French.
    data = {"step": "account", "siret": DEMO_SIRET, "first_name": "Lucie", "last_name": "Vuillermoz",
            "email": "gerant@terrassements-bresse.example.fr", "password": "motdepasse"}
    again = client.post(url, data)
    html = again.content.decode()
    assert again.status_code == 200 and "Le formulaire contient" in html
    assert 'value="Vuillermoz"' in html and 'value="gerant@terrassements-bresse.example.fr"' in html
    assert "TERRASSEMENTS BRESSE-JURA" in html  # the company card is still shown
    assert not User.objects.exists()
    done = client.post(url, {**data, "password": STRONG})
    assert done.status_code == 302 and done.url == reverse("marches_company:home")
    home = client.get(done.url)
    assert home.status_code == 200 and "TERRASSEMENTS BRESSE-JURA" in home.content.decode()


def test_siret_lookups_are_limited_per_visitor_and_hour(client, settings):
    # Each lookup spends the platform's API Entreprise quota: a third one from the same
    # address within the hour is refused in French; another visitor still may.
    settings.MARCHES_SIRET_LOOKUPS_PER_HOUR = 2
    url = reverse("marches_company:register")
    for _ in range(2):
        assert "TERRASSEMENTS BRESSE-JURA" in client.post(url, {"step": "siret", "siret": DEMO_SIRET}).content.decode()
    refused = client.post(url, {"step": "siret", "siret": DEMO_SIRET}).content.decode()
    assert "Trop de recherches de SIRET" in refused and f'value="{DEMO_SIRET}"' in refused
    other = client.post(url, {"step": "siret", "siret": DEMO_SIRET}, REMOTE_ADDR="192.0.2.7").content.decode()
    assert "TERRASSEMENTS BRESSE-JURA" in other
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert "TERRASSEMENTS BRESSE-JURA" in client.post(url, {"step": "siret", "siret": DEMO_SIRET}).content.decode()


def test_register_page_step1_errors_keep_input(client):
    page = client.post(reverse("marches_company:register"), {"step": "siret", "siret": "3799 4000 0041 03"})
    html = page.content.decode()
    assert page.status_code == 200 and "clé de contrôle" in html and 'value="3799 4000 0041 03"' in html
    assert 'href="#id_siret"' in html  # error summary links to the field


def test_register_page_duplicate_company(client):
    register()
    page = client.post(reverse("marches_company:register"), {"step": "siret", "siret": DEMO_SIRET})
    assert "Demandez à l&#x27;un de vos collègues déjà inscrits de vous inviter" in page.content.decode()


# --- Profile ------------------------------------------------------------------------------


def test_refresh_updates_profile_for_members_only():
    user, company = register()
    CompanyProfile.objects.filter(company=company).update(data={}, source="")
    Company.objects.filter(pk=company.pk).update(name="Ancien nom")
    company.refresh_from_db()
    companies.company_refresh(actor=user, company=company)
    company.refresh_from_db()
    assert company.name == "TERRASSEMENTS BRESSE-JURA"
    assert company.profile.data["city"] == "LONS-LE-SAUNIER"
    with pytest.raises(PermissionDenied):
        companies.company_refresh(actor=CompanyUserFactory(), company=company)


def test_refresh_button(client):
    user, _company = register()
    client.force_login(user)
    response = client.post(reverse("marches_company:refresh"), follow=True)
    assert "La fiche de l&#x27;entreprise est à jour." in response.content.decode()


# --- Colleagues ---------------------------------------------------------------------------


def test_invitation_creates_account_and_joins(django_capture_on_commit_callbacks, run_tasks):
    company, admin = company_with_admin()
    with django_capture_on_commit_callbacks(execute=True):
        token = companies.colleague_invite(actor=admin, company=company, email="Collegue@Entreprise.example.fr")
    run_tasks()
    assert mail.outbox[0].to == ["collegue@entreprise.example.fr"]
    assert token in mail.outbox[0].body and company.name in mail.outbox[0].subject
    membership = companies.colleague_accept(token=token, first_name="Hugo", last_name="Petit", password=STRONG)
    assert membership.company == company and not membership.is_admin
    assert membership.user.kind == AccountKind.COMPANY
    with pytest.raises(companies.InvitationError, match="déjà été acceptée"):
        companies.colleague_invitation_get(token=token)


def test_invitation_page_creates_account(client):
    company, admin = company_with_admin()
    token = companies.colleague_invite(actor=admin, company=company, email="nouveau@entreprise.example.fr")
    url = reverse("marches_company:colleague_accept", args=[token])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"first_name": "Ana", "last_name": "Lys", "password": "faible"})
    assert bad.status_code == 200 and 'value="Lys"' in bad.content.decode()
    response = client.post(url, {"first_name": "Ana", "last_name": "Lys", "password": STRONG})
    assert response.status_code == 302
    assert CompanyMembership.objects.filter(company=company, user__email="nouveau@entreprise.example.fr").exists()


def test_existing_company_user_can_be_added(client):
    company, admin = company_with_admin()
    other_company, consultant = company_with_admin()
    token = companies.colleague_invite(actor=admin, company=company, email=consultant.email)
    client.force_login(consultant)
    response = client.post(reverse("marches_company:colleague_accept", args=[token]))
    assert response.status_code == 302
    assert set(Company.objects.filter(memberships__user=consultant)) == {company, other_company}
    # The company chosen last is the one shown; the other one can be switched to.
    home = client.get(reverse("marches_company:home")).content.decode()
    assert f"<h1>{company.name}</h1>" in home and other_company.name in home
    client.post(reverse("marches_company:switch"), {"company": other_company.pk})
    assert f"<h1>{other_company.name}</h1>" in client.get(reverse("marches_company:home")).content.decode()


def test_invitation_errors():
    company, admin = company_with_admin()
    colleague = member(company)
    with pytest.raises(ValidationError, match="fait déjà partie"):
        companies.colleague_invite(actor=admin, company=company, email=colleague.email)
    with pytest.raises(ValidationError, match="agent public"):
        companies.colleague_invite(actor=admin, company=company, email=UserFactory().email)
    with pytest.raises(PermissionDenied):
        companies.colleague_invite(actor=colleague, company=company, email="x@entreprise.example.fr")
    with pytest.raises(PermissionDenied):
        companies.colleague_invite(actor=company_with_admin()[1], company=company, email="x@entreprise.example.fr")
    with pytest.raises(companies.InvitationError, match="pas valide"):
        companies.colleague_invitation_get(token="n'importe-quoi")
    token = companies.colleague_invite(actor=admin, company=company, email="a@entreprise.example.fr")
    with pytest.raises(companies.InvitationError, match="pas valide"):
        companies.colleague_invitation_get(token=token[:-2] + "xx")
    with pytest.raises(companies.InvitationError, match="autre compte"):
        companies.colleague_accept(token=token, user=CompanyUserFactory())
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        with pytest.raises(companies.InvitationError, match="expiré"):
            companies.colleague_invitation_get(token=token)


def test_removed_colleague_cannot_reuse_the_invitation():
    company, admin = company_with_admin()
    token = companies.colleague_invite(actor=admin, company=company, email="parti@entreprise.example.fr")
    membership = companies.colleague_accept(token=token, first_name="A", last_name="B", password=STRONG)
    companies.colleague_remove(actor=admin, company=company, membership=membership)
    assert not CompanyMembership.objects.filter(pk=membership.pk).exists()
    with pytest.raises(companies.InvitationError, match="déjà été acceptée"):
        companies.colleague_accept(token=token, user=membership.user)


def test_pending_invitation_is_unique_revocable_and_stored_hashed(client):
    from territoires.marches.models import CompanyInvitation

    company, admin = company_with_admin()
    token = companies.colleague_invite(actor=admin, company=company, email="nouveau@entreprise.example.fr")
    assert not CompanyInvitation.objects.filter(token_hash=token).exists()  # only its hash is kept
    with pytest.raises(ValidationError, match="déjà en attente"):
        companies.colleague_invite(actor=admin, company=company, email="Nouveau@entreprise.example.fr")
    client.force_login(admin)
    invitation = CompanyInvitation.objects.get()
    assert "nouveau@entreprise.example.fr" in client.get(reverse("marches_company:home")).content.decode()
    other_company, other_admin = company_with_admin()
    client.force_login(other_admin)
    assert client.post(reverse("marches_company:invitation_revoke", args=[invitation.pk])).status_code == 404
    client.force_login(admin)
    assert client.post(reverse("marches_company:invitation_revoke", args=[invitation.pk])).status_code == 302
    with pytest.raises(companies.InvitationError, match="annulée"):
        companies.colleague_invitation_get(token=token)
    # Once revoked, a new invitation can be sent.
    companies.colleague_invite(actor=admin, company=company, email="nouveau@entreprise.example.fr")


def test_colleague_remove_rules():
    company, admin = company_with_admin()
    colleague = member(company)
    own = CompanyMembership.objects.get(company=company, user=admin)
    with pytest.raises(ValidationError, match="propre accès"):
        companies.colleague_remove(actor=admin, company=company, membership=own)
    with pytest.raises(PermissionDenied):
        companies.colleague_remove(actor=colleague, company=company, membership=own)


def test_colleague_admin_role(client):
    company, admin = company_with_admin()
    colleague = member(company)
    colleague_membership = CompanyMembership.objects.get(user=colleague)
    client.force_login(admin)
    url = reverse("marches_company:colleague_admin", args=[colleague_membership.pk])
    assert client.post(url, {"is_admin": "1"}).status_code == 302
    colleague_membership.refresh_from_db()
    assert colleague_membership.is_admin
    # The colleague, now administrator, can step the founder down, but not the last one.
    companies.colleague_set_admin(actor=colleague, company=company, is_admin=False,
                                  membership=CompanyMembership.objects.get(user=admin))
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        companies.colleague_set_admin(actor=colleague, company=company, membership=colleague_membership,
                                      is_admin=False)
    other_company, other_admin = company_with_admin()
    client.force_login(other_admin)
    assert client.post(url, {"is_admin": "0"}).status_code == 404
    colleague_membership.refresh_from_db()
    assert colleague_membership.is_admin


def test_invite_page(client):
    company, admin = company_with_admin()
    client.force_login(admin)
    url = reverse("marches_company:colleague_invite")
    assert client.get(url).status_code == 200
    error = client.post(url, {"email": "pas-une-adresse"})
    assert "Le formulaire contient" in error.content.decode()
    assert client.post(url, {"email": "b@entreprise.example.fr"}).status_code == 302
    client.force_login(member(company))
    assert client.get(url).status_code == 403


# --- Document safe ------------------------------------------------------------------------


def test_document_add_sniffs_the_type():
    company, admin = company_with_admin()
    document = companies.document_add(actor=admin, company=company, kind="kbis",
                                      uploaded_file=upload("kbis.png", small_pdf("Kbis"), "image/png"),
                                      valid_until=None)
    assert document.stored.content_type == "application/pdf"  # the bytes decide, not the name or header
    assert document.name == "kbis.png.pdf"
    image = companies.document_add(actor=admin, company=company, kind="insurance",
                                   uploaded_file=upload("assurance.jpg", jpeg_bytes(), "application/pdf"),
                                   valid_until=timezone.localdate())
    assert image.stored.content_type == "image/jpeg" and image.name == "assurance.jpg"
    assert JournalEntry.objects.filter(action="marches.document.add").count() == 2


@pytest.mark.parametrize(("name", "data", "message"), [
    ("attestation.pdf", b"Bonjour, ceci est un texte.", "Seuls les fichiers PDF, JPEG et PNG"),
    ("scan.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
                 b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "Seuls les fichiers PDF, JPEG et PNG"),
    ("kbis.docx", b"PK\x03\x04" + b"\x00" * 100, "Seuls les fichiers PDF, JPEG et PNG"),
    ("tronque.pdf", small_pdf()[:-200], "incomplet"),
    ("vide.pdf", b"", "vide"),
])
def test_document_add_refuses_other_content(name, data, message):
    company, admin = company_with_admin()
    with pytest.raises(ValidationError) as exc:
        companies.document_add(actor=admin, company=company, kind="kbis", uploaded_file=upload(name, data),
                               valid_until=None)
    assert message in exc.value.message_dict["file"][0]
    assert not CompanyDocument.objects.exists()


def test_document_size_limit():
    company, admin = company_with_admin()
    big = b"%PDF-1.7\n" + b"0" * (companies.MAX_DOCUMENT_BYTES)
    with pytest.raises(ValidationError, match="10 Mo"):
        companies.document_add(actor=admin, company=company, kind="kbis", uploaded_file=upload("gros.pdf", big),
                               valid_until=None)


def test_document_upload_page_and_download(client):
    company, admin = company_with_admin()
    client.force_login(admin)
    url = reverse("marches_company:document_upload")
    page = client.get(url).content.decode()
    assert "10 Mo" in page and 'for="id_file"' in page
    refused = client.post(url, {"kind": "kbis", "file": upload("note.pdf", b"texte")})
    assert "Seuls les fichiers PDF, JPEG et PNG" in refused.content.decode()
    data = small_pdf("Kbis de test")
    response = client.post(url, {"kind": "kbis", "file": upload("kbis.pdf", data), "valid_until": "2027-01-31"})
    assert response.status_code == 302
    document = CompanyDocument.objects.get(company=company)
    assert str(document.valid_until) == "2027-01-31" and document.uploaded_by == admin
    download = client.get(reverse("marches_company:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == data
    assert download["Content-Disposition"].startswith("attachment;") and "kbis.pdf" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"
    home = client.get(reverse("marches_company:home")).content.decode()
    assert "kbis.pdf" in home and "Valide" in home


@time_machine.travel("2026-11-02 10:00 +0100", tick=False)
def test_attestations_fetch_fills_the_safe_once():
    user, company = register()
    added = companies.company_attestations_fetch(actor=user, company=company)
    assert sorted(d.kind for d in added) == ["fiscal", "social"]
    assert all(d.valid_until == timezone.localdate() + timedelta(days=182) for d in added)
    assert companies.company_attestations_fetch(actor=user, company=company) == []
    assert CompanyDocument.objects.filter(company=company).count() == 2


def test_document_delete():
    company, admin = company_with_admin()
    document = CompanyDocumentFactory(company=company)
    companies.document_delete(actor=admin, company=company, document=document)
    assert not CompanyDocument.objects.exists()
    assert JournalEntry.objects.filter(action="marches.document.delete").exists()


# --- Isolation between companies ----------------------------------------------------------


def test_a_company_never_reaches_another_companys_data(client):
    company_a, admin_a = company_with_admin(name="Entreprise A")
    colleague_a = member(company_a)
    document_a = CompanyDocumentFactory(company=company_a, name="secret-a.pdf")
    alert_a = SavedSearchFactory(user=admin_a, name="Alerte de A")
    company_b, admin_b = company_with_admin(name="Entreprise B")
    client.force_login(admin_b)
    home = client.get(reverse("marches_company:home")).content.decode()
    assert "Entreprise B" in home and "secret-a.pdf" not in home and colleague_a.email not in home
    assert "Alerte de A" not in client.get(reverse("marches_company:alerts")).content.decode()
    assert client.get(reverse("marches_company:document_download", args=[document_a.pk])).status_code == 404
    assert client.post(reverse("marches_company:document_delete", args=[document_a.pk])).status_code == 404
    colleague_membership = CompanyMembership.objects.get(user=colleague_a)
    assert client.post(reverse("marches_company:colleague_remove", args=[colleague_membership.pk])).status_code == 404
    assert client.post(reverse("marches_company:alert_delete", args=[alert_a.pk])).status_code == 404
    assert client.post(reverse("marches_company:switch"), {"company": company_a.pk}).status_code == 404
    assert CompanyDocument.objects.filter(pk=document_a.pk).exists()
    assert CompanyMembership.objects.filter(pk=colleague_membership.pk).exists()
    assert SavedSearch.objects.filter(pk=alert_a.pk).exists()
    # Services refuse too, whatever the caller passes.
    with pytest.raises(PermissionDenied):
        companies.document_delete(actor=admin_b, company=company_a, document=document_a)
    with pytest.raises(PermissionDenied):
        companies.document_delete(actor=admin_b, company=company_b, document=document_a)
    with pytest.raises(PermissionDenied):
        companies.document_add(actor=admin_b, company=company_a, kind="kbis",
                               uploaded_file=upload("x.pdf", small_pdf()), valid_until=None)
    with pytest.raises(PermissionDenied):
        companies.colleague_remove(actor=admin_b, company=company_b, membership=colleague_membership)
    with pytest.raises(PermissionDenied):
        companies.saved_search_delete(actor=admin_b, saved_search=alert_a)


def test_company_pages_need_a_company_member(client):
    urls = [reverse("marches_company:home"), reverse("marches_company:alerts"),
            reverse("marches_company:document_upload")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(UserFactory())  # an agent of a body
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403
        assert "aucune entreprise" in response.content.decode()


def test_download_needs_membership(client):
    document = CompanyDocumentFactory()
    url = reverse("marches_company:document_download", args=[document.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


# --- Alerts -------------------------------------------------------------------------------


def test_saved_search_create_normalises_params():
    _company, user = company_with_admin()
    saved = companies.saved_search_create(actor=user, name=" Voirie 21 ",
                                          params={"q": "voirie", "departement": "21", "sort": "published",
                                                  "inconnu": "x", "open_only": "on"})
    assert saved.name == "Voirie 21" and saved.params == {"q": "voirie", "departement": "21", "open_only": "1"}
    with pytest.raises(ValidationError) as exc:
        companies.saved_search_create(actor=user, name="Dates", params={"closing_after": "31/12/2026"})
    assert "AAAA-MM-JJ" in exc.value.message_dict["params"][0]
    with pytest.raises(ValidationError):
        companies.saved_search_create(actor=user, name="  ", params={})
    with pytest.raises(PermissionDenied, match="réservées aux comptes entreprise"):
        companies.saved_search_create(actor=UserFactory(), name="Agent", params={})


def test_saved_search_limit():
    _company, user = company_with_admin()
    for n in range(companies.MAX_SAVED_SEARCHES):
        SavedSearchFactory(user=user, name=f"A{n}")
    with pytest.raises(ValidationError, match="maximum"):
        companies.saved_search_create(actor=user, name="Une de trop", params={})


def test_alert_create_view(client):
    _company, user = company_with_admin()
    client.force_login(user)
    url = reverse("marches_company:alert_create")
    response = client.post(url, {"name": "Voirie en Côte-d'Or", "params": "q=voirie&departement=21"})
    assert response.status_code == 302 and response.url == reverse("marches_company:alerts")
    saved = SavedSearch.objects.get(user=user)
    assert saved.params == {"q": "voirie", "departement": "21"}
    alerts = client.get(reverse("marches_company:alerts")).content.decode()
    assert "Voirie en Côte-d&#x27;Or" in alerts and "q=voirie" in alerts
    error = client.post(url, {"name": "", "params": "closing_after=demain"})
    html = error.content.decode()
    assert error.status_code == 200 and "Le formulaire contient" in html
    # Delete.
    assert client.post(reverse("marches_company:alert_delete", args=[saved.pk])).status_code == 302
    assert not SavedSearch.objects.exists()


def test_alert_create_anonymous_goes_to_login_with_the_search(client):
    response = client.post(reverse("marches_company:alert_create"), {"name": "x", "params": "q=voirie&cpv=45"})
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == reverse("accounts:login")
    next_url = unquote(parse_qs(target.query)["next"][0])
    assert next_url == reverse("marches_company:alert_create") + "?q=voirie&cpv=45"
    # After login, the page shows the criteria and a prefilled form.
    _company, user = company_with_admin()
    client.force_login(user)
    page = client.get(next_url).content.decode()
    assert "voirie" in page and 'name="params"' in page and "cpv=45" in page


def test_alert_create_for_non_company_user(client):
    client.force_login(UserFactory())
    response = client.post(reverse("marches_company:alert_create"), {"name": "x", "params": "q=voirie"})
    assert response.status_code == 403
    assert "réservées aux comptes entreprise" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_alert_button_renders_for_each_kind_of_visitor():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/marches/")
    query = {"q": "voirie & trottoirs", "departement": "21"}
    request.user = AnonymousUser()
    html = render_to_string("marches/company/_alert_button.html", {"search_query": query, "user": request.user},
                            request=request)
    assert "Connectez-vous" in html and "créez un compte entreprise" in html
    assert "next=%2Fentreprise%2Falertes%2Fcreer%2F%3Fq%3Dvoirie%2520%2526%2520trottoirs" in html
    _company, user = company_with_admin()
    request.user = user
    html = render_to_string("marches/company/_alert_button.html", {"search_query": query, "user": user},
                            request=request)
    assert "Créer une alerte e-mail pour cette recherche" in html
    assert 'value="q=voirie%20%26%20trottoirs&amp;departement=21"' in html
    assert 'for="alerte-nom"' in html
    agent = UserFactory()
    html = render_to_string("marches/company/_alert_button.html", {"search_query": {}, "user": agent},
                            request=request)
    assert "réservées aux comptes entreprise" in html



def test_company_user_lands_on_the_company_space_after_login(client):
    from tests.marches.conftest import make_company_user

    client.force_login(make_company_user(email="landing@entreprise.example.fr", siret="44306184100047"))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("marches_company:home")
