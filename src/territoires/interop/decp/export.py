"""DECP v2 JSON: the document data.gouv.fr expects, built from the dataclasses.

Keys follow the order of the schema's `properties`, so the same data always
give the same bytes (diffable exports, stable hashes for the journal).
Optional values left to None are omitted rather than written as null: the
v2.0.3 schema types them as numbers and would reject null, even though the
field documentation mentions null for origineUE/origineFrance.
"""

import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from territoires.interop.decp.data import (
    ConcessionModification,
    ContratConcession,
    ExecutionData,
    Marche,
    Modification,
    Operator,
    Subcontract,
    SubcontractModification,
)


def _number(value: Decimal | int) -> int | float:
    """JSON number for an amount or rate: integral values without a trailing .0."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _day(value: date) -> str:
    return value.isoformat()


def _put(target: dict, key: str, value, convert=None) -> None:
    """Set `key` only when `value` is given (None means "not applicable")."""
    if value is not None:
        target[key] = convert(value) if convert else value


def _operator(operator: Operator) -> dict:
    return {"typeIdentifiant": str(operator.id_type), "id": operator.id}


def _holders(holders: Iterable[Operator]) -> list[dict]:
    return [{"titulaire": _operator(h)} for h in holders]


def _modification(modification: Modification) -> dict:
    body: dict = {"id": modification.id}
    _put(body, "dateNotificationModification", modification.notified_on, _day)
    _put(body, "datePublicationDonneesModification", modification.published_on, _day)
    _put(body, "dureeMois", modification.duration_months)
    _put(body, "montant", modification.amount, _number)
    if modification.holders:
        body["titulaires"] = _holders(modification.holders)
    return {"modification": body}


def _subcontract(act: Subcontract) -> dict:
    return {
        "acteSousTraitance": {
            "id": act.id,
            "sousTraitant": _operator(act.subcontractor),
            "dureeMois": act.duration_months,
            "dateNotification": _day(act.notified_on),
            "datePublicationDonnees": _day(act.published_on),
            "montant": _number(act.amount),
            "variationPrix": str(act.price_variation),
        }
    }


def _subcontract_modification(change: SubcontractModification) -> dict:
    body: dict = {"id": change.id}
    _put(body, "dureeMois", change.duration_months)
    body["dateNotificationModificationSousTraitance"] = _day(change.notified_on)
    _put(body, "montant", change.amount, _number)
    body["datePublicationDonnees"] = _day(change.published_on)
    return {"modificationActeSousTraitance": body}


def marche_dict(marche: Marche) -> dict:
    """One item of `marches.marche`."""
    body: dict = {
        "id": marche.id,
        "acheteur": {"id": marche.buyer_siret},
        "nature": str(marche.nature),
        "objet": marche.subject,
        "codeCPV": marche.cpv,
        "techniques": {"technique": [str(t) for t in marche.techniques]},
        "modalitesExecution": {"modaliteExecution": [str(m) for m in marche.execution_methods]},
    }
    _put(body, "idAccordCadre", marche.framework_id)
    body["marcheInnovant"] = marche.innovative
    body["ccag"] = str(marche.ccag)
    body["offresRecues"] = marche.offers_received
    body["attributionAvance"] = marche.advance_granted
    _put(body, "tauxAvance", marche.advance_rate, _number)
    body["typeGroupementOperateurs"] = str(marche.grouping)
    body["sousTraitanceDeclaree"] = marche.subcontracting_declared
    if marche.subcontracts:
        body["actesSousTraitance"] = [_subcontract(a) for a in marche.subcontracts]
    body["procedure"] = str(marche.procedure)
    body["lieuExecution"] = {"code": marche.place.code, "typeCode": str(marche.place.code_type)}
    body["dureeMois"] = marche.duration_months
    body["dateNotification"] = _day(marche.notified_on)
    body["datePublicationDonnees"] = _day(marche.published_on)
    body["montant"] = _number(marche.amount)
    body["typesPrix"] = {"typePrix": [str(p) for p in marche.price_types]}
    body["formePrix"] = str(marche.price_form)
    _put(body, "origineUE", marche.origin_eu, _number)
    _put(body, "origineFrance", marche.origin_france, _number)
    body["titulaires"] = _holders(marche.holders)
    body["considerationsSociales"] = {
        "considerationSociale": [str(c) for c in marche.social_considerations]
    }
    body["considerationsEnvironnementales"] = {
        "considerationEnvironnementale": [str(c) for c in marche.environmental_considerations]
    }
    if marche.subcontract_modifications:
        body["modificationsActesSousTraitance"] = [
            _subcontract_modification(c) for c in marche.subcontract_modifications
        ]
    if marche.modifications:
        body["modifications"] = [_modification(m) for m in marche.modifications]
    return body


def _concession_modification(modification: ConcessionModification) -> dict:
    body: dict = {
        "id": modification.id,
        "dateSignatureModification": _day(modification.signed_on),
        "datePublicationDonneesModification": _day(modification.published_on),
    }
    _put(body, "dureeMois", modification.duration_months)
    _put(body, "valeurGlobale", modification.total_value, _number)
    return {"modification": body}


def _execution_data(data: ExecutionData) -> dict:
    return {
        "donneesAnnuelles": {
            "datePublicationDonneesExecution": _day(data.published_on),
            "depensesInvestissement": _number(data.investment),
            "tarifs": [
                {"tarif": {"intituleTarif": t.label, "tarif": _number(t.amount)}}
                for t in data.tariffs
            ],
        }
    }


def concession_dict(contract: ContratConcession) -> dict:
    """One item of `marches.contrat-concession`."""
    body: dict = {
        "id": contract.id,
        "autoriteConcedante": {"id": contract.authority_siret},
        "nature": str(contract.nature),
        "objet": contract.subject,
        "procedure": str(contract.procedure),
        "dureeMois": contract.duration_months,
        "dateSignature": _day(contract.signed_on),
        "datePublicationDonnees": _day(contract.published_on),
        "dateDebutExecution": _day(contract.execution_start),
        "valeurGlobale": _number(contract.total_value),
        "montantSubventionPublique": _number(contract.public_subsidy),
    }
    if contract.execution_data:
        body["donneesExecution"] = [_execution_data(d) for d in contract.execution_data]
    body["concessionnaires"] = [
        {"concessionnaire": _operator(c)} for c in contract.concessionaires
    ]
    body["considerationsSociales"] = {
        "considerationSociale": [str(c) for c in contract.social_considerations]
    }
    body["considerationsEnvironnementales"] = {
        "considerationEnvironnementale": [str(c) for c in contract.environmental_considerations]
    }
    if contract.modifications:
        body["modifications"] = [_concession_modification(m) for m in contract.modifications]
    return body


def decp_document(
    marches: Iterable[Marche], concessions: Iterable[ContratConcession] = ()
) -> dict:
    """The root `{"marches": {"marche": [...], "contrat-concession": [...]}}`.

    An empty list is left out: the schema needs at least one of the two keys,
    and a file of concessions only should not claim an empty list of marchés.
    """
    root: dict = {}
    marche_items = [marche_dict(m) for m in marches]
    concession_items = [concession_dict(c) for c in concessions]
    if marche_items:
        root["marche"] = marche_items
    if concession_items:
        root["contrat-concession"] = concession_items
    if not root:
        raise ValueError("Aucun marché ni contrat de concession à publier.")
    return {"marches": root}


def decp_json(
    marches: Iterable[Marche], concessions: Iterable[ContratConcession] = ()
) -> bytes:
    """`decp_document` as UTF-8 JSON bytes, accents kept readable, 2-space indent."""
    document = decp_document(marches, concessions)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
