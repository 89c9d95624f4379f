"""Business rules of DECP v2 that the JSON Schema cannot express.

The schema checks shapes and code lists; the field documentation (`_index.md`
of 139bercy/format-commande-publique) adds cross-field rules: dates in
notification order, advance rate against the advance flag, origineUE ≥
origineFrance, increasing modification numbers... Checking them here lets
the form tell the buyer in French, before data.gouv.fr's consolidation
silently drops or mangles the record. A few schema rules are repeated
(identifier length, amounts ≥ 1) because the buyer needs a French sentence,
not a JSON pointer.
"""

import itertools
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from territoires.interop.decp.data import (
    ConcessionSocialConsideration,
    ContratConcession,
    EnvironmentalConsideration,
    ExecutionMethod,
    Grouping,
    IdentifierType,
    Marche,
    Operator,
    SocialConsideration,
    Technique,
)
from territoires.interop.siren import siret_error

ID_MAX_LENGTH = 16
# Characters the documentation asks to avoid in identifiers (they break CSV
# and XML consumers downstream).
ID_AVOID = set('&"\\<,; ')
CPV_PATTERN = re.compile(r"^[0-9]{8}(-[0-9])?$")
SIRET_PATTERN = re.compile(r"^[0-9]{14}$")


def _identifier_problems(value: str, label: str) -> list[str]:
    if not 1 <= len(value) <= ID_MAX_LENGTH:
        return [f"{label} doit compter de 1 à {ID_MAX_LENGTH} caractères (actuellement {len(value)})."]
    if ID_AVOID & set(value):
        return [
            f"{label} contient un caractère à éviter (&, \", \\, <, espace, virgule, point-virgule)."
        ]
    return []


def _siret_problems(value: str, label: str) -> list[str]:
    error = siret_error(value)
    return [f"{label} : {error}"] if error else []


def _operator_problems(operator: Operator, label: str) -> list[str]:
    if not operator.id.strip():
        return [f"{label} : l'identifiant est vide."]
    if operator.id_type == IdentifierType.SIRET:
        return _siret_problems(operator.id, label)
    return []


def _exclusive(values: Sequence, none_value, label: str) -> list[str]:
    """« Sans objet » / « Pas de … » cannot be combined with a real value."""
    problems = []
    if not values:
        problems.append(f"{label} : choisissez au moins une valeur.")
    elif none_value in values and len(values) > 1:
        problems.append(f"{label} : « {none_value} » ne peut pas être combiné avec une autre valeur.")
    if len(set(values)) != len(values):
        problems.append(f"{label} : une même valeur est indiquée deux fois.")
    return problems


def _rate_problems(value: Decimal | None, label: str, feminine: bool = False) -> list[str]:
    if value is not None and not 0 <= value <= 1:
        agreed = "comprise" if feminine else "compris"
        return [f"{label} doit être {agreed} entre 0 et 1 (0,3 pour 30 %)."]
    return []


def _sequence_problems(items: Iterable[tuple[int, date]], label: str) -> list[str]:
    """Numbers ≥ 1, unique, increasing in the order of notification dates."""
    items = list(items)
    problems = []
    numbers = [number for number, _ in items]
    if any(number < 1 for number in numbers):
        problems.append(f"{label} : les numéros doivent être des entiers supérieurs ou égaux à 1.")
    if len(set(numbers)) != len(numbers):
        problems.append(f"{label} : chaque numéro doit être unique.")
    ordered = sorted(items)
    if any(later[1] < earlier[1] for earlier, later in itertools.pairwise(ordered)):
        problems.append(
            f"{label} : les numéros doivent suivre l'ordre des dates de notification."
        )
    return problems


