"""Builders: what we send to TED must follow the XSD and read back unchanged."""

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest
from lxml import etree

from territoires.interop.eforms.build import build_award_notice, build_contract_notice
from territoires.interop.eforms.errors import NoticeError
from territoires.interop.eforms.namespaces import NS
from territoires.interop.eforms.parse import parse_notice
from territoires.interop.eforms.schema import schema_errors, validate_notice


def test_contract_notice_validates_against_xsd(contract_data, reference_dir):
    xml = build_contract_notice(contract_data)
    assert schema_errors(xml, reference_dir) == []


def test_contract_notice_header_follows_sdk(contract_data):
    root = etree.fromstring(build_contract_notice(contract_data))
    assert root.findtext("cbc:UBLVersionID", namespaces=NS) == "2.3"
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == "eforms-sdk-1.15"
    assert root.findtext("cbc:RegulatoryDomain", namespaces=NS) == "32014L0024"
    notice_type = root.find("cbc:NoticeTypeCode", NS)
    assert (notice_type.get("listName"), notice_type.text) == ("competition", "cn-standard")
    assert root.findtext("cbc:IssueDate", namespaces=NS) == "2025-03-03+01:00"
    assert root.findtext("cbc:IssueTime", namespaces=NS) == "10:30:00+01:00"
    deadline = root.find("cac:ProcurementProjectLot/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod", NS)
    assert deadline.findtext("cbc:EndDate", namespaces=NS) == "2025-04-14+02:00"  # summer time in April
    assert deadline.findtext("cbc:EndTime", namespaces=NS) == "12:00:00+02:00"


def test_contract_notice_round_trip(contract_data, reference_dir):
    summary = parse_notice(build_contract_notice(contract_data), reference_dir=reference_dir)
    assert summary.notice_id == contract_data.notice_id
    assert summary.contract_folder_id == contract_data.contract_folder_id
    assert summary.version == "01"
    assert (summary.kind, summary.subtype, summary.notice_type) == ("contract", "16", "cn-standard")
    assert summary.title == contract_data.title
    assert summary.description == contract_data.description
    assert summary.buyer_name == "Commune de Beaune"
    assert summary.buyer_id == "21210054000019"
    assert summary.procedure_code == "open"
    assert summary.nature == "works"
    assert summary.cpv_main == "45000000"
    assert summary.cpv_additional == ("45300000",)
    assert summary.nuts == ("FRC11", "FRC14")
    assert summary.deadline == contract_data.lots[0].deadline  # the earliest lot deadline
    assert summary.deadline.utcoffset() is not None
    assert summary.estimated_value == Decimal("850000.00")
    assert summary.currency == "EUR"
    assert summary.lots == (("LOT-0001", "Isolation"), ("LOT-0002", "Menuiseries"))
    assert summary.language == "FRA"
    assert summary.issue_date.isoformat() == "2025-03-03"
    assert summary.publication_date is None
    assert (summary.changed_notice_id, summary.cancelled) == (None, False)
    assert summary.warnings == ()


def test_build_is_deterministic(contract_data):
    assert build_contract_notice(contract_data) == build_contract_notice(contract_data)


def test_award_notice_validates_and_round_trips(award_data, reference_dir):
    xml = build_award_notice(award_data)
    validate_notice(xml, reference_dir)
    summary = parse_notice(xml, reference_dir=reference_dir)
    assert (summary.kind, summary.subtype, summary.notice_type) == ("award", "29", "can-standard")
    assert summary.notice_id == award_data.notice_id
    assert summary.awarded_value == Decimal("482300.50")
    assert summary.winners == ("Bâtiments de Bourgogne SARL",)
    assert summary.lots == (("LOT-0001", "Isolation"),)
    assert summary.buyer_id == "21210054000019"
    assert summary.deadline is None


def test_lot_without_deadline_is_refused(contract_data):
    lot = dataclasses.replace(contract_data.lots[0], deadline=None)
    data = dataclasses.replace(contract_data, lots=(lot,))
    with pytest.raises(NoticeError, match="n'a pas de date limite"):
        build_contract_notice(data)


def test_naive_deadline_is_refused(contract_data):
    lot = dataclasses.replace(contract_data.lots[0], deadline=datetime(2025, 4, 14, 12, 0))  # noqa: DTZ001
    data = dataclasses.replace(contract_data, lots=(lot,))
    with pytest.raises(NoticeError, match="fuseau horaire"):
        build_contract_notice(data)


def test_unknown_nature_is_refused(contract_data):
    with pytest.raises(NoticeError, match="Nature du marché inconnue"):
        build_contract_notice(dataclasses.replace(contract_data, nature="travaux"))


def test_duplicate_lot_ids_are_refused(contract_data):
    data = dataclasses.replace(contract_data, lots=(contract_data.lots[0], contract_data.lots[0]))
    with pytest.raises(NoticeError, match="même identifiant"):
        build_contract_notice(data)


def test_award_for_unknown_lot_is_refused(award_data):
    award = dataclasses.replace(award_data.awards[0], lot_id="LOT-0099")
    with pytest.raises(NoticeError, match="lot inconnu"):
        build_award_notice(dataclasses.replace(award_data, awards=(award,)))


def test_award_notice_without_award_is_refused(award_data):
    with pytest.raises(NoticeError, match="au moins une attribution"):
        build_award_notice(dataclasses.replace(award_data, awards=()))
