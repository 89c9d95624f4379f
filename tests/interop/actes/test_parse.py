"""Every fixture parses to the right message; lenient cases warn instead of failing."""

from datetime import date

import pytest

from territoires.interop import actes as a
from territoires.interop.actes.errors import ActesParseError
from tests.interop.actes.conftest import FIXTURES, fixture_bytes
from tests.interop.actes.samples import ACTE, ALL_BUILDERS, ENVELOPE, ID_ACTE

ID1 = "021-212100011-20261102-DEL2026_01-DE"

# file → (root, code, id_acte, {field: expected})
EXPECTED = {
    f"{ID1}-1-2_0.xml": ("ARActe", "1-2", ID1, {
        "date_reception": date(2026, 11, 3), "decision_date": date(2026, 11, 2), "nature": 1,
        "numero_interne": "DEL2026_01", "matiere_codes": (7, 1), "document_papier": False,
        "classification_date": date(2025, 1, 15), "siren": "212100011", "departement": "021",
    }),
    "021-212100011-20261102-DEL2026_02-DE-1-3_0.xml": (
        "AnomalieActe", "1-3", "021-212100011-20261102-DEL2026_02-DE", {
            "date_anomalie": date(2026, 11, 3), "nature": 1, "classification_date": date(2025, 1, 15),
            "numero_interne": "DEL2026_02",
        }),
    "ANO_EACT--212100011--20261102-3.xml": ("AnomalieEnveloppe", None, None, {
        "date_anomalie": date(2026, 11, 2), "nature": 2, "siren": "212100011", "departement": "021",
        "files": ["021-212100011-20261102-DEL2026_04-DE-1-1_0.xml"],
    }),
    f"{ID1}-2-1_0.xml": ("CourrierSimple", "2-1", ID1, {
        "date_courrier_pref": date(2026, 11, 20), "files": [f"{ID1}-2-1_1.pdf"],
    }),
    f"{ID1}-3-1_0.xml": ("DemandePieceComplementaire", "3-1", ID1, {
        "date_courrier_pref": date(2026, 11, 20), "files": [f"{ID1}-3-1_1.pdf"],
    }),
    f"{ID1}-3-5_0.xml": ("ARPieceComplementaire", "3-5", ID1, {
        "date_reception": date(2026, 12, 2), "date_courrier_pref": date(2026, 11, 20),
    }),
    f"{ID1}-4-1_0.xml": ("LettreObservations", "4-1", ID1, {"date_courrier_pref": date(2026, 12, 10)}),
    f"{ID1}-4-5_0.xml": ("ARReponseRejetLettreObservations", "4-5", ID1, {
        "date_reception": date(2027, 1, 5), "date_courrier_pref": date(2026, 12, 10),
    }),
    f"{ID1}-5-1_0.xml": ("DefereTA", "5-1", ID1, {"date_depot": date(2027, 1, 12), "files": [f"{ID1}-5-1_1.pdf"]}),
    "021-212100011-20261105-ARR2026_17-AI-6-2_0.xml": (
        "ARAnnulation", "6-2", "021-212100011-20261105-ARR2026_17-AI", {"date_reception": date(2026, 11, 6)}),
    "021-212100011----7-2_0.xml": ("RetourClassification", "7-2", None, {
        "classification_date": date(2025, 1, 15), "siren": "212100011", "departement": "021",
    }),
    "021-212100011----7-3_0.xml": ("ReponseClassificationSansChangement", "7-3", None, {
        "classification_date": date(2025, 1, 15), "siren": "212100011",
    }),
    "EACT--SPREF0211-212100011-20261103-1.xml": ("EnveloppeMISILLCL", None, None, {
        "siren": "212100011", "departement": "021", "files": [f"{ID1}-1-2_0.xml"],
    }),
    "034-491011698-20171207-CL20171227_06-DE-1-1_0.xml": (
        "Acte", "1-1", "034-491011698-20171207-CL20171227_06-DE", {
            "decision_date": date(2017, 12, 7), "document_papier": None, "matiere_codes": (5, 2),
        }),
    "ANO_EACT--212100011--20261102-4.xml": ("AnomalieEnveloppe", None, None, {"nature": 999}),
    "021-212100011-20261102-DEL2026_03-DE-1-2_0.xml": (
        "ARActe", "1-2", "021-212100011-20261102-DEL2026_03-DE", {"date_reception": date(2026, 11, 4)}),
}
LENIENT = {
    "034-491011698-20171207-CL20171227_06-DE-1-1_0.xml": "DocumentPapier absent",
    "ANO_EACT--212100011--20261102-4.xml": "Nature d'anomalie 999 absente du schéma",
    "021-212100011-20261102-DEL2026_03-DE-1-2_0.xml": "encodé en UTF-8",
}


