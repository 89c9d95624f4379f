"""Our default nomenclature and the 7-2 message."""

from datetime import date

import pytest

from territoires.interop import actes as a
from territoires.interop.actes.classification import Matiere, tree_from_flat


def test_default_classification_shape(reference_dir):
    classification = a.default_classification(date(2025, 1, 15))
    assert [m.code for m in classification.matieres] == [str(n) for n in range(1, 10)]
    assert classification.matieres[0].label == "Commande publique"
    assert classification.matiere("1.1").label == "Marchés publics"
    assert classification.matiere("1.2").label == "Délégation de service public"
    assert classification.matiere("7.1").label == "Décisions budgétaires"
    assert classification.matiere("7.10").label == "Divers"
    assert classification.matiere("7.10").codes == (7, 10)
    assert all(m.children for m in classification.matieres)
    assert [n.abbr for n in classification.natures] == ["DE", "AR", "AI", "CC", "BF", "AU"]
    for nature in classification.natures:
        codes = [t.code for t in nature.typologies]
        assert codes[0] == a.NATURES[nature.code].default_typology
        assert "99_SE" in codes
    assert {"11_AE", "21_RP", "43_NC"} <= {t.code for n in classification.natures for t in n.typologies}
    a.validate(a.build_retour_classification(classification), reference_dir)


def test_numeric_order_is_kept_in_codes():
    codes = a.default_classification(date(2025, 1, 15)).codes()
    assert codes.index("7.9") < codes.index("7.10") < codes.index("8")


def test_tree_from_flat_and_levels():
    roots = tree_from_flat([("1", "A"), ("1.1", "B"), ("1.1.3", "C")])
    assert roots == (Matiere("1", "A", (Matiere("1.1", "B", (Matiere("1.1.3", "C"),)),)),)
    assert roots[0].children[0].children[0].level == 3
    with pytest.raises(ValueError, match="sans matière parente"):
        tree_from_flat([("1.1", "B")])


def test_builder_refuses_what_the_schema_forbids():
    lonely = a.Classification(date(2025, 1, 1), (), (Matiere("1", "Seule"),))
    with pytest.raises(ValueError, match="sous-matière"):
        a.build_retour_classification(lonely)
    untyped = a.Classification(date(2025, 1, 1), (a.Nature(1, "DE", "Délibérations"),), ())
    with pytest.raises(ValueError, match="typologie"):
        a.build_retour_classification(untyped)
