"""Hostile and broken input: always a French EspdError, never a crash or an expansion."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoires.interop.espd.errors import EspdError, EspdXMLError
from territoires.interop.espd.parse import parse_espd_response
from territoires.interop.espd.schema import espd_schema_errors, validate_espd
from tests.hostile_xml import ESPD_RESPONSE, billion_laughs, external_dtd, xxe

XXE = xxe(*ESPD_RESPONSE)
LAUGHS = billion_laughs(*ESPD_RESPONSE)
EXTERNAL_DTD = external_dtd(*ESPD_RESPONSE)

@pytest.mark.parametrize("xml", [XXE, LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"])
def test_doctype_is_refused(xml, reference_dir):
    with pytest.raises(EspdXMLError, match="DOCTYPE refusée"):
        parse_espd_response(xml)
    with pytest.raises(EspdXMLError, match="DOCTYPE refusée"):
        validate_espd(xml, reference_dir)
    with pytest.raises(EspdXMLError, match="DOCTYPE refusée"):
        espd_schema_errors(xml, reference_dir)


def test_truncated_file_is_refused(response_data):
    from territoires.interop.espd.build import build_espd_response

    xml = build_espd_response(response_data)
    with pytest.raises(EspdXMLError, match="XML mal formé ou tronqué"):
        parse_espd_response(xml[: len(xml) // 2])


def test_other_documents_are_refused():
    with pytest.raises(EspdError, match="n'est pas un DUME.*urn:example:not-ubl"):
        parse_espd_response(b'<QualificationApplicationResponse xmlns="urn:example:not-ubl"/>')
    with pytest.raises(EspdError, match="élément racine « ContractNotice »"):
        parse_espd_response(b'<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"/>')


def test_empty_text_and_oversized_input_are_refused():
    with pytest.raises(EspdXMLError, match="vide"):
        parse_espd_response(b"  \n")
    with pytest.raises(EspdXMLError, match="pas en texte"):
        parse_espd_response("<QualificationApplicationResponse/>")
    with pytest.raises(EspdXMLError, match="trop volumineux"):
        parse_espd_response(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    with pytest.raises(EspdXMLError, match="trop volumineux"):
        parse_espd_response(io.BytesIO(b"<a>" + b"x" * 2000 + b"</a>"), max_bytes=1000)


def test_unreadable_path_is_a_french_error(tmp_path):
    with pytest.raises(EspdXMLError, match="Fichier illisible"):
        parse_espd_response(tmp_path / "absent.xml")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    try:
        parse_espd_response(data)
    except EspdError as exc:
        assert str(exc)
