from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from territoires.interop.eforms.data import (
    Award,
    AwardNoticeData,
    ContractNoticeData,
    Lot,
    Organization,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def reference_dir():
    return settings.REFERENCE_DATA_DIR / "marches"


BUYER = Organization(
    id="ORG-0001", name="Commune de Beaune", company_id="21210054000019", street="4 rue de l'Hôtel de Ville",
    city="Beaune", postal_code="21200", nuts="FRC11", email="marches@beaune.fr", phone="+33 3 80 00 00 00",
    website="https://www.beaune.fr",
)
REVIEW = Organization(
    id="ORG-0002", name="Tribunal administratif de Dijon", street="22 rue d'Assas", city="Dijon",
    postal_code="21000", nuts="FRC11", email="greffe.ta-dijon@juradm.fr",
)
WINNER = Organization(
    id="ORG-0003", name="Bâtiments de Bourgogne SARL", company_id="12345678900011", city="Dijon",
    postal_code="21000", nuts="FRC11", email="contact@bb.example",
)


def contract_notice_data() -> ContractNoticeData:
    """A realistic two-lot contract notice (also used by the import tests)."""
    return ContractNoticeData(
        notice_id="8f1c2a52-7c0e-4c1e-9d0b-3a6f8a2b1c11",
        contract_folder_id="0c7e2e3a-5b1d-4d92-8f53-1f0c1d7a9e22",
        issued_at=datetime(2025, 3, 3, 10, 30, tzinfo=PARIS),
        buyer=BUYER,
        review_body=REVIEW,
        title="Rénovation de l'école élémentaire Jules-Ferry",
        description="Travaux de rénovation énergétique en deux lots.",
        nature="works",
        cpv_main="45000000",
        cpv_additional=("45300000",),
        nuts=("FRC11",),
        estimated_value=Decimal("850000.00"),
        reference="2025-TRX-004",
        documents_url="https://marches.example.fr/consultations/42/dce",
        submission_url="https://marches.example.fr/consultations/42/depot",
        lots=(
            Lot(id="LOT-0001", title="Isolation", description="Isolation des combles et des murs.",
                cpv_main="45321000", estimated_value=Decimal("500000"), duration_months=6,
                deadline=datetime(2025, 4, 14, 12, 0, tzinfo=PARIS)),
            Lot(id="LOT-0002", title="Menuiseries", description="Remplacement des fenêtres.",
                cpv_main="45421000", nuts=("FRC11", "FRC14"), estimated_value=Decimal("350000"),
                deadline=datetime(2025, 4, 15, 12, 0, tzinfo=PARIS)),
        ),
    )


def award_notice_data() -> AwardNoticeData:
    """The award notice of the same procedure."""
    return AwardNoticeData(
        notice_id="1d5e8c7b-2f4a-4b6e-8c1d-9e0f1a2b3c44",
        contract_folder_id="0c7e2e3a-5b1d-4d92-8f53-1f0c1d7a9e22",
        issued_at=datetime(2025, 6, 2, 9, 0, tzinfo=PARIS),
        buyer=BUYER,
        review_body=REVIEW,
        title="Rénovation de l'école élémentaire Jules-Ferry",
        description="Travaux de rénovation énergétique.",
        nature="works",
        cpv_main="45000000",
        nuts=("FRC11",),
        lots=(Lot(id="LOT-0001", title="Isolation", description="Isolation des combles.", cpv_main="45321000"),),
        awards=(
            Award(lot_id="LOT-0001", winner=WINNER, amount=Decimal("482300.50"), contract_id="CON-0001",
                  contract_title="Marché isolation école Jules-Ferry", contract_date=date(2025, 5, 20),
                  tenders_received=4),
        ),
    )


@pytest.fixture
def contract_data():
    return contract_notice_data()


@pytest.fixture
def award_data():
    return award_notice_data()
