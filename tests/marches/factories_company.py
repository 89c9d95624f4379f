"""Factories of the company space: companies with members, documents, saved searches."""

import itertools
from datetime import timedelta

import factory
import time_machine
from django.utils import timezone
from fpdf import FPDF

from territoires.accounts.models import AccountKind, Company, CompanyMembership
from territoires.core.files import stored_file_put
from territoires.interop.siren import luhn_valid, siret_error
from territoires.marches.models import CompanyDocument, Notice, SavedSearch
from territoires.marches.notices import NoticeRecord, notice_upsert
from tests.factories import UserFactory

# Demo directory SIRETs (src/territoires/marches/data/entreprises_demo.json).
DEMO_SIRET = "37994000004102"  # TERRASSEMENTS BRESSE-JURA, active, both attestations
DEMO_SIRET_2 = "63723261206602"  # VUILLEMIN ET FILS MACONNERIE
DEMO_SIRET_NO_SOCIAL = "66763004009407"  # CUISINE CENTRALE NIVERNAISE: no URSSAF attestation
DEMO_SIRET_CLOSED = "60175825300202"  # MENUISERIE DE BLETTERANS, closed


def valid_siret(n: int) -> str:
    """A valid SIRET outside the demo directory, derived from n."""
    base = f"4{n % 10_000_000:07d}"
    siren = next(base + str(c) for c in range(10) if luhn_valid(base + str(c)))
    return next(s for s in (f"{siren}{nic:05d}" for nic in range(1, 100)) if siret_error(s) is None)


def small_pdf(text: str = "Attestation") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


class CompanyUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"contact{n}@entreprise.example.fr")
    kind = AccountKind.COMPANY


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    siret = factory.Sequence(valid_siret)
    name = factory.Sequence(lambda n: f"Entreprise Exemple {n}")


def member(company: Company, user=None, *, is_admin: bool = False):
    """Add a company user (created if not given) to `company`; returns the user."""
    user = user or CompanyUserFactory()
    CompanyMembership.objects.create(company=company, user=user, is_admin=is_admin)
    return user


def company_with_admin(**company_fields):
    company = CompanyFactory(**company_fields)
    return company, member(company, is_admin=True)


class CompanyDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyDocument

    company = factory.SubFactory(CompanyFactory)
    kind = "kbis"
    name = factory.Sequence(lambda n: f"document-{n}.pdf")
    stored = factory.LazyAttribute(lambda o: stored_file_put(small_pdf(o.name), content_type="application/pdf"))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


class SavedSearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedSearch

    user = factory.SubFactory(CompanyUserFactory)
    name = factory.Sequence(lambda n: f"Alerte {n}")
    params = factory.LazyFunction(dict)


_NOTICE_IDS = itertools.count(1)


def notice_imported(title: str, *, at, source_id: str | None = None, **fields) -> Notice:
    """A notice imported at `at`, through the portal's own write path (`notice_upsert`)."""
    fields.setdefault("departement", "21")
    fields.setdefault("nature", "works")
    fields.setdefault("cpv_main", "45233140")
    fields.setdefault("buyer_name", "Commune de Beaune")
    fields.setdefault("deadline", at + timedelta(days=30))
    record = NoticeRecord(source="boamp", source_id=source_id or f"26-{next(_NOTICE_IDS):06d}",
                          title=title, **fields)
    with time_machine.travel(at, tick=False):
        notice, _status = notice_upsert(record)
    return notice
