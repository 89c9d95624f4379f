"""Import of external notices: eForms XML (TED) and BOAMP JSON, by file and by command."""

import dataclasses
import json
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from territoires.core.models import StoredFile
from territoires.interop.eforms.build import build_award_notice, build_contract_notice
from territoires.interop.eforms.errors import NoticeError
from territoires.interop.eforms.schema import schema_errors
from territoires.marches.importing import (
    ImportReport,
    NoticeImportError,
    _import_bytes,
    boamp_records_import,
    eforms_import,
    notices_import,
)
from territoires.marches.models import Notice, NoticeKind, NoticeState, Procedure
from tests.hostile_xml import CONTRACT_NOTICE, billion_laughs, xxe
from tests.interop.eforms.conftest import award_notice_data, contract_notice_data

EFORMS = Path(__file__).parents[1] / "interop" / "eforms" / "fixtures"
FIXTURES = Path(__file__).parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")
CONTRACT_16 = "a1b2c3d4-0000-4000-8000-000000000016"

def contract_xml(*, notice_id="8f1c2a52-7c0e-4c1e-9d0b-3a6f8a2b1c11", version="01", nuts=("FRC11",),
                 title="Rénovation de l'école élémentaire Jules-Ferry", procedure="open") -> bytes:
    data = contract_notice_data()
    lots = tuple(dataclasses.replace(lot, nuts=nuts) for lot in data.lots)
    return build_contract_notice(dataclasses.replace(
        data, notice_id=notice_id, version=version, nuts=nuts, title=title, procedure_code=procedure, lots=lots))


def award_xml() -> bytes:
    return build_award_notice(award_notice_data())


@pytest.fixture
def write(tmp_path):
    def write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    return write


def counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.imported, report.updated, report.skipped, len(report.rejected)


# ------------------------------------------------------------------ eForms fixtures


def test_contract_notice_fixture_is_imported_with_its_xml():
    report = notices_import([EFORMS / "contract_16.xml"])
    assert counts(report) == (1, 0, 0, 0)
    notice = Notice.objects.get(source="eforms", source_id=CONTRACT_16)
    assert notice.version == "01"
    assert notice.kind == NoticeKind.CONTRACT
    assert notice.state == NoticeState.ACTIVE
    assert notice.procedure == Procedure.OPEN
    assert notice.nature == "supplies"
    assert notice.title == "Fourniture de sel de déneigement"
    assert notice.buyer_name == "Département de la Côte-d'Or"
    assert notice.buyer_id == "22210001300013"
    assert notice.cpv_main == "34927100" and notice.cpv_division == "34"
    assert notice.nuts == "FRC11" and notice.departement == "21"
    assert notice.published_on == date(2025, 3, 6)  # TED's publication date, not the issue date
    assert notice.deadline is not None
    assert notice.url == "https://ted.europa.eu/fr/notice/-/detail/123456-2025"
    assert notice.source_file.read() == (EFORMS / "contract_16.xml").read_bytes()
    assert notice.source_file.content_type == "application/xml"
    assert notice.search_document  # indexed for the portal's search


def test_below_threshold_e3_notice_is_a_mapa():
    notices_import([EFORMS / "contract_E3.xml"])
    notice = Notice.objects.get(source_id="a1b2c3d4-0000-4000-8000-0000000000e3")
    assert notice.procedure == Procedure.MAPA
    assert notice.kind == NoticeKind.CONTRACT
    assert notice.url == ""  # not published on TED: no publication number
    assert notice.published_on == date(2025, 3, 3)  # issue date when TED has not published it


def test_award_and_prior_information_fixtures():
    report = notices_import([EFORMS / "award_29.xml", EFORMS / "pin_4.xml"])
    assert counts(report) == (2, 0, 0, 0)
    assert Notice.objects.get(source_id="d4e5f6a7-0000-4000-8000-000000000029").kind == NoticeKind.AWARD
    assert Notice.objects.get(source_id="c3d4e5f6-0000-4000-8000-000000000004").kind == NoticeKind.PRIOR


