"""Validation against the ESPD-EDM v4.1.0 XSD: readable errors, local files only."""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from territoires.interop.espd.build import build_espd_response
from territoires.interop.espd.errors import EspdSchemaError
from territoires.interop.espd.namespaces import NS
from territoires.interop.espd.parse import parse_espd_response
from territoires.interop.espd.schema import espd_schema_errors, load_espd_schema, validate_espd


def test_removed_mandatory_element_is_reported_readably(response_data, reference_dir):
    root = etree.fromstring(build_espd_response(response_data))  # noqa: S320 (our own output)
    root.remove(root.find("cac:EconomicOperatorParty", NS))
    xml = etree.tostring(root)
    errors = espd_schema_errors(xml, reference_dir)
    assert len(errors) == 1
    assert errors[0].startswith("ligne ")
    assert "EconomicOperatorParty" in errors[0]
    with pytest.raises(EspdSchemaError) as raised:
        validate_espd(xml, reference_dir)
    assert str(raised.value).startswith("Le DUME n'est pas conforme au schéma ESPD (1 erreur(s)) :\n- ligne ")
    assert raised.value.errors == errors


def test_wrong_value_type_is_reported(response_data, reference_dir):
    xml = build_espd_response(response_data).replace(b"<cbc:IssueDate>2025-04-01<", b"<cbc:IssueDate>1er avril<")
    (error,) = espd_schema_errors(xml, reference_dir)
    assert "IssueDate" in error and "1er avril" in error


def test_schema_folder_may_be_given_at_any_level(response_data, reference_dir):
    xml = build_espd_response(response_data)
    for folder in (reference_dir, reference_dir / "marches", reference_dir / "marches" / "espd",
                   reference_dir / "marches" / "espd" / "xsd"):
        assert espd_schema_errors(xml, folder) == []
    assert load_espd_schema(reference_dir, "request") is not None


def test_missing_schema_folder(response_data, tmp_path):
    with pytest.raises(FileNotFoundError, match="Schémas ESPD introuvables"):
        espd_schema_errors(build_espd_response(response_data), tmp_path)


# Any printable text (XML 1.0 characters, markup characters included) in names and addresses.
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<&>\"'\t\n"),
                min_size=1, max_size=60).filter(lambda s: s.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_TEXT, street=_TEXT, city=_TEXT, contact=_TEXT, description=_TEXT)
def test_any_names_and_addresses_give_valid_xml(response_data, reference_dir, name, street, city, contact,
                                                 description):
    from territoires.interop.espd.data import ExclusionAnswer

    data = replace(
        response_data,
        operator=replace(response_data.operator, name=name, street=street, city=city, contact_name=contact),
        procedure=replace(response_data.procedure, buyer_name=name, title=street),
        exclusions=(ExclusionAnswer("fraud", breached=True, description=description),),
    )
    xml = build_espd_response(data)
    assert espd_schema_errors(xml, reference_dir) == []
    summary = parse_espd_response(xml)
    assert summary.operator_name == name.strip()
    assert summary.buyer_name == name.strip()
    (fraud,) = [e for e in summary.exclusions if e.code == "fraud"]
    assert fraud.description == description.strip()
