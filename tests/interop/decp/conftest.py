import json
from datetime import date
from decimal import Decimal

import jsonschema_rs
import pytest
from django.conf import settings

from territoires.interop.decp import (
    Ccag,
    ConcessionModification,
    ConcessionNature,
    ConcessionProcedure,
    ContratConcession,
    EnvironmentalConsideration,
    ExecutionData,
    ExecutionMethod,
    Grouping,
    IdentifierType,
    Marche,
    Modification,
    Nature,
    Operator,
    Place,
    PlaceCodeType,
    PriceForm,
    PriceType,
    PriceVariation,
    Procedure,
    SocialConsideration,
    Subcontract,
    SubcontractModification,
    Tariff,
    Technique,
)

# Fictitious but checksum-valid SIRETs.
BUYER = "21210054900014"  # a commune
DEPARTEMENT = "21010053300012"
BUILDER = "12345678200010"
ROOFER = "34567890800020"
CATERER = "45678901500017"
DESIGNER = "56789012400033"
ELECTRICIAN = "67890123200010"


@pytest.fixture(scope="session")
def decp_validator():
    path = settings.REFERENCE_DATA_DIR / "marches" / "decp" / "schema_decp_v2.0.3.json"
    return jsonschema_rs.validator_for(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture
def works():
    """Works, two co-contractors jointly and severally liable, one amendment, subcontracting."""
    return Marche(
        id="2025-TRX-004",
        buyer_siret=BUYER,
        nature=Nature.MARCHE,
        subject="Rénovation énergétique de l'école élémentaire Jules-Ferry",
        cpv="45453000",
        procedure=Procedure.ADAPTEE,
        place=Place("21054", PlaceCodeType.COMMUNE),
        duration_months=8,
        notified_on=date(2025, 5, 12),
        published_on=date(2025, 5, 20),
        amount=Decimal("412500.00"),
        price_form=PriceForm.FORFAITAIRE,
        price_types=(PriceType.REVISABLE,),
        holders=(Operator(BUILDER), Operator(ROOFER)),
        grouping=Grouping.SOLIDAIRE,
        offers_received=4,
        ccag=Ccag.TRAVAUX,
        execution_methods=(ExecutionMethod.TRANCHES,),
        social_considerations=(SocialConsideration.CLAUSE,),
        environmental_considerations=(
            EnvironmentalConsideration.CLAUSE,
            EnvironmentalConsideration.CRITERE,
        ),
        advance_granted=True,
        advance_rate=Decimal("0.3"),
        subcontracting_declared=True,
        subcontracts=(
            Subcontract(
                id=1, subcontractor=Operator(ELECTRICIAN), duration_months=3,
                notified_on=date(2025, 6, 2), published_on=date(2025, 6, 5),
                amount=Decimal("38000"), price_variation=PriceVariation.REVISABLE,
            ),
        ),
        subcontract_modifications=(
            SubcontractModification(
                id=1, notified_on=date(2025, 9, 1), published_on=date(2025, 9, 3),
                amount=Decimal("41250.50"),
            ),
        ),
        modifications=(
            Modification(
                id=1, notified_on=date(2025, 9, 15), published_on=date(2025, 9, 18),
                duration_months=10, amount=Decimal("436900.00"),
            ),
            Modification(
                id=2, notified_on=date(2025, 11, 3), published_on=date(2025, 11, 4),
                holders=(Operator(BUILDER), Operator("DE123456789", IdentifierType.TVA)),
            ),
        ),
    )


@pytest.fixture
def services():
    """Intellectual services framework agreement with order forms, single holder."""
    return Marche(
        id="AC2025-MOE-01",
        buyer_siret=DEPARTEMENT,
        nature=Nature.MARCHE,
        subject="Accord-cadre de maîtrise d'œuvre pour les collèges du département",
        cpv="71000000-8",
        procedure=Procedure.APPEL_OFFRES_OUVERT,
        place=Place("21", PlaceCodeType.DEPARTEMENT),
        duration_months=48,
        notified_on=date(2025, 2, 3),
        published_on=date(2025, 2, 3),
        amount=Decimal("900000"),
        price_form=PriceForm.UNITAIRE,
        price_types=(PriceType.ACTUALISABLE, PriceType.REVISABLE),
        holders=(Operator(DESIGNER),),
        grouping=Grouping.AUCUN,
        offers_received=7,
        ccag=Ccag.MAITRISE_OEUVRE,
        techniques=(Technique.ACCORD_CADRE,),
        execution_methods=(ExecutionMethod.BONS_DE_COMMANDE,),
        innovative=True,
    )


@pytest.fixture
def supplies():
    """Canteen food supplies: origin shares are mandatory for food."""
    return Marche(
        id="FCS-2025-17",
        buyer_siret=BUYER,
        nature=Nature.MARCHE,
        subject="Fourniture de denrées alimentaires pour la restauration scolaire",
        cpv="15800000",
        procedure=Procedure.APPEL_OFFRES_OUVERT,
        place=Place("21200", PlaceCodeType.CODE_POSTAL),
        duration_months=12,
        notified_on=date(2025, 8, 25),
        published_on=date(2025, 9, 1),
        amount=Decimal("120000"),
        price_form=PriceForm.MIXTE,
        price_types=(PriceType.FERME,),
        holders=(Operator(CATERER), Operator("B12345678", IdentifierType.HORS_UE)),
        grouping=Grouping.CONJOINT,
        offers_received=2,
        ccag=Ccag.FCS,
        social_considerations=(SocialConsideration.MARCHE_RESERVE,),
        origin_eu=Decimal("0.85"),
        origin_france=Decimal("0.6"),
    )


@pytest.fixture
def concession():
    return ContratConcession(
        id="DSP-2024-EAU",
        authority_siret=BUYER,
        nature=ConcessionNature.DSP,
        subject="Délégation du service public de l'eau potable",
        procedure=ConcessionProcedure.NEGOCIEE_OUVERTE,
        duration_months=120,
        signed_on=date(2024, 12, 16),
        execution_start=date(2025, 1, 1),
        published_on=date(2025, 1, 10),
        total_value=Decimal("14500000"),
        public_subsidy=Decimal("0"),
        concessionaires=(Operator(BUILDER),),
        modifications=(
            ConcessionModification(
                id=1, signed_on=date(2025, 10, 6), published_on=date(2025, 10, 20),
                total_value=Decimal("15100000"),
            ),
        ),
        execution_data=(
            ExecutionData(
                published_on=date(2026, 1, 15), investment=Decimal("812345.67"),
                tariffs=(Tariff("Abonnement annuel", Decimal("48.5")),
                         Tariff("Prix du m³", Decimal("1.92"))),
            ),
        ),
    )