def test_change_notice_cancels_the_changed_notice():
    notices_import([EFORMS / "contract_16.xml"])
    report = notices_import([EFORMS / "change_cancel.xml"])
    assert counts(report) == (0, 1, 0, 0)
    notice = Notice.objects.get(source_id=CONTRACT_16)
    assert notice.state == NoticeState.CANCELLED
    assert not Notice.objects.filter(source_id="b2c3d4e5-0000-4000-8000-000000000c16").exists()
    # Again: nothing left to do.
    again = notices_import([EFORMS / "change_cancel.xml"])
    assert counts(again) == (0, 0, 1, 0)
    # Re-importing the original notice does not bring it back to life.
    notices_import([EFORMS / "contract_16.xml"])
    assert Notice.objects.get(source_id=CONTRACT_16).state == NoticeState.CANCELLED


def test_change_notice_about_an_unknown_notice_is_skipped_with_a_reason():
    report = notices_import([EFORMS / "change_cancel.xml"])
    assert counts(report) == (0, 0, 1, 0)
    assert CONTRACT_16 in report.notes[0]["reason"] and "inconnu" in report.notes[0]["reason"]
    assert report.notes[0]["file"].endswith("change_cancel.xml")


def test_modifying_change_notice_updates_the_changed_notice(write):
    notices_import([EFORMS / "contract_16.xml"])
    xml = (EFORMS / "change_cancel.xml").read_text(encoding="utf-8")
    xml = xml.replace(">cancel<", ">update-add<").replace(
        "<cbc:Name languageID=\"FRA\">Fourniture de sel de déneigement</cbc:Name>",
        "<cbc:Name languageID=\"FRA\">Fourniture de sel et de saumure de déneigement</cbc:Name>",
    )
    path = write("change_update.xml", xml)
    report = notices_import([path])
    assert counts(report) == (0, 1, 0, 0)
    notice = Notice.objects.get(source_id=CONTRACT_16)
    assert notice.state == NoticeState.ACTIVE
    assert notice.title == "Fourniture de sel et de saumure de déneigement"
    assert "saumur" in notice.search_document
    assert notice.source_file.read() == path.read_bytes()
    assert counts(notices_import([path])) == (0, 0, 1, 0)  # already applied


# ------------------------------------------------------------------ built notices (eForms schema)


def test_built_notices_follow_the_schema_and_import():
    reference = Path(settings.REFERENCE_DATA_DIR) / "marches"
    contract, award = contract_xml(), award_xml()
    assert schema_errors(contract, reference) == []
    assert schema_errors(award, reference) == []
    report = ImportReport()
    for data in (contract, award):
        eforms_import(data, label="memoire", report=report)
    assert counts(report) == (2, 0, 0, 0)
    notice = Notice.objects.get(source_id="8f1c2a52-7c0e-4c1e-9d0b-3a6f8a2b1c11")
    assert notice.estimated_value == Decimal("850000.00")
    assert notice.deadline == datetime(2025, 4, 14, 10, 0, tzinfo=UTC)
    assert notice.buyer_id == "21210054000019"
    assert notice.cpv_additional == ["45300000"] or "45300000" in notice.cpv_additional
    assert Notice.objects.get(source_id="1d5e8c7b-2f4a-4b6e-8c1d-9e0f1a2b3c44").kind == NoticeKind.AWARD


@pytest.mark.parametrize(("code", "expected"), [
    ("restricted", Procedure.RESTRICTED), ("neg-w-call", Procedure.NEGOTIATED),
    ("comp-dial", Procedure.DIALOGUE), ("innovation", Procedure.INNOVATION),
])
def test_procedure_codes_are_mapped(write, code, expected):
    notices_import([write("n.xml", contract_xml(procedure=code))])
    assert Notice.objects.get().procedure == expected


# ------------------------------------------------------------------ region filter


def test_notices_outside_the_region_are_skipped_unless_all(write):
    inside = write("in.xml", contract_xml())
    outside = write("out.xml", contract_xml(notice_id="3b0c1e52-0000-4000-8000-00000000a1a1", nuts=("FRK26",)))
    report = notices_import([inside, outside])
    assert counts(report) == (1, 0, 1, 0)
    assert "hors de la région" in report.notes[0]["reason"] and "FRK26" in report.notes[0]["reason"]
    report = notices_import([inside, outside], keep_all=True)
    assert counts(report) == (1, 0, 1, 0)  # the regional one is already there, same version
    kept = Notice.objects.get(source_id="3b0c1e52-0000-4000-8000-00000000a1a1")
    assert kept.nuts == "FRK26" and kept.departement == ""


def test_any_regional_place_is_enough(write):
    notices_import([write("mixed.xml", contract_xml(nuts=("FRK26", "FRC24")))])
    notice = Notice.objects.get()
    assert notice.nuts == "FRC24" and notice.departement == "90"