def check_marche(marche: Marche) -> list[str]:
    """French messages for what is wrong with `marche`; empty if publishable."""
    problems = _identifier_problems(marche.id, "L'identifiant du marché")
    if marche.framework_id is not None:
        problems += _identifier_problems(marche.framework_id, "L'identifiant de l'accord-cadre")
        if marche.framework_id == marche.id:
            problems.append("Un marché subséquent ne peut pas avoir le même identifiant que son accord-cadre.")
    problems += _siret_problems(marche.buyer_siret, "SIRET de l'acheteur")
    if not marche.subject.strip():
        problems.append("L'objet du marché est obligatoire.")
    elif len(marche.subject) > 1000:
        problems.append("L'objet du marché ne doit pas dépasser 1000 caractères.")
    if not CPV_PATTERN.match(marche.cpv):
        problems.append("Le code CPV doit compter 8 chiffres (éventuellement suivis de « -» et du chiffre de contrôle).")
    if not marche.place.code.strip():
        problems.append("Le code du lieu d'exécution est obligatoire.")
    if marche.duration_months < 1:
        problems.append("La durée du marché doit être d'au moins 1 mois (arrondir au mois supérieur).")
    if marche.amount < 1:
        problems.append("Le montant du marché doit être supérieur ou égal à 1 € HT.")
    if marche.offers_received < 1:
        problems.append("Le nombre d'offres reçues doit être d'au moins 1.")
    if marche.published_on < marche.notified_on:
        problems.append("La date de publication des données ne peut pas précéder la date de notification.")

    if marche.advance_granted:
        if marche.advance_rate is None or marche.advance_rate <= 0:
            problems.append("Une avance est attribuée : indiquez un taux d'avance supérieur à 0.")
    elif marche.advance_rate:
        problems.append("Un taux d'avance est indiqué alors qu'aucune avance n'est attribuée.")
    problems += _rate_problems(marche.advance_rate, "Le taux d'avance")
    problems += _rate_problems(marche.origin_eu, "La part de produits issus de l'UE", feminine=True)
    problems += _rate_problems(marche.origin_france, "La part de produits français", feminine=True)
    if (marche.origin_eu is None) != (marche.origin_france is None):
        problems.append("Renseignez à la fois la part de produits de l'UE et la part de produits français, ou aucune des deux.")
    elif marche.origin_eu is not None and marche.origin_eu < marche.origin_france:
        problems.append(
            "La part de produits issus de l'UE ne peut pas être inférieure à la part de produits "
            "français (la France fait partie de l'UE)."
        )

    problems += _exclusive(marche.techniques, Technique.SANS_OBJET, "Technique d'achat")
    problems += _exclusive(marche.execution_methods, ExecutionMethod.SANS_OBJET, "Modalité d'exécution")
    problems += _exclusive(marche.social_considerations, SocialConsideration.AUCUNE, "Considérations sociales")
    problems += _exclusive(
        marche.environmental_considerations, EnvironmentalConsideration.AUCUNE, "Considérations environnementales"
    )
    if not marche.price_types:
        problems.append("Indiquez au moins un type de prix.")
    elif len(set(marche.price_types)) != len(marche.price_types):
        problems.append("Type de prix : une même valeur est indiquée deux fois.")

    if not marche.holders:
        problems.append("Le marché doit avoir au moins un titulaire.")
    if len(set(marche.holders)) != len(marche.holders):
        problems.append("Un même titulaire est indiqué deux fois.")
    for index, holder in enumerate(marche.holders, start=1):
        problems += _operator_problems(holder, f"Titulaire n° {index}")
    if len(marche.holders) > 1 and marche.grouping == Grouping.AUCUN:
        problems.append("Plusieurs titulaires : précisez le type de groupement (conjoint ou solidaire).")

    problems += _sequence_problems(((m.id, m.notified_on) for m in marche.modifications), "Modifications")
    for m in marche.modifications:
        label = f"Modification n° {m.id}"
        if m.notified_on < marche.notified_on:
            problems.append(f"{label} : elle ne peut pas être notifiée avant le marché.")
        if m.published_on < m.notified_on:
            problems.append(f"{label} : la publication ne peut pas précéder la notification.")
        if m.duration_months is None and m.amount is None and not m.holders:
            problems.append(f"{label} : indiquez la nouvelle durée, le nouveau montant ou les nouveaux titulaires.")
        if m.duration_months is not None and m.duration_months < 1:
            problems.append(f"{label} : la durée doit être d'au moins 1 mois.")
        if m.amount is not None and m.amount < 1:
            problems.append(f"{label} : le montant doit être supérieur ou égal à 1 € HT.")
        for index, holder in enumerate(m.holders, start=1):
            problems += _operator_problems(holder, f"{label}, titulaire n° {index}")

    problems += _sequence_problems(
        ((a.id, a.notified_on) for a in marche.subcontracts), "Actes de sous-traitance"
    )
    acts = {a.id: a for a in marche.subcontracts}
    for act in marche.subcontracts:
        label = f"Acte de sous-traitance n° {act.id}"
        problems += _operator_problems(act.subcontractor, f"{label}, sous-traitant")
        if act.notified_on < marche.notified_on:
            problems.append(f"{label} : il ne peut pas être notifié avant le marché.")
        if act.published_on < act.notified_on:
            problems.append(f"{label} : la publication ne peut pas précéder la notification.")
        if act.amount < 1:
            problems.append(f"{label} : le montant doit être supérieur ou égal à 1 € HT.")
        if act.duration_months < 1:
            problems.append(f"{label} : la durée doit être d'au moins 1 mois.")
    for change in marche.subcontract_modifications:
        act = acts.get(change.id)
        label = f"Modification de l'acte de sous-traitance n° {change.id}"
        if act is None:
            problems.append(f"{label} : aucun acte de sous-traitance ne porte ce numéro.")
        elif change.notified_on < act.notified_on:
            problems.append(f"{label} : elle ne peut pas être notifiée avant l'acte lui-même.")
        if change.published_on < change.notified_on:
            problems.append(f"{label} : la publication ne peut pas précéder la notification.")
    return problems


