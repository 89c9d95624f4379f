"""Parsing hand-written notices written to the eForms schema (SDK 1.15)."""

import io
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from territoires.interop.eforms.errors import NoticeSchemaError
from territoires.interop.eforms.parse import parse_notice
from territoires.interop.eforms.schema import load_schema, schema_errors

FIXTURES = Path(__file__).parent / "fixtures"
CEST = timezone(timedelta(hours=2))


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.xml")))
def test_fixtures_validate_against_xsd(name, reference_dir):
    assert schema_errors(FIXTURES / name, reference_dir) == []


def test_schemas_are_cached(reference_dir):
    assert load_schema(reference_dir, "UBL-ContractNotice-2.3.xsd") is load_schema(
        reference_dir, "UBL-ContractNotice-2.3.xsd"
    )


def test_contract_notice_with_two_lots(reference_dir):
    summary = parse_notice(FIXTURES / "contract_16.xml", reference_dir=reference_dir)
    assert summary.notice_id == "a1b2c3d4-0000-4000-8000-000000000016"
    assert (summary.kind, summary.subtype) == ("contract", "16")
    assert summary.buyer_name == "Département de la Côte-d'Or"
    assert summary.buyer_id == "22210001300013"  # spaces of "222 100 013 00013" removed
    assert summary.nature == "supplies"
    assert summary.cpv_main == "34927100"
    assert summary.cpv_additional == ("14410000",)
    assert summary.nuts == ("FRC11", "FRC13")
    # The earliest of the two lot deadlines, with its offset.
    assert summary.deadline == datetime(2025, 4, 8, 16, 30, tzinfo=CEST)
    assert summary.publication_date == date(2025, 3, 6)
    # No overall value: the sum of the lots' values.
    assert summary.estimated_value == Decimal("300000")
    assert summary.currency == "EUR"
    assert summary.lots == (("LOT-0001", "Sel – secteur nord"), ("LOT-0002", "Sel – secteur sud"))
    assert summary.legal_basis == "32014L0024"
    assert summary.warnings == ()


def test_award_notice():
    summary = parse_notice(FIXTURES / "award_29.xml")
    assert (summary.kind, summary.subtype) == ("award", "29")
    assert summary.buyer_id == "222100013"  # a SIREN
    assert summary.awarded_value == Decimal("291450.00")
    assert summary.winners == ("Salins de l'Est SAS",)  # lot 2 closed without a winner
    assert summary.lots == (("LOT-0001", "Sel – secteur nord"), ("LOT-0002", "Sel – secteur sud"))
    assert summary.estimated_value is None
    assert summary.deadline is None


def test_prior_information_notice():
    summary = parse_notice(FIXTURES / "pin_4.xml")
    assert (summary.kind, summary.subtype, summary.notice_type) == ("prior", "4", "pin-only")
    assert summary.procedure_code is None
    assert summary.nature == "works"
    assert summary.lots == (("PAR-0001", "Entretien des chaussées"),)
    assert summary.estimated_value == Decimal("2400000")
    assert summary.nuts == ("FRC11",)


def test_change_notice_cancelling_a_notice():
    summary = parse_notice(FIXTURES / "change_cancel.xml")
    assert summary.kind == "change"
    assert summary.cancelled is True
    assert summary.changed_notice_id == "a1b2c3d4-0000-4000-8000-000000000016"
    assert summary.changed_notice_version == "01"
    assert summary.subtype == "16"


def test_below_threshold_e3_notice():
    summary = parse_notice(FIXTURES / "contract_E3.xml")
    assert (summary.kind, summary.subtype) == ("contract", "E3")
    assert summary.legal_basis is None
    assert summary.procedure_code == "oth-single"
    assert summary.deadline == datetime(2025, 3, 28, 10, 0, tzinfo=UTC)
    assert summary.estimated_value == Decimal("60000")


def test_accepts_a_binary_stream():
    with (FIXTURES / "contract_16.xml").open("rb") as stream:
        assert parse_notice(stream).subtype == "16"


MINIMAL = b"""<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
 <cbc:ID>x-1</cbc:ID>
 <cac:ProcurementProjectLot><cbc:ID schemeName="Lot">LOT-0001</cbc:ID>
  <cac:TenderingProcess><cac:TenderSubmissionDeadlinePeriod>
   <cbc:EndDate>2025-02-10</cbc:EndDate>
  </cac:TenderSubmissionDeadlinePeriod></cac:TenderingProcess>
 </cac:ProcurementProjectLot>
</ContractNotice>"""


def test_lenient_on_missing_parts_with_french_warnings():
    summary = parse_notice(MINIMAL)
    assert summary.notice_id == "x-1"
    assert summary.title is None and summary.buyer_name is None and summary.subtype is None
    assert summary.lots == (("LOT-0001", None),)
    # No time and no offset: end of day, Paris time, and both are said.
    assert summary.deadline.isoformat() == "2025-02-10T23:59:59+01:00"
    text = " ".join(summary.warnings)
    assert "Sous-type d'avis absent" in text
    assert "Heure absente" in text and "heure de Paris" in text
    assert "Version du SDK eForms non reconnue" in text


def test_reference_dir_makes_the_parser_strict(reference_dir):
    with pytest.raises(NoticeSchemaError, match="n'est pas conforme au schéma eForms"):
        parse_notice(MINIMAL, reference_dir=reference_dir)


def test_streams_and_bytesio_are_equivalent():
    data = (FIXTURES / "award_29.xml").read_bytes()
    assert parse_notice(io.BytesIO(data)) == parse_notice(data)