def test_every_fixture_is_listed():
    assert {path.name for path in FIXTURES.glob("*.xml")} == set(EXPECTED)


def test_one_fixture_per_received_message_type():
    roots = {root for root, *_ in EXPECTED.values()}
    for code in ("1-2", "1-3", "2-1", "3-1", "3-5", "4-1", "4-5", "5-1", "6-2", "7-2", "7-3"):
        assert a.BY_CODE[code].root in roots
    assert {"AnomalieEnveloppe", "EnveloppeMISILLCL"} <= roots


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_parses(name, reference_dir):
    root, code, id_acte, fields = EXPECTED[name]
    message = a.parse_message(fixture_bytes(name), name, reference_dir=reference_dir)
    assert (message.root, message.code, message.id_acte) == (root, code, id_acte)
    for field, value in fields.items():
        assert getattr(message, field) == value, field
    assert message.file == name


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - set(LENIENT)))
def test_valid_fixtures_are_valid_and_warning_free(name, reference_dir):
    a.validate(fixture_bytes(name), reference_dir)
    assert a.parse_message(fixture_bytes(name), name, reference_dir=reference_dir).warnings == []


@pytest.mark.parametrize("name", sorted(LENIENT))
def test_lenient_cases_warn(name, reference_dir):
    message = a.parse_message(fixture_bytes(name), name, reference_dir=reference_dir)
    assert any(LENIENT[name] in warning for warning in message.warnings), message.warnings


def test_schema_deviations_become_warnings_only_with_a_schema(reference_dir):
    name = "034-491011698-20171207-CL20171227_06-DE-1-1_0.xml"
    without = a.parse_message(fixture_bytes(name), name)
    with_schema = a.parse_message(fixture_bytes(name), name, reference_dir=reference_dir)
    assert not any(w.startswith("Schéma : ") for w in without.warnings)
    assert any(w.startswith("Schéma : ") and "DocumentPapier" in w for w in with_schema.warnings)
    assert with_schema.acte is not None and with_schema.acte.document_papier is None


def test_texts_with_accents_are_decoded():
    message = a.parse_message(fixture_bytes(f"{ID1}-3-1_0.xml"))
    assert message.description.startswith("Merci de transmettre la maquette budgétaire")
    utf8 = a.parse_message(fixture_bytes("021-212100011-20261102-DEL2026_03-DE-1-2_0.xml"))
    assert utf8.objet == "Création d'un poste d'adjoint technique – école"


def test_utf8_bytes_declared_as_latin1_are_read_as_utf8():
    xml = a.build_reponse_classification_sans_changement(date(2025, 1, 15)).replace(
        b"</actes:ReponseClassificationSansChangement>",
        b"<!-- \xc3\xa9t\xc3\xa9 --></actes:ReponseClassificationSansChangement>")
    message = a.parse_message(xml)
    assert any("relu en UTF-8" in w for w in message.warnings)


def test_anomaly_detail_and_classification_of_7_2():
    anomaly = a.parse_message(fixture_bytes("021-212100011-20261102-DEL2026_02-DE-1-3_0.xml"))
    assert anomaly.detail.startswith("ODT-VERIF-01 : L'acte utilise une date de classification")
    assert anomaly.acte.classification_date == date(2019, 8, 29)
    retour = a.parse_message(fixture_bytes("021-212100011----7-2_0.xml"))
    classification = retour.classification
    assert classification.date == date(2025, 1, 15)
    assert classification.codes() == ["1", "1.1", "1.1.1", "1.1.2", "1.1.2.1", "1.2", "3", "3.1",
                                      "5", "5.2", "7", "7.1", "7.10"]
    assert classification.matiere("1.1.2.1").label == "Travaux"
    assert classification.matiere("1.1.2.1").level == 4
    assert classification.typology_codes(4) == ["99_DC", "11_AE", "99_SE"]
    assert classification.nature(5).abbr == "BF"


def test_anomaly_without_file_name_has_no_id():
    message = a.parse_message(fixture_bytes("021-212100011-20261102-DEL2026_02-DE-1-3_0.xml"))
    assert message.id_acte is None
    assert message.acte.numero_interne == "DEL2026_02"


def test_unknown_root_is_an_error():
    with pytest.raises(ActesParseError, match="élément racine « Budget »"):
        a.parse_message(b'<?xml version="1.0" encoding="ISO-8859-1"?><Budget xmlns="http://www.minefi.gouv.fr/cp/demat/docbudgetaire"/>')


