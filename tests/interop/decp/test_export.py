import json

import pytest

from territoires.interop.decp import decp_document, decp_json


def schema_errors(validator, document):
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("name", ["works", "services", "supplies"])
def test_each_marche_is_valid_decp(request, decp_validator, name):
    document = decp_document([request.getfixturevalue(name)])
    assert schema_errors(decp_validator, document) == []


def test_full_file_with_concession_is_valid(decp_validator, works, services, supplies, concession):
    document = json.loads(decp_json([works, services, supplies], [concession]))
    assert schema_errors(decp_validator, document) == []
    assert len(document["marches"]["marche"]) == 3
    assert len(document["marches"]["contrat-concession"]) == 1


def test_concessions_only_is_valid(decp_validator, concession):
    document = decp_document([], [concession])
    assert "marche" not in document["marches"]
    assert schema_errors(decp_validator, document) == []


def test_nothing_to_publish_is_refused():
    with pytest.raises(ValueError, match="Aucun marché"):
        decp_document([])


def test_marche_fields(works):
    item = decp_document([works])["marches"]["marche"][0]
    assert item["acheteur"] == {"id": "21210054900014"}
    assert item["montant"] == 412500  # integral amounts written without .0
    assert item["tauxAvance"] == 0.3
    assert item["lieuExecution"] == {"code": "21054", "typeCode": "Code commune"}
    assert item["titulaires"][1] == {"titulaire": {"typeIdentifiant": "SIRET", "id": "34567890800020"}}
    assert item["modifications"][0]["modification"] == {
        "id": 1,
        "dateNotificationModification": "2025-09-15",
        "datePublicationDonneesModification": "2025-09-18",
        "dureeMois": 10,
        "montant": 436900,
    }
    assert item["modifications"][1]["modification"]["titulaires"][1]["titulaire"]["typeIdentifiant"] == "TVA"
    assert item["actesSousTraitance"][0]["acteSousTraitance"]["variationPrix"] == "Révisable"
    assert item["modificationsActesSousTraitance"][0]["modificationActeSousTraitance"]["montant"] == 41250.5
    assert "origineUE" not in item  # not a food/vehicle/health/clothing purchase


def test_origin_shares_written_when_concerned(supplies):
    item = decp_document([supplies])["marches"]["marche"][0]
    assert (item["origineUE"], item["origineFrance"]) == (0.85, 0.6)


def test_json_is_utf8_and_stable(works, supplies):
    first = decp_json([works, supplies])
    assert first == decp_json([works, supplies])
    assert "Rénovation énergétique".encode() in first  # accents not escaped
    assert list(json.loads(first)["marches"]["marche"][0])[:3] == ["id", "acheteur", "nature"]


def test_schema_rejects_missing_required_field(decp_validator, works):
    document = decp_document([works])
    del document["marches"]["marche"][0]["titulaires"]
    errors = schema_errors(decp_validator, document)
    assert errors and any("titulaires" in e for e in errors)


def test_schema_rejects_bad_enum(decp_validator, works):
    document = decp_document([works])
    document["marches"]["marche"][0]["procedure"] = "Procédure négociée"
    document["marches"]["marche"][0]["titulaires"][0]["titulaire"]["typeIdentifiant"] = "SIREN"
    errors = schema_errors(decp_validator, document)
    assert any(e.startswith("marches/marche/0/procedure") for e in errors)
    assert any("typeIdentifiant" in e for e in errors)


def test_schema_rejects_long_identifier_and_null_origin(decp_validator, supplies):
    """Why None is omitted, not written as null: v2.0.3 types origineUE as a number."""
    document = decp_document([supplies])
    document["marches"]["marche"][0]["id"] = "X" * 17
    document["marches"]["marche"][0]["origineUE"] = None
    errors = schema_errors(decp_validator, document)
    assert any(e.startswith("marches/marche/0/id") for e in errors)
    assert any(e.startswith("marches/marche/0/origineUE") for e in errors)