# ------------------------------------------------------------------ deduplication


def test_same_version_is_skipped_later_updates_earlier_is_skipped(write):
    v1 = write("v1.xml", contract_xml(version="01", title="Version une"))
    v2 = write("v2.xml", contract_xml(version="02", title="Version deux"))
    assert counts(notices_import([v1])) == (1, 0, 0, 0)
    assert counts(notices_import([v1])) == (0, 0, 1, 0)
    assert counts(notices_import([v2])) == (0, 1, 0, 0)
    notice = Notice.objects.get()
    assert (notice.version, notice.title) == ("02", "Version deux")
    assert notice.source_file.read() == v2.read_bytes()
    assert counts(notices_import([v1])) == (0, 0, 1, 0)
    assert Notice.objects.get().title == "Version deux"
    assert Notice.objects.count() == 1


# ------------------------------------------------------------------ BOAMP


def test_boamp_single_record():
    report = notices_import([FIXTURES / "boamp_single.json"])
    assert counts(report) == (1, 0, 0, 0)
    notice = Notice.objects.get(source="boamp", source_id="25-31245")
    assert notice.title == "Réfection de la toiture du gymnase municipal"
    assert notice.buyer_name == "Commune de Dole"
    assert notice.departement == "39" and notice.nuts == "FRC22"
    assert notice.nature == "works" and notice.procedure == Procedure.MAPA
    assert notice.cpv_main == "45261210" and notice.cpv_additional == ["45261410"]
    assert notice.estimated_value == Decimal("240000.00")
    assert notice.published_on == date(2025, 3, 6) and notice.version == "2025-03-06"
    assert notice.deadline == datetime(2025, 4, 7, 12, 0, tzinfo=UTC)
    assert notice.url.startswith("https://www.boamp.fr/")
    assert notice.kind == NoticeKind.CONTRACT
    assert json.loads(notice.source_file.read())["idweb"] == "25-31245"


def test_boamp_list_keeps_the_region_and_reads_the_older_schema():
    report = notices_import([FIXTURES / "boamp_list.json"])
    assert counts(report) == (2, 0, 1, 0)  # Lyon (69) is outside the region
    meals = Notice.objects.get(source_id="25-40001")
    assert meals.cpv_main == "15894210" and meals.cpv_additional == ["55523100"]
    assert meals.procedure == Procedure.OPEN and meals.nature == "supplies"
    award = Notice.objects.get(source_id="25-40003")
    assert award.kind == NoticeKind.AWARD and award.procedure == Procedure.RESTRICTED
    assert counts(notices_import([FIXTURES / "boamp_list.json"], keep_all=True)) == (1, 0, 2, 0)


def test_boamp_explore_answer_with_correction_and_cancellation():
    notices_import([FIXTURES / "boamp_list.json"])
    report = notices_import([FIXTURES / "boamp_explore.json"])
    assert counts(report) == (1, 2, 0, 0)
    roads = Notice.objects.get(source_id="25-50001")
    assert roads.deadline == datetime(2025, 4, 9, 12, 0, tzinfo=UTC)  # from the rectificatif
    assert roads.version == "2025-03-19"
    assert Notice.objects.get(source_id="25-40001").state == NoticeState.CANCELLED
    assert not Notice.objects.filter(source_id__in=["25-50002", "25-50003"]).exists()


def test_boamp_cancellation_of_an_unknown_notice_is_skipped():
    report = notices_import([FIXTURES / "boamp_explore.json"])
    assert counts(report) == (1, 1, 1, 0)
    assert any("25-40001" in note["reason"] and "inconnue" in note["reason"] for note in report.notes)


def test_boamp_dedupe_by_idweb_and_publication_date(write):
    record = json.loads((FIXTURES / "boamp_single.json").read_text(encoding="utf-8"))
    assert counts(notices_import([FIXTURES / "boamp_single.json"])) == (1, 0, 0, 0)
    assert counts(notices_import([FIXTURES / "boamp_single.json"])) == (0, 0, 1, 0)
    record.update(dateparution="2025-03-08", objet="Réfection de la toiture du gymnase (republication)")
    later = write("later.json", json.dumps(record))
    assert counts(notices_import([later])) == (0, 1, 0, 0)
    assert Notice.objects.get().title.endswith("(republication)")
    record.update(dateparution="2025-03-01", objet="Ancienne")
    assert counts(notices_import([write("older.json", json.dumps(record))])) == (0, 0, 1, 0)
    assert Notice.objects.get().version == "2025-03-08"


