"""CPV 2008 catalogue: check digits, validation messages, tree, search."""

import csv
import time
from collections import Counter

import pytest
from django.conf import settings

from territoires.interop.cpv import CpvCatalogue, CpvLevel, cpv_check_digit, cpv_error, parse_cpv

CPV_FILE = settings.REFERENCE_DATA_DIR / "marches" / "cpv" / "cpv_2008_fr_en.csv"


@pytest.fixture(scope="module")
def catalogue():
    return CpvCatalogue.load(CPV_FILE)


@pytest.fixture(scope="module")
def rows():
    with open(CPV_FILE, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_loads_every_code_once_and_caches_per_path(catalogue, rows):
    assert len(catalogue) == len(rows) == 9454
    assert CpvCatalogue.load(str(CPV_FILE)) is catalogue


def test_check_digit_rule_on_every_row(catalogue, rows):
    """The 3-7-1 modulo-10 rule gives the published digit except in 61 legacy sub-trees.

    Every exception must sit in a sub-tree whose root is itself an exception
    with the same offset, so the list of roots fully describes the file.
    """
    offsets = {}
    for row in rows:
        code, _, digit = row["code_with_check_digit"].partition("-")
        assert code == row["code"]
        assert catalogue[code].check_digit == int(digit)
        offsets[code] = (int(digit) - cpv_check_digit(code)) % 10
    assert Counter(offset == 0 for offset in offsets.values()) == {True: 8922, False: 532}
    roots = {
        code
        for code, offset in offsets.items()
        if offset and (catalogue[code].parent is None or offsets[catalogue[code].parent] != offset)
    }
    assert len(roots) == 61
    assert {"03300000", "09100000", "42100000", "51000000", "72212100"} <= roots
    for code, offset in offsets.items():
        if offset:
            chain = [catalogue[code], *reversed(catalogue.ancestors(code))]
            root = next(a.code for a in chain if a.code in roots)  # the nearest one
            assert offsets[root] == offset, code


@pytest.mark.parametrize(
    ("code", "digit"),
    [("45000000", 7), ("03000000", 1), ("45233140", 2), ("90000000", 7), ("71000000", 8)],
)
def test_check_digit_examples(code, digit, catalogue):
    assert cpv_check_digit(code) == digit == catalogue[code].check_digit


@pytest.mark.parametrize("bad", ["4500000", "450000000", "4500000A", ""])
def test_check_digit_rejects_non_codes(bad):
    with pytest.raises(ValueError, match="8 digits"):
        cpv_check_digit(bad)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("45000000", ("45000000", None)),
        ("45000000-7", ("45000000", 7)),
        ("45 000 000-7", ("45000000", 7)),
        (" 45.00.00.00 - 7 ", ("45000000", 7)),
        ("4500000-7", None),
        ("45000000-", None),
        ("45000000-77", None),
        ("CPV 45000000", None),
    ],
)
def test_parse(value, parsed):
    assert parse_cpv(value) == parsed


@pytest.mark.parametrize("value", ["45000000", "45000000-7", "45 000 000-7", "03300000-2", "30000000-9"])
def test_valid_codes_have_no_error(value, catalogue):
    assert cpv_error(value, catalogue) is None


def test_published_digit_wins_over_the_rule(catalogue):
    # 03300000: the rule says 4, the regulation publishes 2.
    assert cpv_check_digit("03300000") == 4
    assert cpv_error("03300000-4", catalogue) == (
        "Le chiffre de contrôle du code CPV 03300000 est 2, pas 4 : le code complet est 03300000-2."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Saisissez un code CPV (8 chiffres, par exemple 45000000-7)."),
        ("   ", "Saisissez un code CPV (8 chiffres, par exemple 45000000-7)."),
        ("4500000", "« 4500000 » n'est pas un code CPV : un code CPV compte 8 chiffres, "
                    "éventuellement suivis d'un tiret et du chiffre de contrôle (par exemple 45000000-7)."),
        ("travaux", "« travaux » n'est pas un code CPV : un code CPV compte 8 chiffres, "
                    "éventuellement suivis d'un tiret et du chiffre de contrôle (par exemple 45000000-7)."),
        ("45000000-3", "Le chiffre de contrôle du code CPV 45000000 est 7, pas 3 : "
                       "le code complet est 45000000-7."),
        ("45 999 999", "Le code 45999999 n'existe pas dans la nomenclature CPV 2008 : vérifiez sa saisie."),
    ],
)
def test_errors_in_french(value, message, catalogue):
    assert cpv_error(value, catalogue) == message


def test_lookup(catalogue):
    entry = catalogue["45000000-7"]
    assert entry.code == "45000000"
    assert entry.full == "45000000-7"
    assert entry.division == "45"
    assert entry.level is CpvLevel.DIVISION
    assert entry.level.label_fr == "division"
    assert entry.label_fr == "Travaux de construction"
    assert entry.label_en == "Construction work"
    assert entry.parent is None
    assert catalogue.get("45 233 140") == catalogue["45233140"]
    assert catalogue.get("45999999") is None
    assert "45233140" in catalogue and "45999999" not in catalogue
    with pytest.raises(KeyError):
        catalogue["45999999"]


