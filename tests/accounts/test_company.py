import pytest
from django.core.exceptions import ValidationError

from territoires.accounts.models import Company
from territoires.interop.siren import siren_error, siret_error


def test_company_siret_is_checked():
    with pytest.raises(ValidationError) as exc:
        Company(siret="73282932000075", name="X").full_clean()
    assert "clé de contrôle" in str(exc.value)
    Company(siret="73282932000074", name="X").full_clean()


@pytest.mark.parametrize(
    ("value", "valid"),
    [("732829320", True), ("732829321", False), ("12345678", False), ("73282932A", False)],
)
def test_siren_rules(value, valid):
    assert (siren_error(value) is None) is valid


def test_la_poste_sirets_use_their_own_rule():
    assert siret_error("35600000000010") is None  # La Poste: digit sum multiple of 5
    assert siret_error("35600000000011") is not None
