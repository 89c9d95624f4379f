"""Identifiers and names, checked against the examples of the domain notes."""

from datetime import date

import pytest

from territoires.interop.actes import codes
from territoires.interop.actes.naming import (
    anomaly_envelope_name,
    archive_name,
    classification_stem,
    departement_error,
    envelope_name,
    file_name_error,
    id_acte,
    matiere_codes_error,
    message_file_name,
    numero_interne_error,
    objet_error,
    pad_departement,
    parse_id_acte,
    prefecture_envelope_name,
)


def test_archive_name_matches_s2low_and_stela_examples():
    assert archive_name("SLO", "214502494", date(2017, 7, 17), 5) == "SLO-EACT--214502494--20170717-5.tar.gz"
    assert archive_name("SIC", "210600730", date(2018, 1, 15), 1) == "SIC-EACT--210600730--20180115-1.tar.gz"


def test_archive_name_test_platform_and_large_counter():
    assert archive_name("SLO", "214502494", date(2017, 7, 17), 123456, test=True) == (
        "SLO-TACT--214502494--20170717-123456.tar.gz"
    )


def test_envelope_names():
    assert envelope_name("214502494", date(2017, 7, 17), 5) == "EACT--214502494--20170717-5.xml"
    assert envelope_name("214502494", date(2017, 7, 17), 5, test=True) == "TACT--214502494--20170717-5.xml"
    assert prefecture_envelope_name("44", 1, "214400152", date(2018, 10, 12), 9) == (
        "EACT--SPREF0441-214400152-20181012-9.xml"
    )
    assert prefecture_envelope_name("01", 1, "214400152", date(2018, 10, 12), 9, test=True).startswith(
        "TACT--SPREF0011-"
    )
    assert anomaly_envelope_name("EACT--214502494--20170717-5.xml") == "ANO_EACT--214502494--20170717-5.xml"


def test_id_acte_matches_examples():
    assert id_acte("34", "491011698", date(2017, 12, 7), "CL20171227_06", "DE") == (
        "034-491011698-20171207-CL20171227_06-DE"
    )
    assert id_acte("045", "214502494", date(2017, 7, 17), "D201717", "DE") == (
        "045-214502494-20170717-D201717-DE"
    )


def test_id_acte_uses_calendar_year_not_week_year():
    # 2018-12-31 belongs to ISO week 1 of 2019: STELA's YYYY bug would write 2019.
    assert id_acte("21", "212100011", date(2018, 12, 31), "A1", "AI") == "021-212100011-20181231-A1-AI"


@pytest.mark.parametrize(
    ("given", "padded"),
    [("21", "021"), ("021", "021"), ("2A", "02A"), ("2b", "02B"), ("971", "971"), ("1", "001"), ("988", "988")],
)
def test_departement_padding(given, padded):
    assert pad_departement(given) == padded


@pytest.mark.parametrize("bad", ["", "ABC", "1234", "2C", "301", "x1"])
def test_departement_errors_are_french(bad):
    assert "département" in departement_error(bad)
    with pytest.raises(ValueError, match="département"):
        pad_departement(bad)


def test_parse_id_acte_round_trip():
    parts = parse_id_acte("02A-214502494-20170717-D201717-AR")
    assert parts.departement == "02A"
    assert parts.siren == "214502494"
    assert parts.decision_date == date(2017, 7, 17)
    assert parts.numero_interne == "D201717"
    assert parts.nature_abbr == "AR"
    assert parse_id_acte("not an id") is None


def test_message_file_names_match_examples():
    stem = "045-214502494-20170717-D201717-DE"
    assert message_file_name(stem, "1-1", 0, "xml") == "045-214502494-20170717-D201717-DE-1-1_0.xml"
    assert message_file_name("006-210600235-20180522-684-AI", "1-1", 1, "pdf", typology="99_DE") == (
        "99_DE-006-210600235-20180522-684-AI-1-1_1.pdf"
    )
    assert message_file_name("034-491011698-20171207-CL20171227_06-DE", "1-1", 1, ".pdf", "32_DP") == (
        "32_DP-034-491011698-20171207-CL20171227_06-DE-1-1_1.pdf"
    )


