"""Reading a DUME back: our own (round trip) and other producers' (lenient)."""

from dataclasses import replace
from decimal import Decimal

import pytest

from territoires.interop.espd import criteria as C
from territoires.interop.espd.build import build_espd_request, build_espd_response
from territoires.interop.espd.data import Turnover
from territoires.interop.espd.errors import EspdError, EspdSchemaError
from territoires.interop.espd.parse import parse_espd_response


def test_round_trip(breached_data, reference_dir):
    summary = parse_espd_response(build_espd_response(breached_data), reference_dir=reference_dir)
    assert summary.id == "DUME-2025-000123"
    assert summary.uuid == breached_data.uuid
    assert summary.profile == "ESPD-EDMv4.1.0"
    assert summary.buyer_name == "Commune de Beaune"
    assert summary.operator_name == "Bâtiments de Bourgogne SARL"
    assert summary.siret == "12345678900011"
    assert summary.vat_number == "FR32123456789"
    assert summary.size == "small"
    assert summary.email == "contact@bb.example"
    assert summary.all_selection_criteria_satisfied is True
    assert summary.lots == ("LOT-0001", "LOT-0002")
    assert summary.turnovers == (Turnover(2024, Decimal("1350000.50")), Turnover(2023, Decimal("1200000.00")))
    assert summary.warnings == ()
    by_code = {e.code: e for e in summary.exclusions}
    assert set(by_code) == {c.code for c in C.EXCLUSION_GROUNDS}
    assert by_code["crime-org"].breached is True
    assert by_code["crime-org"].description == "Condamnation d'un ancien gérant en 2021."
    assert by_code["crime-org"].criterion_id == "005eb9ed-1347-4ca3-bb29-9bc0db64e1ab"
    assert by_code["tax-pay"].breached is True
    assert by_code["tax-pay"].description == "Retard de TVA du 2e trimestre 2024."
    assert by_code["tax-pay"].measures == "Plan de règlement accordé par le SIE le 3 février 2025."
    assert by_code["fraud"].breached is False and by_code["fraud"].description is None


def test_round_trip_without_turnover_nor_alpha(response_data):
    data = replace(response_data, all_selection_criteria_satisfied=False,
                   operator=replace(response_data.operator, turnovers=()))
    summary = parse_espd_response(build_espd_response(data))
    assert summary.turnovers == ()
    assert summary.all_selection_criteria_satisfied is False
    assert all(e.breached is False for e in summary.exclusions)


def test_request_is_not_a_response(response_data):
    xml = build_espd_request(id_="REQ-1", uuid_="5d1c2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
                             issued_at=response_data.issued_at, procedure=response_data.procedure)
    with pytest.raises(EspdError, match="demande de DUME"):
        parse_espd_response(xml)


def test_invalid_document_is_refused_when_validating(response_data, reference_dir):
    xml = build_espd_response(response_data).replace(b"<cbc:IssueDate>2025-04-01</cbc:IssueDate>", b"")
    parse_espd_response(xml)  # lenient without reference_dir
    with pytest.raises(EspdSchemaError, match="IssueDate"):
        parse_espd_response(xml, reference_dir=reference_dir)