# ------------------------------------------------------------------ one tender, several sources

BOAMP_EFORMS_ID = "7f3e1c2a-5d4b-4e8f-9a1b-2c3d4e5f6a70"  # the notice-id inside boamp_single.json's donnees


def test_ted_copy_of_a_boamp_notice_is_listed_once(write):
    assert counts(notices_import([FIXTURES / "boamp_single.json"])) == (1, 0, 0, 0)
    assert Notice.objects.get().eforms_id == BOAMP_EFORMS_ID
    report = notices_import([write("ted.xml", contract_xml(notice_id=BOAMP_EFORMS_ID))])
    assert counts(report) == (0, 0, 1, 0)
    assert "déjà sur le portail : avis BOAMP 25-31245" in report.notes[0]["reason"]
    assert list(Notice.objects.values_list("source", flat=True)) == ["boamp"]


def test_boamp_copy_of_a_ted_notice_is_listed_once_and_the_kept_copy_still_follows_its_source(write):
    assert counts(notices_import([write("ted.xml", contract_xml(notice_id=BOAMP_EFORMS_ID))])) == (1, 0, 0, 0)
    report = notices_import([FIXTURES / "boamp_single.json"])
    assert counts(report) == (0, 0, 1, 0)
    assert f"avis TED (eForms) {BOAMP_EFORMS_ID}" in report.notes[0]["reason"]
    later = contract_xml(notice_id=BOAMP_EFORMS_ID, version="02", title="Réfection de la toiture (modifié)")
    assert counts(notices_import([write("ted-02.xml", later)])) == (0, 1, 0, 0)
    assert Notice.objects.get().title == "Réfection de la toiture (modifié)"


def test_ted_copy_of_our_own_notices_is_not_listed_twice(write, published, buyer):
    from territoires.marches import eforms_notices

    assert Notice.objects.filter(consultation=published).exists()
    report = notices_import([write("ours.xml", eforms_notices.contract_notice_xml(published))])
    assert counts(report) == (0, 0, 1, 0)
    assert "consultation publiée sur Territoires" in report.notes[0]["reason"]
    assert Notice.objects.count() == 1


def test_notices_without_a_shared_identifier_are_all_kept(write):
    """Older BOAMP records carry no eForms identifier: nothing to match them on."""
    report = notices_import([FIXTURES / "boamp_list.json", write("ted.xml", contract_xml())])
    assert report.imported == Notice.objects.count() > 1
    assert Notice.objects.filter(source="boamp", eforms_id__isnull=True).exists()


# ------------------------------------------------------------------ hostile and broken files

XXE = xxe(*CONTRACT_NOTICE)
LAUGHS = billion_laughs(*CONTRACT_NOTICE)

