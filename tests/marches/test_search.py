"""Full-text search over notices: stems, accents, filters, orders, pages, the count cap.

Every test runs on SQLite (FTS5) and PostgreSQL (GIN over tsvector): the same
assertions hold on both, which is the point of stemming in Python.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from territoires.marches import search
from territoires.marches.models import Nature, Notice, NoticeSource, NoticeState, Procedure
from territoires.marches.notices import NoticeRecord, notice_set_state, notice_upsert
from territoires.marches.search import SearchParams, notice_search, query_terms, stems

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
_counter = iter(range(1, 10**6))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make(title="Avis", **kwargs) -> Notice:
    kwargs.setdefault("source", NoticeSource.BOAMP)
    kwargs.setdefault("source_id", f"26-{next(_counter):06d}")
    kwargs.setdefault("deadline", NOW + timedelta(days=10))
    notice, outcome = notice_upsert(NoticeRecord(title=title, **kwargs))
    assert outcome == "imported"
    return notice


def titles(page) -> list[str]:
    return [notice.title for notice in page.items]


def find(**params) -> list[str]:
    return titles(notice_search(SearchParams(**params), limit=100))


# ------------------------------------------------------------------ text


def test_stems_fold_and_drop_stop_words():
    assert stems("Travaux de voirie") == stems("travaux VOIRIES")
    assert stems("Électricité") == stems("electricite")
    assert "de" not in stems("Travaux de la voirie") and len(stems("Travaux de la voirie")) == 2
    assert query_terms("le la les des") == []


def test_document_holds_stems_of_title_description_buyer_and_cpv_label():
    notice = make("Réfection de chaussée", description="Rue des Écoles", buyer_name="Commune de Dole",
                  cpv_main="45233141")
    document = notice.search_document.split()
    for word in ("chaussee", "ecoles", "dole", "routier"):  # "routier": label of 45233141
        assert search._stem(word) in document
    assert "45233141" in document


def test_stemming_finds_plural_and_stop_words_are_ignored():
    make("Travaux voiries")
    make("Fourniture de repas")
    assert find(q="travaux de voirie") == ["Travaux voiries"]


def test_accents_are_ignored_both_ways():
    make("Électricité du gymnase")
    make("Chauffage")
    assert find(q="electricite") == ["Électricité du gymnase"]
    make("Travaux d'electricite")
    assert sorted(find(q="ÉLECTRICITÉ")) == ["Travaux d'electricite", "Électricité du gymnase"]


def test_every_word_must_match():
    make("Entretien des espaces verts")
    make("Entretien des bâtiments")
    assert find(q="entretien verts") == ["Entretien des espaces verts"]
    assert find(q="entretien piscine") == []


def test_cpv_label_is_searchable():
    make("Lot 3", cpv_main="45233141")  # Travaux d'entretien routier
    make("Lot 4", cpv_main="15894210")  # Repas pour écoles
    assert find(q="routier") == ["Lot 3"]
    assert find(q="repas ecole") == ["Lot 4"]


def test_description_and_buyer_are_searchable():
    make("Marché A", description="Nettoyage des vitres")
    make("Marché B", buyer_name="Communauté de communes du Grand Autunois")
    assert find(q="vitre") == ["Marché A"]
    assert find(q="autunois") == ["Marché B"]


def test_query_of_stop_words_only_filters_nothing():
    make("Un")
    make("Deux")
    assert sorted(find(q="de la")) == ["Deux", "Un"]


def test_hostile_query_text_is_harmless():
    make("Travaux")
    for q in ['"', "AND OR NOT", "NEAR(", "*", "a & b | !c", "'; DROP TABLE x; --", "col:value"]:
        notice_search(SearchParams(q=q))
    assert find(q='"travaux*') == ["Travaux"]  # quotes and operators are not syntax


def test_index_follows_updates_and_deletes():
    notice = make("Tonte des pelouses", source_id="X", version="1")
    notice_upsert(NoticeRecord(source=NoticeSource.BOAMP, source_id="X", version="2",
                               title="Déneigement des routes"))
    assert find(q="tonte") == []
    assert find(q="deneigement") == ["Déneigement des routes"]
    Notice.objects.filter(pk=notice.pk).delete()
    assert find(q="deneigement") == []


# ------------------------------------------------------------------ filters


def test_filter_cpv_division_and_longer_prefix():
    make("Route", cpv_main="45233141")
    make("Bâtiment", cpv_main="45210000")
    make("Repas", cpv_main="15894210")
    assert sorted(find(cpv="45")) == ["Bâtiment", "Route"]
    assert find(cpv="4523") == ["Route"]


def test_filter_departement_and_nuts():
    make("Dijon", nuts="FRC11")  # départment 21 derived from the NUTS code
    make("Besançon", nuts="FRC21")
    assert find(departement="21") == ["Dijon"]
    assert find(nuts="FRC2") == ["Besançon"]


def test_filter_procedure_and_nature():
    make("Ouvert", procedure=Procedure.OPEN, nature=Nature.WORKS)
    make("Adapté", procedure=Procedure.MAPA, nature=Nature.SERVICES)
    assert find(procedure=Procedure.MAPA) == ["Adapté"]
    assert find(nature=Nature.WORKS) == ["Ouvert"]


def test_filter_buyer_is_case_insensitive_substring():
    make("A", buyer_name="Ville de Dijon")
    make("B", buyer_name="Département du Jura")
    assert find(buyer="DIJON") == ["A"]


def test_like_wildcards_in_criteria_are_plain_characters():
    make("A", buyer_name="Régie 100% eau", cpv_main="45233141", nuts="FRC11")
    make("B", buyer_name="Régie 1000 eau", cpv_main="45230000", nuts="FRC21")
    make("C", buyer_name="Syndicat_des eaux", cpv_main="45100000")
    make("D", buyer_name="Syndicat des eaux")
    assert find(buyer="100%") == ["A"]
    assert find(buyer="t_d") == ["C"]
    assert find(cpv="4523") == ["A", "B"]
    assert find(nuts="FRC1") == ["A"]


def test_listed_notices_hold_what_the_orm_reads_and_load_the_rest_on_demand():
    """The search writes its own SQL (search_sql): its notices must equal the ORM's."""
    notice = make("Voirie", description="Réfection des trottoirs", buyer_name="Ville de Dole",
                  cpv_main="45233141", nuts="FRC22", published_on=date(2026, 2, 27),
                  deadline=datetime(2026, 3, 20, 11, 30, tzinfo=UTC))
    for sort in ("deadline", "published", "relevance"):
        [found] = notice_search(SearchParams(q="voirie", sort=sort)).items
        fresh = Notice.objects.get(pk=notice.pk)
        assert {name: getattr(found, name) for name in search.LIST_FIELDS} == {
            name: getattr(fresh, name) for name in search.LIST_FIELDS}
        assert found.deadline == datetime(2026, 3, 20, 11, 30, tzinfo=UTC)
        assert found.published_on == date(2026, 2, 27)
        assert found.description == "Réfection des trottoirs"  # deferred, read on access


