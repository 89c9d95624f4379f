"""Open data of délibérations (SCDL « Délibérations » 2.1.5), checked against the reference schema."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from territoires.actes import register, scdl
from territoires.actes.models import Classification
from tests.actes.test_register import _frozen_today, make_acte, siret_for  # noqa: F401
from tests.factories import BodyFactory


@pytest.fixture
def fields(settings):
    return scdl.scdl_fields(settings.REFERENCE_DATA_DIR)


@pytest.fixture
def sirened(body, nomenclature):
    body.siret = siret_for(body.siren)
    body.save(update_fields=["siret"])
    return body


@pytest.fixture
def deliberations(sirened):
    body = sirened
    return [
        make_acte(body, numero="DEL2026_001", objet="Vote du budget primitif, exercice 2026",
                  matiere="7.1", decided=dt.date(2026, 3, 2), vote_effectif=15, vote_reel=14,
                  vote_pour=12, vote_contre=1, vote_abstention=1),
        make_acte(body, numero="DEL2026_002", objet="Marché de travaux de l'école", matiere="1.1.2",
                  decided=dt.date(2026, 3, 2)),
        make_acte(body, numero="DEL2025_040", objet="Décision modificative n° 3", matiere="7.10",
                  decided=dt.date(2025, 12, 15), published=dt.date(2025, 12, 20)),
    ]


def read_csv(response) -> tuple[list[str], list[dict]]:
    text = response.content.decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames, list(reader)


def csv_url(body) -> str:
    return reverse("actes_public:csv", args=[body.siren])


def test_the_field_list_is_the_reference_file(settings, fields):
    path = settings.REFERENCE_DATA_DIR / "actes" / "scdl_deliberations_2.1.5.schema.json"
    expected = [f["name"] for f in json.loads(path.read_text(encoding="utf-8"))["fields"]]
    assert [f["name"] for f in fields] == expected
    assert expected[0] == "COLL_NOM" and expected[-1] == "DELIB_URL" and len(expected) == 17


def test_the_export_has_the_schema_columns_and_every_row_validates(client, sirened, deliberations,
                                                                   fields, settings):
    response = client.get(csv_url(sirened))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    header, rows = read_csv(response)
    assert header == [f["name"] for f in fields]
    assert len(rows) == 3
    assert scdl.rows_problems(rows, fields) == []

    by_id = {row["DELIB_ID"]: row for row in rows}
    budget = by_id["DEL2026_001"]
    assert budget["COLL_NOM"] == sirened.name
    assert budget["COLL_SIRET"] == sirened.siret
    assert budget["DELIB_DATE"] == "2026-03-02"
    assert budget["DELIB_MATIERE_CODE"] == "7.1"
    assert budget["DELIB_MATIERE_NOM"] == "finances locales/décisions budgétaires"
    assert budget["DELIB_OBJET"] == "Vote du budget primitif, exercice 2026"
    assert budget["PREF_DATE"] == "2026-03-05"
    assert [budget[f"VOTE_{k}"] for k in ("EFFECTIF", "REEL", "POUR", "CONTRE", "ABSTENTION")] == [
        "15", "14", "12", "1", "1"]
    assert budget["BUDGET_ANNEE"] == budget["BUDGET_NOM"] == budget["PREF_ID"] == ""
    pdf_path = reverse("actes_public:pdf", args=[sirened.siren, deliberations[0].pk])
    assert budget["DELIB_URL"] == settings.PUBLIC_URL.rstrip("/") + pdf_path
    assert client.get(pdf_path).status_code == 200

    assert by_id["DEL2026_002"]["DELIB_MATIERE_CODE"] == "1.1"  # level 2 of 1.1.2
    assert by_id["DEL2026_002"]["DELIB_MATIERE_NOM"] == "commande publique/marchés publics"
    assert by_id["DEL2026_002"]["VOTE_POUR"] == ""
    assert by_id["DEL2025_040"]["DELIB_MATIERE_CODE"] == "7.10"
    # Oldest first, as a register reads.
    assert [row["DELIB_ID"] for row in rows] == ["DEL2025_040", "DEL2026_001", "DEL2026_002"]


def test_only_published_deliberations_of_the_body(client, sirened, deliberations):
    make_acte(sirened, numero="DEL_NONPUB", published=None)
    make_acte(sirened, numero="DEL_BROUILLON", published=None, sent=False)
    make_acte(sirened, numero="ARR_PUB", nature="AR")
    other = BodyFactory()
    make_acte(other, numero="DEL_AUTRE")
    _header, rows = read_csv(client.get(csv_url(sirened)))
    assert {row["DELIB_ID"] for row in rows} == {"DEL2026_001", "DEL2026_002", "DEL2025_040"}


def test_year_filter(client, sirened, deliberations):
    _header, rows = read_csv(client.get(csv_url(sirened), {"annee": "2025"}))
    assert [row["DELIB_ID"] for row in rows] == ["DEL2025_040"]
    _header, rows = read_csv(client.get(csv_url(sirened), {"annee": "2024"}))
    assert rows == []
    response = client.get(csv_url(sirened), {"annee": "deux-mille"})
    assert response.status_code == 400
    assert "annee" in response.content.decode()


def test_without_siret_the_export_explains_why(client, body, nomenclature):
    make_acte(body, numero="DEL_1")
    assert body.siret == ""
    response = client.get(csv_url(body))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Le SIRET de l'organisme n'est pas renseigné" in page
    assert page.count("<h1>") == 1


def test_an_empty_export_still_has_its_header(client, sirened, fields):
    header, rows = read_csv(client.get(csv_url(sirened)))
    assert header == [f["name"] for f in fields] and rows == []


def test_matiere_nom_follows_the_schema_description():
    labels = {"5": "Institutions et vie politique",
              "5.2": "Fonctionnement des assemblées (bureau, commissions)"}
    assert scdl.matiere_nom(labels, "5.2.1") == (
        "institutions et vie politique/fonctionnement des assemblées bureau commissions")
    assert scdl.matiere_level2("5.2.1") == "5.2"
    assert scdl.matiere_level2("5.2") == "5.2"


# -- the validator can fail -----------------------------------------------------

@pytest.fixture
def good_row(sirened, deliberations):
    return scdl.deliberation_rows(register.published_deliberations(sirened))[0]


def test_the_rows_built_in_python_validate(good_row, fields):
    assert scdl.rows_problems([good_row], fields) == []


@pytest.mark.parametrize(("change", "expected"), [
    ({"COLL_SIRET": ""}, "COLL_SIRET : valeur obligatoire manquante"),
    ({"COLL_SIRET": "1234"}, "COLL_SIRET : « 1234 » ne respecte pas le motif"),
    ({"DELIB_DATE": "02/03/2026"}, "DELIB_DATE : « 02/03/2026 » n'est pas une date AAAA-MM-JJ"),
    ({"DELIB_DATE": "2026-02-30"}, "n'est pas une date qui existe"),
    ({"DELIB_MATIERE_CODE": "7"}, "DELIB_MATIERE_CODE : « 7 » ne respecte pas le motif"),
    ({"DELIB_MATIERE_CODE": "7.1.2"}, "ne respecte pas le motif"),
    ({"VOTE_POUR": "douze"}, "VOTE_POUR : « douze » n'est pas un nombre entier"),
    ({"BUDGET_ANNEE": "26"}, "BUDGET_ANNEE : « 26 » ne respecte pas le motif"),
    ({"DELIB_URL": "acte.pdf"}, "n'est pas une adresse web complète"),
    ({"DELIB_OBJET": None}, "DELIB_OBJET : valeur obligatoire manquante"),
    ({"COMMENTAIRE": "x"}, "colonnes inconnues du schéma : COMMENTAIRE"),
])
def test_a_broken_row_fails(good_row, fields, change, expected):
    broken = {**good_row, **change}
    problems = scdl.rows_problems([good_row, broken], fields)
    assert len(problems) == 1
    assert problems[0].startswith("Ligne 3")  # header is line 1, the good row line 2
    assert expected in problems[0]


def test_a_missing_column_fails(good_row, fields):
    broken = {k: v for k, v in good_row.items() if k != "PREF_DATE"}
    assert scdl.rows_problems([broken], fields) == ["Ligne 2 : colonnes absentes : PREF_DATE"]


def test_optional_empty_cells_pass_but_given_ones_are_checked(good_row, fields):
    assert scdl.rows_problems([{**good_row, "BUDGET_ANNEE": "2025/2026"}], fields) == []
    assert scdl.rows_problems([{**good_row, "PREF_DATE": ""}], fields) == []


def test_an_unknown_type_is_not_silently_accepted(good_row):
    with pytest.raises(ValueError, match="geopoint"):
        scdl.rows_problems([{"X": "1,2"}], [{"name": "X", "type": "geopoint"}])


def test_a_level_one_matiere_would_make_the_export_invalid(client, sirened, fields):
    """ACTES requires level 2; an old act on level 1 only is caught by the validator."""
    make_acte(sirened, numero="DEL_N1", matiere="7")
    _header, rows = read_csv(client.get(csv_url(sirened)))
    assert any("DELIB_MATIERE_CODE" in p for p in scdl.rows_problems(rows, fields))


def test_rows_of_several_classifications_use_their_own_labels(sirened, fields):
    old = make_acte(sirened, numero="DEL_OLD")
    new = make_acte(sirened, numero="DEL_NEW", decided=dt.date(2026, 5, 4), published=dt.date(2026, 5, 6))
    newer = Classification.objects.create(body=sirened, date=dt.date(2026, 5, 1), data={
        "natures": [], "matieres": [{"code": "7", "label": "Finances (locales)"},
                                    {"code": "7.1", "label": "Budget, décisions"}]})
    new.classification = newer
    new.save(update_fields=["classification"])
    rows = {r["DELIB_ID"]: r for r in scdl.deliberation_rows(register.published_deliberations(sirened))}
    assert rows[old.numero_interne]["DELIB_MATIERE_NOM"] == "finances locales/décisions budgétaires"
    assert rows[new.numero_interne]["DELIB_MATIERE_NOM"] == "finances locales/budget décisions"
    assert scdl.rows_problems(list(rows.values()), fields) == []