# An ESPD 2.1.1 style response from another tool: UUID property identifiers, no French paths.
FOREIGN = b"""<?xml version="1.0" encoding="UTF-8"?>
<QualificationApplicationResponse xmlns="urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:ProfileExecutionID>ESPD-EDMv2.1.1-BASIC</cbc:ProfileExecutionID>
  <cbc:ID>ESPDRESP-42</cbc:ID>
  <cbc:ContractFolderID>PP-42</cbc:ContractFolderID>
  <cbc:IssueDate>2020-02-30</cbc:IssueDate>
  <cac:ContractingParty><cac:Party><cac:PartyName><cbc:Name>Ville de Dole</cbc:Name></cac:PartyName></cac:Party></cac:ContractingParty>
  <cac:EconomicOperatorParty><cac:Party>
    <cac:PartyIdentification><cbc:ID schemeAgencyID="FR">98765432100017</cbc:ID></cac:PartyIdentification>
    <cac:PartyName><cbc:Name>Menuiserie Jurassienne</cbc:Name></cac:PartyName>
  </cac:Party></cac:EconomicOperatorParty>
  <cac:TenderingCriterion>
    <cbc:ID>297d2323-3ede-424e-94bc-a91561e6f320</cbc:ID>
    <cbc:CriterionTypeCode>CRITERION.EXCLUSION.CONVICTIONS.FRAUD</cbc:CriterionTypeCode>
    <cbc:Name>Fraud</cbc:Name>
    <cac:TenderingCriterionPropertyGroup>
      <cbc:ID>7c637c0c-7703-4389-ba52-02997a055bd7</cbc:ID>
      <cac:TenderingCriterionProperty><cbc:ID>a1</cbc:ID><cbc:TypeCode>QUESTION</cbc:TypeCode><cbc:ValueDataTypeCode>INDICATOR</cbc:ValueDataTypeCode></cac:TenderingCriterionProperty>
      <cac:SubsidiaryTenderingCriterionPropertyGroup>
        <cbc:ID>g2</cbc:ID>
        <cac:TenderingCriterionProperty><cbc:ID>a2</cbc:ID><cbc:TypeCode>QUESTION</cbc:TypeCode><cbc:ValueDataTypeCode>DATE</cbc:ValueDataTypeCode></cac:TenderingCriterionProperty>
        <cac:TenderingCriterionProperty><cbc:ID>a3</cbc:ID><cbc:TypeCode>QUESTION</cbc:TypeCode><cbc:ValueDataTypeCode>DESCRIPTION</cbc:ValueDataTypeCode></cac:TenderingCriterionProperty>
      </cac:SubsidiaryTenderingCriterionPropertyGroup>
    </cac:TenderingCriterionPropertyGroup>
  </cac:TenderingCriterion>
  <cac:TenderingCriterion>
    <cbc:ID>d3732c09-7d62-4edc-a172-241da6636e7c</cbc:ID>
    <cac:TenderingCriterionPropertyGroup><cbc:ID>g3</cbc:ID>
      <cac:TenderingCriterionProperty><cbc:ID>b1</cbc:ID><cbc:TypeCode>QUESTION</cbc:TypeCode><cbc:ValueDataTypeCode>INDICATOR</cbc:ValueDataTypeCode></cac:TenderingCriterionProperty>
    </cac:TenderingCriterionPropertyGroup>
  </cac:TenderingCriterion>
  <cac:TenderingCriterion>
    <cbc:ID>f4dc58dd-af45-4602-a4c8-3dca30fac082</cbc:ID>
    <cac:TenderingCriterionPropertyGroup><cbc:ID>g4</cbc:ID>
      <cac:TenderingCriterionProperty><cbc:ID>c1</cbc:ID><cbc:TypeCode>QUESTION</cbc:TypeCode><cbc:ValueDataTypeCode>INDICATOR</cbc:ValueDataTypeCode></cac:TenderingCriterionProperty>
    </cac:TenderingCriterionPropertyGroup>
  </cac:TenderingCriterion>
  <cac:TenderingCriterionResponse><cbc:ValidatedCriterionPropertyID>a1</cbc:ValidatedCriterionPropertyID>
    <cac:ResponseValue><cbc:ResponseIndicator>true</cbc:ResponseIndicator></cac:ResponseValue></cac:TenderingCriterionResponse>
  <cac:TenderingCriterionResponse><cbc:ValidatedCriterionPropertyID>a3</cbc:ValidatedCriterionPropertyID>
    <cac:ResponseValue><cbc:Description>Fraude fiscale, 2019</cbc:Description></cac:ResponseValue></cac:TenderingCriterionResponse>
  <cac:TenderingCriterionResponse><cbc:ValidatedCriterionPropertyID>c1</cbc:ValidatedCriterionPropertyID>
    <cac:ResponseValue><cbc:ResponseIndicator>true</cbc:ResponseIndicator></cac:ResponseValue></cac:TenderingCriterionResponse>
</QualificationApplicationResponse>"""


def test_other_producers_are_read_leniently():
    summary = parse_espd_response(FOREIGN)
    assert summary.operator_name == "Menuiserie Jurassienne"
    assert summary.siret == "98765432100017"
    assert summary.issue_date is None
    assert summary.all_selection_criteria_satisfied is True
    fraud, bankruptcy = summary.exclusions
    assert (fraud.code, fraud.breached, fraud.description) == (
        "CRITERION.EXCLUSION.CONVICTIONS.FRAUD", True, "Fraude fiscale, 2019")
    assert bankruptcy.criterion_id == "d3732c09-7d62-4edc-a172-241da6636e7c"
    assert bankruptcy.breached is None
    assert any("Date d'émission illisible" in w for w in summary.warnings)
    assert any("sans réponse" in w for w in summary.warnings)