def test_filter_closing_dates_are_paris_days_inclusive():
    # 2026-03-10 23:30 in Paris is 22:30 UTC: still the 10th for a French user.
    make("Le 10 au soir", deadline=datetime(2026, 3, 10, 22, 30, tzinfo=UTC))
    make("Le 11 au matin", deadline=datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    make("Le 5", deadline=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    assert find(closing_after=date(2026, 3, 6), closing_before=date(2026, 3, 10)) == ["Le 10 au soir"]
    assert find(closing_after=date(2026, 3, 11)) == ["Le 11 au matin"]


def test_open_only_excludes_past_deadlines_cancelled_and_undated():
    make("Ouvert")
    make("Clos", deadline=NOW - timedelta(minutes=1))
    make("Sans date", deadline=None)
    cancelled = make("Annulé")
    notice_set_state(source=cancelled.source, source_id=cancelled.source_id, state=NoticeState.CANCELLED)
    assert find(open_only=True) == ["Ouvert"]
    assert len(find()) == 4


def test_imported_since():
    make("Ancien")
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        make("Nouveau")
    page = notice_search(SearchParams(), limit=50, imported_since=NOW + timedelta(hours=1))
    assert titles(page) == ["Nouveau"]


def test_filters_combine():
    make("Voirie Dijon", nuts="FRC11", cpv_main="45233141", procedure=Procedure.MAPA)
    make("Voirie Dole", nuts="FRC22", cpv_main="45233141", procedure=Procedure.MAPA)
    make("Voirie Dijon ouvert", nuts="FRC11", cpv_main="45233141", procedure=Procedure.OPEN)
    assert find(q="voirie", departement="21", cpv="45", procedure=Procedure.MAPA) == ["Voirie Dijon"]


# ------------------------------------------------------------------ order, pages, cap


def test_sort_by_deadline_puts_undated_last_and_breaks_ties_by_id():
    make("Sans date", deadline=None)
    make("Loin", deadline=NOW + timedelta(days=30))
    make("Proche", deadline=NOW + timedelta(days=1))
    make("Proche bis", deadline=NOW + timedelta(days=1))
    assert find() == ["Proche", "Proche bis", "Loin", "Sans date"]


def test_sort_by_publication_newest_first_undated_last():
    make("Vieux", published_on=date(2026, 1, 1))
    make("Sans date")
    make("Récent", published_on=date(2026, 3, 1))
    assert find(sort="published") == ["Récent", "Vieux", "Sans date"]


def test_sort_by_relevance_prefers_more_occurrences():
    make("Nettoyage", description="Entretien", deadline=NOW + timedelta(days=1))
    make("Nettoyage des locaux, nettoyage des vitres, nettoyage des sols", deadline=NOW + timedelta(days=9))
    assert find(q="nettoyage", sort="relevance")[0].startswith("Nettoyage des locaux")
    assert find(q="nettoyage")[0] == "Nettoyage"  # by deadline


def test_pagination_is_stable_and_complete():
    for i in range(25):
        make(f"Avis {i:02d}", deadline=NOW + timedelta(days=i % 5))
    pages = [notice_search(SearchParams(), offset=offset, limit=10) for offset in (0, 10, 20)]
    seen = [title for page in pages for title in titles(page)]
    assert len(seen) == 25 and len(set(seen)) == 25
    assert [len(page.items) for page in pages] == [10, 10, 5]
    assert [(page.total, page.capped) for page in pages] == [(10, True), (20, True), (25, False)]


def test_a_page_says_whether_more_follow_without_counting():
    for i in range(5):
        make(f"Voirie {i}")
    with CaptureQueriesContext(connection) as queries:
        page = notice_search(SearchParams(q="voirie"), limit=2)
    assert (len(page.items), page.total, page.capped) == (2, 2, True)
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries.captured_queries)
    middle = notice_search(SearchParams(q="voirie"), limit=2, offset=2)
    assert (middle.total, middle.capped) == (4, True)
    last = notice_search(SearchParams(q="voirie"), limit=2, offset=4)
    assert (len(last.items), last.total, last.capped) == (1, 5, False)  # the exact total
    exactly_full = notice_search(SearchParams(q="voirie"), limit=5)
    assert (exactly_full.total, exactly_full.capped) == (5, False)
    none = notice_search(SearchParams(q="voirie", procedure=Procedure.OPEN), limit=2)
    assert (none.total, none.capped) == (0, False)


@pytest.mark.parametrize("depth", [3, 6, 9, 100])
def test_capped_search_gives_the_same_pages_whether_the_head_of_the_order_suffices(monkeypatch, depth):
    # With a head of 3 notices the page of 2 voiries is not there (repas come first): the
    # full query answers; with 6 or 9 the head holds the first pages; 100 is more than
    # there are notices (no head). Same pages in every case.
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    monkeypatch.setattr(search, "PREFIX_DEPTH", depth)
    for i in range(3):
        make(f"Repas {i}", deadline=NOW + timedelta(hours=i + 1))
    for i in range(6):
        make(f"Voirie {i}", deadline=NOW + timedelta(days=6 - i))
    make("Voirie sans date", deadline=None)
    pages = [titles(notice_search(SearchParams(q="voirie"), offset=offset, limit=2)) for offset in (0, 2, 4, 6)]
    assert pages == [["Voirie 5", "Voirie 4"], ["Voirie 3", "Voirie 2"], ["Voirie 1", "Voirie 0"],
                     ["Voirie sans date"]]
    newest = titles(notice_search(SearchParams(q="voirie", sort="published"), limit=2))
    assert newest == ["Voirie sans date", "Voirie 5"]  # none has a publication date: by id, newest first


def test_head_of_the_order_spares_the_full_query(monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    for i in range(3):
        make(f"Repas {i}", deadline=NOW + timedelta(hours=i + 1))
    for i in range(6):
        make(f"Voirie {i}", deadline=NOW + timedelta(days=6 - i))

    def page_queries(depth):
        monkeypatch.setattr(search, "PREFIX_DEPTH", depth)
        with CaptureQueriesContext(connection) as queries:
            page = notice_search(SearchParams(q="voirie"), limit=2)
        assert titles(page) == ["Voirie 5", "Voirie 4"]
        return [q["sql"] for q in queries.captured_queries
                if "marches_notice_fts_vocab" not in q["sql"] and "pg_stats" not in q["sql"]]

    missed, found = page_queries(3), page_queries(7)
    assert len(missed) == len(found) + 1  # bound, head (too short), full query / bound, head


def test_capped_relevance_ranks_the_most_recent_matches(monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    make("Nettoyage, nettoyage, nettoyage")  # the best match, but the oldest
    for i in range(4):
        make(f"Nettoyage {i}")
    page = notice_search(SearchParams(q="nettoyage", sort="relevance"), limit=10)
    assert sorted(titles(page)) == ["Nettoyage 1", "Nettoyage 2", "Nettoyage 3"]


# ------------------------------------------------------------------ parameters


def test_from_query_parses_and_reports_french_errors():
    params, errors = SearchParams.from_query({
        "q": " voirie ", "cpv": "99", "departement": "75", "closing_after": "2026-02-30",
        "procedure": "mapa", "nature": "works", "open_only": "on", "sort": "bogus",
    })
    assert params == SearchParams(q="voirie", procedure="mapa", nature="works", open_only=True)
    assert set(errors) == {"cpv", "departement", "closing_after", "sort"}
    assert "division CPV" in errors["cpv"] and "AAAA-MM-JJ" in errors["closing_after"]


def test_from_query_round_trips_through_to_query():
    params = SearchParams(q="voirie", cpv="45", departement="21", closing_after=date(2026, 3, 1),
                          closing_before=date(2026, 3, 31), open_only=True, sort="published")
    assert SearchParams.from_query(params.to_query()) == (params, {})


def test_from_query_refuses_inverted_dates():
    params, errors = SearchParams.from_query({"closing_after": "2026-03-10", "closing_before": "2026-03-01"})
    assert "closing_before" in errors and params.closing_before is None


# ------------------------------------------------------------------ both databases


EXPECTED = {
    # Computed once; identical on SQLite and PostgreSQL (the test runs on both).
    ("voirie", "deadline"): ["Voirie 3", "Voirie communale 1", "Travaux de voiries 2"],
    ("electricite", "deadline"): ["Travaux d'électricité 0", "Électricité 4"],
    ("", "published"): ["Voirie 3", "Voirie communale 1", "Électricité 4", "Travaux de voiries 2",
                        "Travaux d'électricité 0"],
}


def test_same_results_on_both_databases():
    titles_ = ["Travaux d'électricité 0", "Voirie communale 1", "Travaux de voiries 2", "Voirie 3",
               "Électricité 4"]
    for i, title in enumerate(titles_):
        make(title, deadline=NOW + timedelta(days=(i * 7) % 5 + 1),
             published_on=date(2026, 2, 1) + timedelta(days=(i * 3) % 5))
    for (q, sort), expected in EXPECTED.items():
        assert find(q=q, sort=sort) == expected, (connection.vendor, q, sort)


def test_rare_matches_past_the_head_come_in_the_same_order(monkeypatch):
    # The head of the order (3 notices) holds no voirie: on PostgreSQL the matches are then
    # fetched and sorted as a whole (an expression order), which must give the same page.
    monkeypatch.setattr(search, "PREFIX_DEPTH", 3)
    for i in range(4):
        make(f"Repas {i}", deadline=NOW + timedelta(hours=i + 1))
    for i in range(3):
        make(f"Voirie {i}", deadline=NOW + timedelta(days=3 - i))
    make("Voirie sans date", deadline=None)
    with CaptureQueriesContext(connection) as queries:
        page = notice_search(SearchParams(q="voirie"), limit=3)
    assert titles(page) == ["Voirie 2", "Voirie 1", "Voirie 0"] and page.capped
    sorted_whole = any("COALESCE" in q["sql"] for q in queries.captured_queries)
    assert sorted_whole == (connection.vendor == "postgresql")


def test_a_dense_head_too_short_for_the_page_is_read_once_deeper(monkeypatch):
    # Head of 4: two voiries among four notices (dense), the page needs three rows (2 + 1 to
    # know a next page follows): a head of ceil(4 × 3 / 2 × 1.5) = 9 notices is read instead
    # of every voirie being fetched and sorted.
    monkeypatch.setattr(search, "PREFIX_DEPTH", 4)
    for i in range(12):
        make(f"{'Voirie' if i % 2 else 'Repas'} {i}", deadline=NOW + timedelta(hours=i + 1))
    with CaptureQueriesContext(connection) as queries:
        page = notice_search(SearchParams(q="voirie"), limit=2)
    assert titles(page) == ["Voirie 1", "Voirie 3"] and page.capped
    sqls = [q["sql"] for q in queries.captured_queries
            if "marches_notice_fts_vocab" not in q["sql"] and "pg_stats" not in q["sql"]]
    assert [" OFFSET 3" in sql for sql in sqls] == [True, False, False, False]  # 4th deadline, head
    assert " OFFSET 8" in sqls[2]  # the 9th deadline, then the deeper head, which suffices:
    assert '"deadline" <=' in sqls[1] and '"deadline" >' in sqls[3]  # it goes on from the first


@pytest.mark.parametrize("depth", [2, 3, 5, 8])
def test_pages_through_the_heads_are_the_pages_of_the_whole_order(monkeypatch, depth):
    # Matches spread unevenly along the order, equal dates, notices without one: every page,
    # whatever the heads read, is the slice of the order computed here in Python, for the
    # ascending (deadline) and the descending (publication) order.
    monkeypatch.setattr(search, "PREFIX_DEPTH", depth)
    monkeypatch.setattr(search, "SPARSE_FRACTION", 0.2)
    rng = random.Random(depth)
    matches = []
    for i in range(40):
        word = "Voirie" if (i < 6 or i > 30 or rng.random() < 0.2) else "Repas"
        deadline = None if rng.random() < 0.1 else NOW + timedelta(hours=i // 3)
        published = None if rng.random() < 0.1 else date(2026, 1, 1) + timedelta(days=(40 - i) // 3)
        notice = make(f"{word} {i}", deadline=deadline, published_on=published)
        if word == "Voirie":
            matches.append(notice)
    orders = {  # dated first, then undated by pk in the order's direction
        "deadline": sorted(matches, key=lambda n: (n.deadline is None, n.deadline or NOW, n.pk)),
        "published": sorted(matches, key=lambda n: (n.published_on is None,
                                                    -(n.published_on or date.min).toordinal(), -n.pk)),
    }
    for sort, ordered in orders.items():
        expected = [n.title for n in ordered]
        for limit in (2, 3, 5):
            for offset in range(0, len(expected) + 1, limit):
                search.clear_plan_caches()
                page = notice_search(SearchParams(q="voirie", sort=sort), offset=offset, limit=limit)
                assert titles(page) == expected[offset:offset + limit], (sort, limit, offset)
                assert page.capped == (offset + limit < len(expected))


def test_words_the_statistics_show_rare_skip_the_head(monkeypatch):
    # PostgreSQL's figures say 'voir' is in one notice in 10,000: the head would hold none,
    # every match is fetched and sorted at once. SQLite has no such figures.
    monkeypatch.setattr(search, "PREFIX_DEPTH", 3)
    monkeypatch.setattr(search, "_pg_word_frequencies", lambda: {"repas": 0.5, "voir": 0.0001})
    for i in range(4):
        make(f"Repas {i}", deadline=NOW + timedelta(hours=i + 1))
    for i in range(3):
        make(f"Voirie {i}", deadline=NOW + timedelta(days=3 - i))
    with CaptureQueriesContext(connection) as queries:
        page = notice_search(SearchParams(q="voirie"), limit=2)
    assert titles(page) == ["Voirie 2", "Voirie 1"] and page.capped
    sqls = [q["sql"] for q in queries.captured_queries if "marches_notice_fts_vocab" not in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(sqls) == 1 and "COALESCE" in sqls[0]
    else:
        assert " OFFSET 2" in sqls[0]  # the head's bound, as for any word
    assert titles(notice_search(SearchParams(q="repas"), limit=2)) == ["Repas 0", "Repas 1"]