def test_unqualified_attributes_and_foreign_namespace_are_tolerated():
    xml = (b'<?xml version="1.0" encoding="ISO-8859-1"?>'
           b'<ARAnnulation xmlns="urn:other" IDActe="021-212100011-20261105-ARR2026_17-AI" DateReception="2026-11-06Z"/>')
    message = a.parse_message(xml)
    assert message.code == "6-2"
    assert message.date_reception == date(2026, 11, 6)
    assert any("Espace de noms inattendu" in w for w in message.warnings)


def test_byte_order_mark_does_not_hide_the_declaration():
    xml = b"\xef\xbb\xbf" + a.build_ar_annulation(ID_ACTE, date(2017, 7, 19)).replace(
        b"ISO-8859-1", b"UTF-8")
    message = a.parse_message(xml)
    assert message.date_reception == date(2017, 7, 19)
    assert message.warnings == ["Message encodé en UTF-8 au lieu d'ISO-8859-1 (accepté)."]


@pytest.mark.parametrize("prolog", [b"", b'<?xml version="1.0"?>\n'], ids=["none", "without-encoding"])
def test_latin1_without_encoding_declaration_is_read(prolog):
    body = (
        "<actes:ReponseCourrierSimple xmlns:actes='http://www.interieur.gouv.fr/ACTES#v1.1-20040216'"
        " actes:IDActe='045-214502494-20170717-D201717-DE' actes:DateCourrierPref='2017-08-01'>"
        "<actes:Document><actes:NomFichier>réponse.pdf</actes:NomFichier></actes:Document>"
        "</actes:ReponseCourrierSimple>"
    )
    xml = prolog + body.encode("latin-1")
    message = a.parse_message(xml)
    assert message.files == ["réponse.pdf"]
    assert message.warnings == ["Message sans déclaration d'encodage, relu en ISO-8859-1."]


def test_unreadable_date_is_a_warning():
    xml = a.build_ar_annulation(ID_ACTE, date(2017, 7, 19)).replace(b"2017-07-19", b"19/07/2017")
    message = a.parse_message(xml)
    assert message.date_reception is None
    assert any("Date illisible pour DateReception" in w for w in message.warnings)


# Round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(ALL_BUILDERS))
def test_round_trip_root_and_code(kind, reference_dir):
    message = a.parse_message(ALL_BUILDERS[kind](), reference_dir=reference_dir)
    assert message.code == (kind if "-" in kind else None)
    assert message.root == (a.BY_CODE[kind].root if "-" in kind else kind)
    assert message.warnings == []
    carries_id = {"1-2", "2-1", "2-2", "3-1", "3-2", "3-3", "3-4", "3-5", "4-1", "4-2",
                  "4-3", "4-4", "4-5", "5-1", "6-1", "6-2"}
    assert (message.id_acte == ID_ACTE) is (kind in carries_id)


def test_round_trip_acte_and_ar(reference_dir):
    acte = a.parse_message(ALL_BUILDERS["1-1"]())
    assert acte.acte == ACTE
    ar = a.parse_message(ALL_BUILDERS["1-2"]())
    assert ar.acte == ACTE
    assert ar.date_reception == date(2017, 7, 18)


def test_round_trip_envelopes():
    envelope = a.parse_message(ALL_BUILDERS["EnveloppeCLMISILL"]())
    emitter = envelope.envelope.emitter
    assert (emitter.siren, emitter.departement, emitter.arrondissement, emitter.nature_code) == (
        "214502494", "045", 1, "31")
    assert envelope.envelope.return_emails == ENVELOPE.return_emails
    assert envelope.envelope.messages == ENVELOPE.messages
    assert envelope.envelope.referent == ENVELOPE.referent
    anomaly = a.parse_message(ALL_BUILDERS["AnomalieEnveloppe"]())
    assert anomaly.envelope.messages == ENVELOPE.messages
    assert anomaly.detail == "PREF-VERIF-02 : SIREN pas encore enregistré"


def test_round_trip_classification():
    original = a.default_classification(date(2024, 3, 1))
    parsed = a.parse_message(a.build_retour_classification(original)).classification
    assert parsed == original


def test_to_json_is_plain_data():
    import json

    data = a.parse_message(fixture_bytes(f"{ID1}-1-2_0.xml"), f"{ID1}-1-2_0.xml").to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["date_reception"] == "2026-11-03"
    assert data["matiere"] == "7.1"