def test_classification_file_name():
    stem = classification_stem("44", "214400152")
    assert message_file_name(stem, "7-1", 0, "xml") == "044-214400152----7-1_0.xml"


def test_message_file_name_refusals():
    with pytest.raises(ValueError, match="typologie"):
        message_file_name("x", "1-1", 0, "xml", typology="99_DE")
    with pytest.raises(ValueError, match="inconnu"):
        message_file_name("x", "8-1", 0, "xml")
    with pytest.raises(ValueError, match="typologie"):
        message_file_name("x", "1-1", 1, "pdf", typology="DE")


@pytest.mark.parametrize("good", ["D201717", "CL20171227_06", "A", "123456789012345", "DEL_2026_1"])
def test_numero_interne_accepted(good):
    assert numero_interne_error(good) is None


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ("", "obligatoire"),
        ("1234567890123456", "15 caractères"),
        ("2026-01", "majuscules"),
        ("DEL 1", "majuscules"),
        ("del1", "majuscules"),
        ("DÉL1", "majuscules"),
        ("A/1", "majuscules"),
    ],
)
def test_numero_interne_errors(bad, fragment):
    assert fragment in numero_interne_error(bad)


def test_id_acte_refuses_bad_numero():
    with pytest.raises(ValueError, match="numéro interne"):
        id_acte("21", "212100011", date(2026, 1, 1), "2026-01", "DE")


def test_other_input_checks():
    assert objet_error("x" * 500) is None
    assert "500" in objet_error("x" * 501)
    assert "contrôle" in objet_error("a\x0bb")
    assert matiere_codes_error((7, 1)) is None
    assert "niveau 2" in matiere_codes_error((7,))
    assert "5 niveaux" in matiere_codes_error((1, 1, 1, 1, 1, 1))
    assert file_name_error("99_DE-045-214502494-20170717-D201717-DE-1-1_1.pdf") is None
    assert file_name_error("délibération.pdf") is not None


def test_message_type_table_covers_the_domain_codes():
    expected = {
        "1-1": "Acte", "1-2": "ARActe", "1-3": "AnomalieActe", "2-1": "CourrierSimple",
        "2-2": "ReponseCourrierSimple", "3-1": "DemandePieceComplementaire",
        "3-2": "ARDemandePieceComplementaire", "3-3": "RefusPieceComplementaire",
        "3-4": "PieceComplementaire", "3-5": "ARPieceComplementaire", "4-1": "LettreObservations",
        "4-2": "ARLettreObservations", "4-3": "RejetLettreObservations",
        "4-4": "ReponseLettreObservations", "4-5": "ARReponseRejetLettreObservations",
        "5-1": "DefereTA", "6-1": "Annulation", "6-2": "ARAnnulation", "7-1": "DemandeClassification",
        "7-2": "RetourClassification", "7-3": "ReponseClassificationSansChangement",
    }
    assert {code: kind.root for code, kind in codes.BY_CODE.items()} == expected
    assert codes.BY_ROOT["AnomalieEnveloppe"].code is None
    assert codes.BY_ROOT["EnveloppeMISILLCL"].direction == codes.Direction.PREF_TO_CL
    assert codes.BY_CODE["7-1"].direction == codes.Direction.CL_TO_PREF


def test_natures_and_default_typologies():
    assert [(n.code, n.abbr) for n in codes.NATURES.values()] == [
        (1, "DE"), (2, "AR"), (3, "AI"), (4, "CC"), (5, "BF"), (6, "AU")
    ]
    assert [codes.default_typologies(c)[0] for c in codes.NATURES] == [
        "99_DE", "99_AR", "99_AI", "99_DC", "99_BU", "99_AU"
    ]
    assert all(codes.default_typologies(c)[1] == "99_SE" for c in codes.NATURES)
    assert codes.nature("BF").code == 5
    assert codes.nature("4").abbr == "CC"
    with pytest.raises(KeyError, match="inconnue"):
        codes.nature(9)
