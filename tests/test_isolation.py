"""Tenant isolation: walk every URL pattern (HTML and API) as three outsiders.

An agent of another body, a company user and an anonymous visitor request
every route, with the target body's SIREN and the ids of its rows filled in,
by GET and by POST. None of them may see the target's data (its name, SIREN,
agents' e-mails, invitation e-mails, token names) or change anything.
"""

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from territoires.accounts.models import AccountKind, Company, CompanyMembership
from territoires.api.services import api_token_create
from territoires.formations.services import registration_create
from territoires.journal.models import JournalEntry
from territoires.tenancy import services
from territoires.tenancy.models import Invitation, Membership
from tests.factories import BodyFactory, UserFactory, membership
from tests.formations.factories import TrainingSessionFactory

PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
SECRET_MARKERS = [
    "Commune-Cible-Isolation",
    "Objet-Cible-Isolation",
    "CIBLE_1",
    "cible.admin@isolation.example",
    "invite.cible@isolation.example",
    "Jeton-Cible-Isolation",
    "Consultation-Cible-Isolation",
    "Question-Cible-Isolation",
    "retrait.cible@isolation.example",
    "Televersement-Cible-Isolation",
]
# The buyer's name is public on the portal's pages and open-data API by design; only the
# other markers (drafts, unanswered questions, the register of downloads) are checked there.
PUBLIC_BUYER_PREFIXES = ("/marches/", "/api/v1/marches/")


