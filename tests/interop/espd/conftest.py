from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from territoires.interop.espd.data import (
    EspdResponseData,
    ExclusionAnswer,
    Operator,
    Procedure,
    Turnover,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def reference_dir():
    """REFERENCE_DATA_DIR itself: the XSDs are under marches/espd/xsd."""
    return settings.REFERENCE_DATA_DIR


@pytest.fixture
def espd_dir():
    return settings.REFERENCE_DATA_DIR / "marches" / "espd"


PROCEDURE = Procedure(
    buyer_name="Commune de Beaune",
    buyer_id="21210054000019",
    title="Rénovation de l'école élémentaire Jules-Ferry",
    description="Travaux de rénovation énergétique en deux lots.",
    reference="2025-TRX-004",
    contract_folder_id="0c7e2e3a-5b1d-4d92-8f53-1f0c1d7a9e22",
    notice_id="8f1c2a52-7c0e-4c1e-9d0b-3a6f8a2b1c11",
    lots=("LOT-0001", "LOT-0002"),
    procedure_code="open",
)

OPERATOR = Operator(
    name="Bâtiments de Bourgogne SARL",
    siret="12345678900011",
    street="12 rue des Tanneries",
    postal_code="21000",
    city="Dijon",
    contact_name="Jeanne Martin",
    email="contact@bb.example",
    phone="+33 3 80 00 00 01",
    vat_number="FR32123456789",
    size="small",
    naf="43.21A",
    legal_form="Société à responsabilité limitée",
    legal_form_code="5499",
    created_on=date(2004, 5, 3),
    share_capital=Decimal("15000"),
    headcount_band="11",
    turnovers=(Turnover(2023, Decimal("1200000")), Turnover(2024, Decimal("1350000.50"))),
)


@pytest.fixture
def response_data():
    return EspdResponseData(
        id="DUME-2025-000123",
        uuid="3f2a1b6e-3c1d-4c7a-9a0e-5b8d2f6c7e11",
        issued_at=datetime(2025, 4, 1, 10, 0, tzinfo=PARIS),
        procedure=PROCEDURE,
        operator=OPERATOR,
        sworn_statement=True,
    )


@pytest.fixture
def breached_data(response_data):
    """Two "yes" answers: a conviction (own description question) and taxes (measures)."""
    from dataclasses import replace

    return replace(response_data, exclusions=(
        ExclusionAnswer("crime-org", breached=True, description="Condamnation d'un ancien gérant en 2021."),
        ExclusionAnswer("tax-pay", breached=True, description="Retard de TVA du 2e trimestre 2024.",
                        measures="Plan de règlement accordé par le SIE le 3 février 2025."),
    ))
