"""NUTS codes of Bourgogne-Franche-Comté and their départements."""

import pytest
from django.conf import settings

from territoires.interop.nuts import load_nuts

NUTS_FILE = settings.REFERENCE_DATA_DIR / "marches" / "nuts" / "nuts_bfc.csv"

PAIRS = {
    "21": "FRC11", "58": "FRC12", "71": "FRC13", "89": "FRC14",
    "25": "FRC21", "39": "FRC22", "70": "FRC23", "90": "FRC24",
}


@pytest.fixture(scope="module")
def nuts():
    return load_nuts(NUTS_FILE)


def test_cached_per_path(nuts):
    assert load_nuts(str(NUTS_FILE)) is nuts


def test_nuts3_of_the_region(nuts):
    assert [(n.code, n.departement, n.label_fr) for n in nuts.nuts3()] == [
        ("FRC11", "21", "Côte-d’Or"),
        ("FRC12", "58", "Nièvre"),
        ("FRC13", "71", "Saône-et-Loire"),
        ("FRC14", "89", "Yonne"),
        ("FRC21", "25", "Doubs"),
        ("FRC22", "39", "Jura"),
        ("FRC23", "70", "Haute-Saône"),
        ("FRC24", "90", "Territoire de Belfort"),
    ]


@pytest.mark.parametrize(("departement", "code"), PAIRS.items())
def test_both_directions(departement, code, nuts):
    assert nuts.nuts3_for_departement(departement) == code
    assert nuts.departement_for_nuts3(code) == departement


def test_hierarchy_and_labels(nuts):
    region = nuts.get("FRC")
    assert (region.level, region.parent, region.label_fr) == (1, "FR", "Bourgogne-Franche-Comté")
    assert nuts.get("frc1").label_fr == "Bourgogne"
    assert nuts.get("FRC21").parent == "FRC2"
    assert nuts.get("FRC2").label_fr == "Franche-Comté"
    assert nuts.get("FR") is None


def test_outside_the_region(nuts):
    assert nuts.nuts3_for_departement("75") is None
    assert nuts.nuts3_for_departement("") is None
    assert nuts.departement_for_nuts3("FRC1") is None
    assert nuts.departement_for_nuts3("FR101") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("FRC", True), ("FRC1", True), ("FRC11", True), ("frc24", True), (" FRC22 ", True),
        ("21", True), ("021", True), ("90", True),
        ("FR", False), ("FR101", False), ("FRC3", False), ("FRC25", False),
        ("75", False), ("2A", False), ("210", False), ("", False),
    ],
)
def test_in_region(value, expected, nuts):
    assert nuts.in_region(value) is expected
