from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from territoires.interop.decp import (
    Grouping,
    IdentifierType,
    Modification,
    Operator,
    SocialConsideration,
    SubcontractModification,
    check_concession,
    check_marche,
)


def test_realistic_marches_have_no_problem(works, services, supplies):
    assert check_marche(works) == []
    assert check_marche(services) == []
    assert check_marche(supplies) == []


def test_realistic_concession_has_no_problem(concession):
    assert check_concession(concession) == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "MARCHE-2025-TRAVAUX-01"}, "L'identifiant du marché doit compter de 1 à 16 caractères (actuellement 22)."),
        ({"id": ""}, "L'identifiant du marché doit compter de 1 à 16 caractères (actuellement 0)."),
        ({"id": "2025 TRX;4"}, "L'identifiant du marché contient un caractère à éviter"),
        ({"buyer_siret": "21210054900015"}, "SIRET de l'acheteur : Ce SIRET n'est pas valide"),
        ({"buyer_siret": "212100549"}, "SIRET de l'acheteur : Un SIRET compte exactement 14 chiffres."),
        ({"amount": Decimal("0")}, "Le montant du marché doit être supérieur ou égal à 1 € HT."),
        ({"published_on": date(2025, 5, 1)}, "La date de publication des données ne peut pas précéder la date de notification."),
        ({"cpv": "4545300"}, "Le code CPV doit compter 8 chiffres"),
        ({"duration_months": 0}, "La durée du marché doit être d'au moins 1 mois"),
        ({"advance_rate": None}, "Une avance est attribuée : indiquez un taux d'avance supérieur à 0."),
        ({"advance_granted": False}, "Un taux d'avance est indiqué alors qu'aucune avance n'est attribuée."),
        ({"grouping": Grouping.AUCUN}, "Plusieurs titulaires : précisez le type de groupement"),
        ({"holders": ()}, "Le marché doit avoir au moins un titulaire."),
        ({"holders": (Operator("12345678200011"),)}, "Titulaire n° 1 : Ce SIRET n'est pas valide"),
        (
            {"social_considerations": (SocialConsideration.CLAUSE, SocialConsideration.AUCUNE)},
            "Considérations sociales : « Pas de considération sociale » ne peut pas être combiné",
        ),
        (
            {"modifications": (
                Modification(id=2, notified_on=date(2025, 9, 1), published_on=date(2025, 9, 2), amount=Decimal(1000)),
                Modification(id=3, notified_on=date(2025, 8, 1), published_on=date(2025, 8, 2), amount=Decimal(2000)),
            )},
            "Modifications : les numéros doivent suivre l'ordre des dates de notification.",
        ),
        (
            {"modifications": (
                Modification(id=1, notified_on=date(2025, 9, 1), published_on=date(2025, 9, 2)),
            )},
            "Modification n° 1 : indiquez la nouvelle durée, le nouveau montant ou les nouveaux titulaires.",
        ),
        (
            {"modifications": (
                Modification(id=1, notified_on=date(2025, 4, 1), published_on=date(2025, 9, 2), duration_months=9),
            )},
            "Modification n° 1 : elle ne peut pas être notifiée avant le marché.",
        ),
        (
            {"subcontract_modifications": (
                SubcontractModification(id=5, notified_on=date(2025, 9, 1), published_on=date(2025, 9, 2)),
            )},
            "Modification de l'acte de sous-traitance n° 5 : aucun acte de sous-traitance ne porte ce numéro.",
        ),
    ],
)
def test_marche_problems_in_french(works, changes, message):
    problems = check_marche(replace(works, **changes))
    assert any(p.startswith(message) for p in problems), problems


def test_origin_eu_cannot_be_below_origin_france(supplies):
    problems = check_marche(replace(supplies, origin_eu=Decimal("0.5"), origin_france=Decimal("0.7")))
    assert problems == [
        "La part de produits issus de l'UE ne peut pas être inférieure à la part de produits "
        "français (la France fait partie de l'UE)."
    ]


def test_origin_share_is_a_fraction(supplies):
    problems = check_marche(replace(supplies, origin_eu=Decimal("85"), origin_france=Decimal("60")))
    assert "La part de produits issus de l'UE doit être comprise entre 0 et 1 (0,3 pour 30 %)." in problems


def test_foreign_holders_are_not_checked_as_siret(supplies):
    holders = (Operator("FR40303265045", IdentifierType.TVA), Operator("B12345678", IdentifierType.HORS_UE))
    assert check_marche(replace(supplies, holders=holders)) == []


def test_concession_problems_in_french(concession):
    problems = check_concession(
        replace(concession, execution_start=date(2024, 12, 1), public_subsidy=Decimal("-1"))
    )
    assert problems == [
        "Le montant des subventions ne peut pas être négatif (indiquer 0 s'il n'y en a pas).",
        "L'exécution ne peut pas commencer avant la signature du contrat.",
    ]
