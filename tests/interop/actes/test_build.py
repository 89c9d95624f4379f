"""Everything we produce validates against the official XSD."""

from datetime import date

import pytest
from lxml import etree

from territoires.interop import actes as a
from territoires.interop.actes import codes
from tests.interop.actes.samples import (
    ACTE,
    ALL_BUILDERS,
    CL_BUILDERS,
    EMITTER,
    ENVELOPE,
    PREF_BUILDERS,
)


def test_every_message_type_has_a_builder():
    covered = set(ALL_BUILDERS)
    expected = {m.code or m.root for m in codes.MESSAGE_TYPES}
    assert covered == expected
    assert all(codes.BY_CODE[c].direction == codes.Direction.CL_TO_PREF for c in CL_BUILDERS if "-" in c)
    assert all(codes.BY_CODE[c].direction == codes.Direction.PREF_TO_CL for c in PREF_BUILDERS if "-" in c)


@pytest.mark.parametrize("kind", sorted(ALL_BUILDERS))
def test_builder_output_is_valid(kind, reference_dir):
    xml = ALL_BUILDERS[kind]()
    assert a.schema_errors(xml, reference_dir) == []
    a.validate(xml, reference_dir)


@pytest.mark.parametrize("kind", sorted(ALL_BUILDERS))
def test_builder_output_is_latin1_with_prefixed_root(kind):
    xml = ALL_BUILDERS[kind]()
    assert xml.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n')
    root = etree.fromstring(xml)
    expected_root = codes.BY_CODE[kind].root if "-" in kind else kind
    assert root.tag == f"{{{codes.ACTES_NS}}}{expected_root}"
    assert root.prefix == "actes"
    assert root.nsmap == {"actes": codes.ACTES_NS, "insee": codes.INSEE_NS}


def test_acte_elements_follow_xsd_order_and_qualified_attributes():
    root = etree.fromstring(a.build_acte(ACTE))
    names = [etree.QName(child).localname for child in root]
    assert names == [
        "CodeMatiere1", "CodeMatiere2", "Objet", "PrecedentIdentifiantActe",
        "ClassificationDateVersion", "Document", "Annexes", "DocumentPapier",
    ]
    ns = codes.ACTES_NS
    assert root.get(f"{{{ns}}}Date") == "2017-07-17"
    assert root.get(f"{{{ns}}}NumeroInterne") == "D201717"
    assert root.get(f"{{{ns}}}CodeNatureActe") == "1"
    assert root.find(f"{{{ns}}}Annexes").get(f"{{{ns}}}Nombre") == "2"
    assert root.find(f"{{{ns}}}DocumentPapier").text == "N"


def test_characters_outside_latin1_are_kept_as_references():
    xml = a.build_acte(ACTE)
    assert "œ".encode("latin-1", "ignore") == b""  # really outside Latin-1
    assert b"&#339;" in xml and b"&#8364;" in xml and b"\xe9" in xml  # œ, €, é
    assert etree.fromstring(xml).findtext(f"{{{codes.ACTES_NS}}}Objet") == ACTE.objet


def test_document_papier_yes_and_nil_are_valid(reference_dir):
    from dataclasses import replace

    oui = a.build_acte(replace(ACTE, document_papier=True))
    assert b"<actes:DocumentPapier>O</actes:DocumentPapier>" in oui
    nil = a.build_acte(replace(ACTE, document_papier=None, annexes=(), precedent_id_acte=None))
    assert b'xsi:nil="true"' in nil
    a.validate(oui, reference_dir)
    a.validate(nil, reference_dir)


def test_idcl_attributes(reference_dir):
    root = etree.fromstring(a.build_enveloppe_cl_misill(ENVELOPE))
    idcl = root.find(f".//{{{codes.ACTES_NS}}}IDCL")
    assert idcl.get(f"{{{codes.INSEE_NS}}}SIREN") == "214502494"
    assert idcl.get(f"{{{codes.ACTES_NS}}}Departement") == "045"
    assert idcl.get(f"{{{codes.ACTES_NS}}}Arrondissement") == "1"
    assert idcl.get(f"{{{codes.ACTES_NS}}}Nature") == "31"


@pytest.mark.parametrize(
    "sender",
    [a.PrefectureSender("2A"), a.PrefectureSender("44", arrondissement=2), a.PrefectureSender("21", sgar=True)],
)
def test_prefecture_envelope_emitters(sender, reference_dir):
    xml = a.build_enveloppe_misill_cl(sender, siren="214400152", messages=["x_0.xml"])
    a.validate(xml, reference_dir)


def test_level_one_matiere_is_refused_before_the_ministry_does():
    from dataclasses import replace

    with pytest.raises(ValueError, match="niveau 2"):
        a.build_acte(replace(ACTE, matiere_codes=(7,)))


def test_five_levels_of_matiere_are_valid(reference_dir):
    from dataclasses import replace

    a.validate(a.build_acte(replace(ACTE, matiere_codes=(1, 1, 2, 1, 3))), reference_dir)


def test_builders_refuse_malformed_identifiers():
    with pytest.raises(ValueError, match="Identifiant d'acte invalide"):
        a.build_annulation("045-214502494-2017-D1-DE")
    with pytest.raises(ValueError, match="SIREN"):
        a.build_enveloppe_cl_misill(
            a.EnvelopeData(a.Emitter("2145", "45", 1, "31"), ("a@b.fr",), (a.FileRef("x.xml"),)))
    with pytest.raises(ValueError, match="au moins un message"):
        a.build_enveloppe_cl_misill(a.EnvelopeData(EMITTER, ("a@b.fr",), ()))


def test_schema_reports_what_builders_let_through(reference_dir):
    """Input errors builders do not check are caught by validation, in readable form."""
    from dataclasses import replace

    xml = a.build_acte(replace(ACTE, objet="x" * 501, numero_interne="TROP_LONG_NUMERO_1"))
    with pytest.raises(a.ActesSchemaError) as caught:
        a.validate(xml, reference_dir)
    assert len(caught.value.errors) == 2
    assert str(caught.value).startswith("Le message n'est pas conforme au schéma ACTES (2 erreur(s))")
    assert "ligne " in str(caught.value)


def test_email_with_long_tld_is_refused_by_the_schema(reference_dir):
    """The XSD only knows 2- to 6-letter TLDs: a .bzh address passes, .paris too, .bretagne not."""
    from dataclasses import replace

    ok = a.build_enveloppe_cl_misill(replace(ENVELOPE, return_emails=("mairie@exemple.paris",)))
    assert a.schema_errors(ok, reference_dir) == []
    ko = a.build_enveloppe_cl_misill(replace(ENVELOPE, return_emails=("mairie@exemple.bretagne",)))
    assert a.schema_errors(ko, reference_dir)


def test_demande_classification_without_date_is_valid(reference_dir):
    a.validate(a.build_demande_classification(), reference_dir)


def test_anomaly_nature_is_written_on_three_digits():
    xml = a.build_anomalie_acte(ACTE, date_anomalie=date(2017, 7, 18), nature=7, detail=None,
                                classification_date_en_cours=date(2017, 1, 1))
    assert b"<actes:Nature>007</actes:Nature>" in xml
    assert b"Detail" not in xml
