"""Hostile and broken input: always a French NoticeError, never a crash or a big allocation."""

import io
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from territoires.interop.eforms.errors import NoticeError, NoticeXMLError
from territoires.interop.eforms.parse import parse_notice
from territoires.interop.eforms.schema import MAX_NOTICE_BYTES, validate_notice
from tests.hostile_xml import CONTRACT_NOTICE, billion_laughs, xxe

XXE = xxe(*CONTRACT_NOTICE)
LAUGHS = billion_laughs(*CONTRACT_NOTICE)

def test_xxe_is_refused():
    with pytest.raises(NoticeXMLError, match="DOCTYPE refusée"):
        parse_notice(XXE)


def test_billion_laughs_is_refused():
    with pytest.raises(NoticeXMLError, match="DOCTYPE refusée"):
        parse_notice(LAUGHS)


def test_xxe_is_refused_by_validation_too(reference_dir):
    with pytest.raises(NoticeXMLError, match="DOCTYPE refusée"):
        validate_notice(XXE, reference_dir)


def test_truncated_file_is_refused(contract_data):
    from territoires.interop.eforms.build import build_contract_notice

    xml = build_contract_notice(contract_data)
    with pytest.raises(NoticeXMLError, match="XML mal formé ou tronqué"):
        parse_notice(xml[: len(xml) // 2])


def test_wrong_namespace_is_refused():
    xml = b'<ContractNotice xmlns="urn:example:not-ubl"><ID>1</ID></ContractNotice>'
    with pytest.raises(NoticeError, match="n'est pas un avis eForms.*urn:example:not-ubl"):
        parse_notice(xml)


def test_other_root_is_refused():
    with pytest.raises(NoticeError, match="élément racine « TED_EXPORT »"):
        parse_notice(b"<TED_EXPORT/>")


def test_empty_and_text_input_are_refused():
    with pytest.raises(NoticeXMLError, match="vide"):
        parse_notice(b"  \n")
    with pytest.raises(NoticeXMLError, match="en octets"):
        parse_notice("<ContractNotice/>")
    with pytest.raises(NoticeXMLError, match="en octets"):
        parse_notice(12)


def test_missing_file_is_a_french_error(tmp_path):
    with pytest.raises(NoticeXMLError, match="Fichier illisible"):
        parse_notice(tmp_path / "absent.xml")


def test_oversize_bytes_are_refused_before_parsing():
    with pytest.raises(NoticeXMLError, match="trop volumineux"):
        parse_notice(b"<a/>" + b" " * 100, max_bytes=50)


def test_oversize_sparse_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB announced, nothing written
    tracemalloc.start()
    try:
        with pytest.raises(NoticeXMLError, match=r"trop volumineux \(209715200 octets"):
            parse_notice(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


class EndlessStream(io.RawIOBase):
    """A 200 MB upload that only exists as a counter."""

    def __init__(self, size: int):
        self.remaining = size
        self.served = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.remaining)
        buffer[:n] = b" " * n
        self.remaining -= n
        self.served += n
        return n


def test_oversize_stream_is_abandoned_at_the_limit():
    stream = EndlessStream(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(NoticeXMLError, match="trop volumineux"):
            parse_notice(stream)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stream.served <= MAX_NOTICE_BYTES + 1024 * 1024  # stopped at the limit, not read to the end
    assert peak < MAX_NOTICE_BYTES + 4 * 1024 * 1024


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash(data):
    try:
        parse_notice(data)
    except NoticeError as exc:
        assert str(exc)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=200))
def test_any_truncation_of_a_fixture_is_a_notice_error(cut):
    from pathlib import Path

    data = (Path(__file__).parent / "fixtures" / "award_29.xml").read_bytes()
    try:
        parse_notice(data[: len(data) * cut // 201])
    except NoticeError as exc:
        assert str(exc)