def iter_routes(patterns=None, prefix=""):
    """Yield the full route string of every URL pattern, with converters."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def fill(route: str, values: dict[str, str]) -> str:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    return "/" + PARAM.sub(lambda m: values.get(m.group("name"), "1"), route)


@pytest.fixture
def target(django_capture_on_commit_callbacks):
    body = BodyFactory(name="Commune-Cible-Isolation", services=["actes", "marches", "formations"])
    admin = UserFactory(email="cible.admin@isolation.example")
    m = membership(admin, body, ["administrateur", "agent"])
    invitation, token = services.invitation_create(
        actor=admin, body=body, email="invite.cible@isolation.example", roles=["agent"]
    )
    api_token, _secret = api_token_create(actor=admin, body=body, user=admin, name="Jeton-Cible-Isolation")
    registration = registration_create(
        actor=admin, body=body, session=TrainingSessionFactory(), agent=admin
    )
    acte, letter = _acte_with_letter(body, admin)
    return {"body": body, "admin": admin, "membership": m, "invitation": invitation, "token": token,
            "api_token": api_token, "registration": registration, "acte": acte, "letter": letter,
            **_consultations(body)}


def _consultations(body):
    """A draft consultation (lot, DCE) and a published one with an unanswered question and an
    identified download: all private to the buyer."""
    from datetime import timedelta

    from django.utils import timezone

    from territoires.core.uploads import upload_create
    from territoires.marches import services as marches
    from tests.marches.conftest import consultation_fields, make_company_user

    buyer = UserFactory()
    membership(buyer, body, ["acheteur"])
    draft = marches.consultation_create(actor=buyer, body=body, **consultation_fields(
        reference="CIBLE-BROUILLON", title="Consultation-Cible-Isolation"))
    lot = marches.lot_save(actor=buyer, consultation=draft, title="Consultation-Cible-Isolation lot")
    dce = marches.dce_file_add(actor=buyer, consultation=draft, name="cible-dce.pdf", data=b"%PDF cible")
    published = marches.consultation_create(actor=buyer, body=body, **consultation_fields(
        reference="CIBLE-PUBLIEE", closes_at=timezone.now() + timedelta(days=20)))
    marches.dce_file_add(actor=buyer, consultation=published, name="rc.pdf", data=b"%PDF rc")
    marches.consultation_publish(actor=buyer, consultation=published)
    asker = make_company_user(email="asker@isolation.example", siret="44306184100047", name="Autre")
    question = marches.question_ask(actor=asker, consultation=published, text="Question-Cible-Isolation")
    marches.retrait_record(consultation=published, email="retrait.cible@isolation.example")
    upload = upload_create(buyer, purpose="marches.dce", filename="Televersement-Cible-Isolation.pdf",
                           content_type="application/pdf", length=10)
    return {"consultation": draft, "lot": lot, "dce_file": dce, "question": question, "upload": upload}


def _acte_with_letter(body, admin):
    """An act of the target body, acknowledged, with a prefecture letter and its file."""
    from territoires.actes import services as actes_services
    from territoires.actes.models import FileRole, InboundArchive, IncomingFile, IncomingMessage
    from territoires.core.files import stored_file_put
    from tests.actes.factories import classification, pdf_bytes

    classification(body)
    acte = actes_services.acte_create(actor=admin, body=body, nature="DE", numero_interne="CIBLE_1",
                                      objet="Objet-Cible-Isolation", decision_date=dt.date(2026, 3, 2),
                                      matiere_code="7.1")
    stored = actes_services.acte_file_store(name="cible.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    actes_services.acte_file_attach(actor=admin, acte=acte, stored=stored, name="cible.pdf", role=FileRole.MAIN,
                                    typology="99_DE")
    archive = InboundArchive.objects.create(name="x.tar.gz", stored=stored_file_put(b"archive", content_type="x"))
    letter = IncomingMessage.objects.create(archive=archive, body=body, acte=acte, code="2-1",
                                            root="CourrierSimple", file_name="lettre.xml", id_acte=acte.id_acte,
                                            date_courrier_pref=dt.date(2026, 3, 10))
    IncomingFile.objects.create(message=letter, name="lettre.pdf", stored=stored)
    return acte, letter


def outsiders():
    other_agent = UserFactory()
    membership(other_agent, BodyFactory(), ["administrateur", "agent"])
    company_user = UserFactory(kind=AccountKind.COMPANY)
    company = Company.objects.create(siret="73282932000074", name="Entreprise Test")
    CompanyMembership.objects.create(company=company, user=company_user, is_admin=True)
    return {"agent d'un autre organisme": other_agent, "entreprise": company_user, "anonyme": None}


def _log_in(client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)
        session = client.session
        session["second_factor_ok"] = True  # outsiders fully logged in
        session.save()


def test_every_route_is_isolated(client, target):
    values = {
        "siren": target["body"].siren,
        "membership_id": str(target["membership"].pk),
        "invitation_id": str(target["invitation"].pk),
        "token": target["token"],
        "token_id": str(target["api_token"].pk),
        "registration_id": str(target["registration"].pk),
        "session_id": str(target["registration"].session_id),
        "user_id": str(target["admin"].pk),
        "code": "actes",
        "acte_id": str(target["acte"].pk),
        "file_id": str(target["acte"].files.get().pk),
        "message_id": str(target["letter"].pk),
        "id": str(target["acte"].pk),
        "consultation_id": str(target["consultation"].pk),
        "lot_id": str(target["lot"].pk),
        "question_id": str(target["question"].pk),
        "kind": "avis",
        "upload_id": str(target["upload"].pk),
    }
    routes = sorted(set(iter_routes()))
    assert len(routes) > 10
    visitors = outsiders()
    before = (Membership.objects.count(), Invitation.objects.count())
    journal_before = JournalEntry.objects.filter(body=target["body"]).count()
    leaks = []
    for label, user in visitors.items():
        for route in routes:
            url = fill(route, values)
            if "invitation/" in url or url.startswith("/registre/"):
                # Public by design: holding the invitation token is the access; the register
                # shows published acts (tests/actes/test_register.py proves nothing else shows).
                continue
            for method in ("get", "post"):
                _log_in(client, user)  # again each time: a POST to the logout URL logs out
                response = getattr(client, method)(url)
                if response.status_code >= 500:
                    leaks.append(f"{label} {method.upper()} {url}: erreur {response.status_code}")
                    continue
                content = response.content.decode(errors="replace")
                public_buyer = url.startswith(PUBLIC_BUYER_PREFIXES)
                markers = [m for m in SECRET_MARKERS if not (public_buyer and m == "Commune-Cible-Isolation")]
                for marker in markers if public_buyer else [*markers, target["body"].siren]:
                    if marker in content:
                        leaks.append(f"{label} {method.upper()} {url}: {response.status_code} contient {marker}")
    assert not leaks, "\n".join(leaks)
    assert (Membership.objects.count(), Invitation.objects.count()) == before
    assert JournalEntry.objects.filter(body=target["body"]).count() == journal_before
    target["upload"].refresh_from_db()  # still there, untouched
    assert (target["upload"].offset, target["upload"].chunks) == (0, [])