def test_levels_and_parents(catalogue):
    assert [catalogue[c].level for c in ("45000000", "45200000", "45230000", "45233000", "45233100",
                                         "45233140", "45233141")] == [
        CpvLevel.DIVISION, CpvLevel.GROUP, CpvLevel.CLASS, CpvLevel.CATEGORY,
        CpvLevel.SUBCATEGORY, CpvLevel.SUBCATEGORY, CpvLevel.SUBCATEGORY,
    ]
    # "30000000" is a division although its code ends with "3".
    assert catalogue["30000000"].level is CpvLevel.DIVISION
    assert catalogue["30000000"].stem == "30"
    assert [a.code for a in catalogue.ancestors("45233141")] == [
        "45000000", "45200000", "45230000", "45233000", "45233100", "45233140",
    ]


def test_every_parent_exists_and_is_a_prefix(catalogue):
    for entry in catalogue:
        if entry.parent is None:
            assert entry.level is CpvLevel.DIVISION
        else:
            parent = catalogue[entry.parent]
            assert entry.code.startswith(parent.stem)
            assert parent.significant_digits < entry.significant_digits


def test_divisions(catalogue):
    divisions = catalogue.divisions()
    assert len(divisions) == 45
    assert divisions[0] == (
        "03", "Produits agricoles, de l'élevage, de la pêche, de la sylviculture et produits connexes"
    )
    assert ("45", "Travaux de construction") in divisions
    assert [code for code, _ in divisions] == sorted(code for code, _ in divisions)


def test_children(catalogue):
    assert [c.code for c in catalogue.children("45000000")] == [
        "45100000", "45200000", "45300000", "45400000", "45500000",
    ]
    assert [c.code for c in catalogue.children("45233140")] == ["45233141", "45233142", "45233144"]
    assert catalogue.children("45233141") == []
    total = sum(len(catalogue.children(entry.code)) for entry in catalogue)
    assert total == len(catalogue) - 45


def codes(results):
    return [entry.code for entry in results]


@pytest.mark.parametrize(
    ("query", "top"),
    [
        ("travaux routiers", ["45233140", "45233141"]),
        ("Travaux Routiers", ["45233140", "45233141"]),
        ("travaux routier", ["45233140", "45233141"]),
        ("trav rout", ["45233140", "45233141"]),
        ("entretien espaces verts", ["77310000"]),
        ("ENTRETIEN ESPACES VERT", ["77310000"]),
        ("elagage", ["77211500", "77341000", "77340000"]),
        ("restauration scolaire", ["55523100"]),
        ("denrees", ["15893000"]),
        ("denrée", ["15893000"]),
        ("produits alimentaires", ["15800000", "15894000"]),
    ],
)
def test_search_words(query, top, catalogue):
    assert codes(catalogue.search(query))[: len(top)] == top


def test_search_requires_every_word(catalogue):
    for entry in catalogue.search("entretien routier", limit=100):
        label = entry.label_fr.lower()
        assert "entretien" in label and "routier" in label
    # No French label says "denrée alimentaire": CPV says "produits alimentaires".
    assert catalogue.search("denrée alimentaire") == []


def test_search_ranks_fewer_words_first(catalogue):
    results = catalogue.search("travaux", limit=50)
    assert len(results) == 50
    assert results[0].label_fr == "Travaux routiers"


def test_search_limit_and_empty_queries(catalogue):
    assert len(catalogue.search("travaux", limit=5)) == 5
    assert catalogue.search("travaux", limit=0) == []
    assert catalogue.search("") == []
    assert catalogue.search(" ' - ") == []
    assert catalogue.search("zzzzz") == []


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("45233000", "45233000"),
        ("45233000-9", "45233000"),
        ("45 233 000", "45233000"),
        ("4523", "45230000"),
        ("45", "45000000"),
    ],
)
def test_search_code(query, first, catalogue):
    results = catalogue.search(query)
    assert results[0].code == first
    # A prefix lists the codes that start with it; a full code, its descendants.
    prefix = query.replace(" ", "").partition("-")[0]
    prefix = results[0].stem if len(prefix) == 8 else prefix
    assert len(results) == 20
    assert all(entry.code.startswith(prefix) for entry in results)


def test_search_code_prefix_lists_descendants_in_code_order(catalogue):
    results = codes(catalogue.search("4523", limit=100))
    assert len(results) == 100
    assert results == sorted(results)
    assert codes(catalogue.search("45233000")) == ["45233000"] + sorted(
        c.code for c in catalogue if c.code.startswith("45233") and c.code != "45233000"
    )[:19]
    assert catalogue.search("99") == []


def test_search_is_fast(catalogue):
    queries = ["travaux routiers", "entretien espaces verts", "denrée alimentaire", "s", "e", "4523",
               "produits alimentaires", "serv", "a b c"]
    worst = 0.0
    for query in queries:
        catalogue._prefix_cache.clear()  # measure the cold path, not the per-prefix cache
        start = time.perf_counter()
        catalogue.search(query)
        worst = max(worst, time.perf_counter() - start)
    print(f"\nCPV search: worst cold query {worst * 1000:.2f} ms over {len(catalogue)} codes")
    assert worst < 0.050