def check_concession(contract: ContratConcession) -> list[str]:
    """French messages for what is wrong with `contract`; empty if publishable."""
    problems = _identifier_problems(contract.id, "L'identifiant du contrat de concession")
    problems += _siret_problems(contract.authority_siret, "SIRET de l'autorité concédante")
    if not contract.subject.strip():
        problems.append("L'objet du contrat de concession est obligatoire.")
    elif len(contract.subject) > 1000:
        problems.append("L'objet du contrat de concession ne doit pas dépasser 1000 caractères.")
    if contract.duration_months < 1:
        problems.append("La durée du contrat doit être d'au moins 1 mois (arrondir au mois supérieur).")
    if contract.total_value < 1:
        problems.append("La valeur globale doit être supérieure ou égale à 1 € HT.")
    if contract.public_subsidy < 0:
        problems.append("Le montant des subventions ne peut pas être négatif (indiquer 0 s'il n'y en a pas).")
    if contract.published_on < contract.signed_on:
        problems.append("La date de publication des données ne peut pas précéder la date de signature.")
    if contract.execution_start < contract.signed_on:
        problems.append("L'exécution ne peut pas commencer avant la signature du contrat.")
    if not contract.concessionaires:
        problems.append("Le contrat doit avoir au moins un concessionnaire.")
    for index, operator in enumerate(contract.concessionaires, start=1):
        problems += _operator_problems(operator, f"Concessionnaire n° {index}")
    problems += _exclusive(
        contract.social_considerations, ConcessionSocialConsideration.AUCUNE, "Considérations sociales"
    )
    problems += _exclusive(
        contract.environmental_considerations, EnvironmentalConsideration.AUCUNE, "Considérations environnementales"
    )
    problems += _sequence_problems(
        ((m.id, m.signed_on) for m in contract.modifications), "Modifications"
    )
    for m in contract.modifications:
        label = f"Modification n° {m.id}"
        if m.signed_on < contract.signed_on:
            problems.append(f"{label} : elle ne peut pas être signée avant le contrat.")
        if m.published_on < m.signed_on:
            problems.append(f"{label} : la publication ne peut pas précéder la signature.")
    for data in contract.execution_data:
        if not data.tariffs:
            problems.append("Données d'exécution : indiquez au moins un tarif.")
        if any(len(t.label) > 256 for t in data.tariffs):
            problems.append("Données d'exécution : l'intitulé d'un tarif ne doit pas dépasser 256 caractères.")
    return problems