def test_hostile_files_are_rejected_and_the_good_ones_still_import(write, tmp_path):
    good_xml = write("good.xml", contract_xml())
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: announced, never written
    truncated = contract_xml(notice_id="5e5e5e5e-0000-4000-8000-000000000001")
    hostile = {
        "xxe.xml": write("xxe.xml", XXE),
        "laughs.xml": write("laughs.xml", LAUGHS),
        "truncated.xml": write("truncated.xml", truncated[: len(truncated) // 2]),
        "namespace.xml": write("namespace.xml", b'<ContractNotice xmlns="urn:example:not-ubl"><ID>1</ID></ContractNotice>'),
        "huge.xml": huge,
        "broken.json": write("broken.json", b'{"idweb": "25-1", "objet": '),
        "other.json": write("other.json", b'{"name": "pas une annonce"}'),
        "text.txt": write("text.txt", b"Bonjour"),
        "absent.xml": tmp_path / "absent.xml",
    }
    tracemalloc.start()
    try:
        alone = notices_import([huge])
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024  # the 200 MB file was refused by its size, never read
    assert counts(alone) == (0, 0, 0, 1)
    report = notices_import([*hostile.values(), good_xml, FIXTURES / "boamp_single.json"])
    assert counts(report) == (2, 0, 0, len(hostile))
    errors = {Path(item["file"]).name: item["error"] for item in report.rejected}
    assert "DOCTYPE refusée" in errors["xxe.xml"]
    assert "DOCTYPE refusée" in errors["laughs.xml"]
    assert "XML mal formé ou tronqué" in errors["truncated.xml"]
    assert "n'est pas un avis eForms" in errors["namespace.xml"] and "urn:example:not-ubl" in errors["namespace.xml"]
    assert "trop volumineux (209715200 octets" in errors["huge.xml"]
    assert "JSON mal formé ou tronqué" in errors["broken.json"]
    assert "idweb" in errors["other.json"]
    assert "Format non reconnu" in errors["text.txt"]
    assert "Fichier illisible" in errors["absent.xml"]
    assert Notice.objects.count() == 2


def test_a_rejected_file_changes_nothing(write):
    record = json.loads((FIXTURES / "boamp_single.json").read_text(encoding="utf-8"))
    path = write("half.json", json.dumps([record, "pas un enregistrement"]))
    before = StoredFile.objects.count()
    report = notices_import([path])
    assert counts(report) == (0, 0, 0, 1)
    assert "n'est pas un objet" in report.rejected[0]["error"]
    assert not Notice.objects.exists()
    assert StoredFile.objects.count() == before


# ------------------------------------------------------------------ command


def test_command_prints_the_json_report(write):
    bad = write("bad.xml", XXE)
    stdout, stderr = StringIO(), StringIO()
    call_command(
        "marches", "import-notices", str(EFORMS / "contract_16.xml"), str(FIXTURES / "boamp_list.json"),
        str(bad), stdout=stdout, stderr=stderr,
    )
    output = json.loads(stdout.getvalue())
    assert output["imported"] == 3 and output["updated"] == 0 and output["skipped"] == 1
    assert output["rejected"] == [{"file": str(bad), "error": output["rejected"][0]["error"]}]
    assert "DOCTYPE" in output["rejected"][0]["error"]
    assert "25-40002" in stderr.getvalue()  # why Lyon was skipped


def test_command_all_keeps_notices_outside_the_region():
    stdout = StringIO()
    call_command("marches", "import-notices", "--all", str(FIXTURES / "boamp_list.json"), stdout=stdout,
                 stderr=StringIO())
    assert json.loads(stdout.getvalue())["imported"] == 3
    assert Notice.objects.filter(source_id="25-40002", departement="69").exists()


def test_command_exits_2_when_no_file_could_be_imported(write):
    stdout = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("marches", "import-notices", str(write("x.xml", XXE)), stdout=stdout, stderr=StringIO())
    assert raised.value.returncode == 2
    assert json.loads(stdout.getvalue())["rejected"][0]["file"].endswith("x.xml")


# ------------------------------------------------------------------ any input: imported or refused in French

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
BOAMP_FIELDS = (
    "objet", "nomacheteur", "code_departement", "code_departement_prestation", "dateparution",
    "datelimitereponse", "nature", "nature_libelle", "type_marche", "type_procedure", "procedure_libelle",
    "descripteur_libelle", "etat", "url_avis", "annonce_lie", "donnees",
)


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_are_imported_or_refused_in_french(data):
    try:
        with transaction.atomic():
            _import_bytes(data, label="hasard", keep_all=True, report=ImportReport())
    except (NoticeError, NoticeImportError) as error:
        assert str(error)


@hypothesis_settings(max_examples=80, deadline=None)
@example("25-1", {"objet": "nul\x00", "code_departement": "21", "donnees": "{\"CPV\": {\"PRINCIPAL\": 1}}"})
@given(
    st.text(min_size=1, max_size=20),
    st.dictionaries(st.sampled_from(BOAMP_FIELDS), JSON_VALUES | st.text(max_size=40)),
)
def test_any_boamp_record_maps_without_error(idweb, fields):
    report = ImportReport()
    with transaction.atomic():
        boamp_records_import([{"idweb": idweb, **fields}], label="hasard", keep_all=True, report=report)
    assert report.imported + report.updated + report.skipped == 1


def test_imported_and_changed_notices_are_found_by_the_portal_search(write):
    from territoires.marches.search import SearchParams, notice_search

    notices_import([EFORMS / "contract_16.xml", FIXTURES / "boamp_single.json"])
    assert [n.source_id for n in notice_search(SearchParams(q="toiture gymnase")).items] == ["25-31245"]
    xml = (EFORMS / "change_cancel.xml").read_text(encoding="utf-8").replace(">cancel<", ">update-add<")
    xml = xml.replace("Fourniture de sel de déneigement</cbc:Name>", "Fourniture de saumure routière</cbc:Name>")
    notices_import([write("change.xml", xml)])
    assert [n.source_id for n in notice_search(SearchParams(q="saumure")).items] == [CONTRACT_16]
