"""DECP v2 (données essentielles de la commande publique) export.

Since 2024 the essential data of marchés (≥ 40 000 € HT) and concessions are
published on data.gouv.fr in the DECP v2 JSON format (arrêtés du 22/12/2022
modifiés). Django-free like the rest of `interop`: the app maps its models to
the dataclasses of `data`, `check_marche`/`check_concession` explain what the
buyer must fix, in French, and `decp_json` gives the bytes to push. The
schema itself is only read by the tests, from the reference folder.
"""

from territoires.interop.decp.checks import check_concession, check_marche
from territoires.interop.decp.data import (
    Ccag,
    ConcessionModification,
    ConcessionNature,
    ConcessionProcedure,
    ConcessionSocialConsideration,
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
from territoires.interop.decp.export import concession_dict, decp_document, decp_json, marche_dict

__all__ = [
    "Ccag", "ConcessionModification", "ConcessionNature", "ConcessionProcedure",
    "ConcessionSocialConsideration", "ContratConcession", "EnvironmentalConsideration",
    "ExecutionData", "ExecutionMethod", "Grouping", "IdentifierType", "Marche", "Modification",
    "Nature", "Operator", "Place", "PlaceCodeType", "PriceForm", "PriceType", "PriceVariation",
    "Procedure", "SocialConsideration", "Subcontract", "SubcontractModification", "Tariff",
    "Technique", "check_concession", "check_marche", "concession_dict", "decp_document",
    "decp_json", "marche_dict",
]
