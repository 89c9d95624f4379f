"""Fixtures of the Salle des marchés: a buyer body, a buyer, consultations at each stage, a company user."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from territoires.accounts.models import AccountKind, Company, CompanyMembership
from territoires.interop.siren import first_valid_siret
from territoires.marches import search, services
from tests.factories import BodyFactory, UserFactory, membership

COMPANY_SIRET = "73282932000074"


@pytest.fixture(autouse=True)
def _fresh_search_plans():
    """The search keeps figures that choose its plans a minute; each test has its own data."""
    search.clear_plan_caches()


@pytest.fixture
def buyer_body():
    body = BodyFactory(services=["marches"], departement="21", name="Commune de Fontaine-lès-Dijon")
    body.siret = first_valid_siret(body.siren)
    body.save(update_fields=["siret"])
    return body


@pytest.fixture
def buyer(buyer_body):
    user = UserFactory(email="acheteur@fontaine.example.fr")
    membership(user, buyer_body, ["acheteur"])
    return user


def consultation_fields(**overrides) -> dict:
    fields = {
        "reference": "2026-TRV-001", "title": "Réfection de la voirie communale",
        "object": "Travaux de réfection des chaussées et trottoirs de la rue des Écoles.",
        "nature": "works", "procedure": "mapa", "cpv_main": "45233140-2", "cpv_additional": ["45233252"],
        "nuts": "FRC11", "estimated_value": Decimal("180000"),
        "closes_at": timezone.now() + timedelta(days=30), "contact_name": "Service marchés",
        "contact_email": "marches@fontaine.example.fr",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def draft_consultation(buyer, buyer_body):
    consultation = services.consultation_create(actor=buyer, body=buyer_body, **consultation_fields())
    services.dce_file_add(actor=buyer, consultation=consultation, name="RC.pdf", data=b"%PDF-1.4 reglement",
                          content_type="application/pdf")
    services.dce_file_add(actor=buyer, consultation=consultation, name="CCTP.pdf", data=b"%PDF-1.4 cctp",
                          content_type="application/pdf")
    return consultation


@pytest.fixture
def published(buyer, draft_consultation):
    return services.consultation_publish(actor=buyer, consultation=draft_consultation)


def make_company_user(email: str = "contact@btp-cote-or.example.fr", siret: str = COMPANY_SIRET,
                      name: str = "BTP Côte-d'Or"):
    user = UserFactory(email=email, kind=AccountKind.COMPANY)
    company, _ = Company.objects.get_or_create(siret=siret, defaults={"name": name})
    CompanyMembership.objects.create(company=company, user=user, is_admin=True)
    return user


@pytest.fixture
def company_user():
    return make_company_user()
