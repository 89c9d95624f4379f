"""The public portal: search page, notice page, XML download, Atom feed, JSON API."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from lxml import etree

from territoires.core.files import stored_file_put
from territoires.marches.models import (
    Consultation,
    Nature,
    NoticeSource,
    NoticeState,
    Procedure,
    Status,
)
from territoires.marches.notices import NoticeRecord, notice_set_state, notice_upsert
from tests.factories import BodyFactory

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SEARCH = reverse("marches_public:search")
API = "/api/v1/marches/notices"
_counter = iter(range(1, 10**6))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make(title="Avis", *, consultation=None, source_file=None, **kwargs):
    kwargs.setdefault("source", NoticeSource.BOAMP)
    kwargs.setdefault("source_id", f"26-{next(_counter):06d}")
    kwargs.setdefault("deadline", NOW + timedelta(days=10))
    notice, _outcome = notice_upsert(NoticeRecord(title=title, **kwargs), consultation=consultation,
                                     source_file=source_file)
    return notice


def consultation(status=Status.PUBLISHED) -> Consultation:
    dates = {} if status == Status.DRAFT else {"published_at": NOW, "closes_at": NOW + timedelta(days=20)}
    return Consultation.objects.create(
        body=BodyFactory(), reference=f"2026-{next(_counter)}", title="Travaux de voirie", object="Voirie",
        nature=Nature.WORKS, procedure=Procedure.MAPA, cpv_main="45233141", nuts="FRC11", status=status,
        **dates,
    )


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# ------------------------------------------------------------------ search page


def test_search_page_lists_notices_with_labels(client):
    make("Réfection de la voirie communale", buyer_name="Commune de Dole", cpv_main="45233141",
         nuts="FRC22", deadline=datetime(2026, 3, 20, 11, 0, tzinfo=UTC))
    make("Travaux clos", deadline=NOW - timedelta(days=1))
    page = html(client.get(SEARCH))
    assert "Réfection de la voirie communale" in page
    assert "Commune de Dole" in page and "Travaux d&#x27;entretien routier" in page and "Jura" in page
    assert "20/03/2026 à 12:00" in page  # Europe/Paris
    assert "Travaux clos" not in page  # a first visit shows open notices only
    assert '<label class="checkbox" for="id_open_only"><input type="checkbox" name="open_only"' in page
    assert 'id="id_open_only" checked>' in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert 'name="cpv"' in page and '<option value="45">45 – ' in page
    assert '<option value="21">21 – Côte-d’Or</option>' in page


def test_search_page_escapes_what_notices_say(client):
    make("<script>alert(1)</script> voirie", buyer_name="Ville & <b>Cie</b>", deadline=None)
    page = html(client.get(f"{SEARCH}?q=voirie"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; voirie" in page
    assert "Ville &amp; &lt;b&gt;Cie&lt;/b&gt;" in page and "non précisée" in page


def test_search_page_full_text_and_filters(client):
    make("Travaux voiries", nuts="FRC11", cpv_main="45233141", procedure=Procedure.MAPA)
    make("Fourniture de repas", nuts="FRC21", cpv_main="15894210", procedure=Procedure.OPEN,
         nature=Nature.SUPPLIES, buyer_name="Ville de Besançon")
    make("Travaux passés", nuts="FRC11", deadline=NOW - timedelta(days=3))
    cases = {
        "q=travaux+de+voirie": ["Travaux voiries"],
        "cpv=15": ["Fourniture de repas"],
        "departement=21": ["Travaux voiries", "Travaux passés"],
        "procedure=open": ["Fourniture de repas"],
        "nature=supplies": ["Fourniture de repas"],
        "buyer=besan": ["Fourniture de repas"],
        "closing_before=2026-03-01": ["Travaux passés"],
        "departement=21&open_only=1": ["Travaux voiries"],
    }
    for query, expected in cases.items():
        page = html(client.get(f"{SEARCH}?{query}"))
        shown = [t for t in ("Travaux voiries", "Fourniture de repas", "Travaux passés") if t in page]
        assert shown == expected, query


def test_invalid_criteria_show_french_errors_and_keep_input(client):
    make("Travaux voiries")
    page = html(client.get(f"{SEARCH}?q=voirie&closing_after=31%2F02%2F2026&cpv=99&buyer=Dijon"))
    assert "Date invalide" in page and "La division CPV « 99 » n&#x27;existe pas" in page
    assert 'value="31/02/2026"' in page and 'value="voirie"' in page and 'value="Dijon"' in page
    assert '<option value="99" selected>99</option>' in page
    assert "Certains critères ne sont pas valides" in page


def test_sort_and_pagination_links(client):
    for i in range(25):
        make(f"Avis numéro {i:02d}", deadline=NOW + timedelta(days=i + 1), published_on=date(2026, 1, 1))
    first = html(client.get(f"{SEARCH}?q=avis"))
    assert "Résultats 1 à 20" in first and "Page 1" in first and "Avis numéro 00" in first
    assert "?q=avis&amp;page=2" in first and "Avis numéro 20" not in first
    second = html(client.get(f"{SEARCH}?q=avis&page=2"))
    assert "Avis numéro 20" in second and "Avis numéro 00" not in second and "Page précédente" in second
    latest = html(client.get(f"{SEARCH}?q=avis&sort=published"))
    assert latest.index("Avis numéro 24") < latest.index("Avis numéro 23")


def test_results_are_numbered_until_the_last_page_gives_the_total(client):
    for i in range(25):
        make(f"Voirie {i}")
    first = html(client.get(f"{SEARCH}?q=voirie"))
    assert "Résultats 1 à 20" in first and "Page suivante" in first
    last = html(client.get(f"{SEARCH}?q=voirie&page=2"))
    assert "25 résultats" in last and "Page suivante" not in last


def test_htmx_request_gets_the_results_only(client):
    make("Travaux voiries")
    response = client.get(f"{SEARCH}?q=voirie", headers={"HX-Request": "true"})
    page = html(response)
    assert page.lstrip().startswith('<section id="resultats"') and "Travaux voiries" in page
    assert "<html" not in page and "HX-Request" in response["Vary"]


def test_alert_button_receives_the_search_query(client):
    response = client.get(f"{SEARCH}?q=voirie&departement=21&cpv=45")
    assert response.context["search_query"] == {"q": "voirie", "departement": "21", "cpv": "45"}
    assert "marches/company/_alert_button.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("url", [f"{SEARCH}?q=voirie", f"{SEARCH}?q=voirie&sort=relevance",
                                 f"{API}?q=voirie", "/marches/avis.atom?q=voirie"])
def test_lists_read_nothing_per_row(client, url):
    # Searches fetch only the listed columns (search.LIST_FIELDS): a column a list reads
    # beyond them would cost one query per row, so 15 rows would cost more than 5.
    def queries(count):
        for i in range(count):
            make(f"Voirie {i}", cpv_main="45233141", nuts="FRC11", published_on=date(2026, 2, 1))
        client.get(url)  # what chooses the plan is then known (kept a minute)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200 and b"Voirie 1" in response.content
        return len(captured.captured_queries)

    assert queries(5) == queries(10)


def test_search_page_query_count(client, django_assert_max_num_queries):
    for i in range(30):
        make(f"Voirie {i}", cpv_main="45233141", nuts="FRC11")
    # The bound of the order's head, the head (enough here), and the word frequencies (SQLite)
    # or PostgreSQL's statistics.
    with django_assert_max_num_queries(3):
        html(client.get(f"{SEARCH}?q=voirie"))


# ------------------------------------------------------------------ feed


def test_feed_is_atom_of_the_same_search_newest_first(client):
    make("Voirie ancienne", published_on=date(2026, 1, 5))
    make("Voirie récente", published_on=date(2026, 2, 20), cpv_main="45233141")
    make("Repas", published_on=date(2026, 2, 25))
    response = client.get(reverse("marches_public:feed") + "?q=voirie&sort=deadline")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}id") is not None and root.find(f"{ATOM}updated") is not None
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Voirie récente", "Voirie ancienne"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href").startswith("http")
    assert first.findtext(f"{ATOM}id") == first.find(f"{ATOM}link").get("href")
    assert first.findtext(f"{ATOM}updated")
    assert "entretien routier" in first.findtext(f"{ATOM}summary")


def test_feed_link_on_page_keeps_the_criteria(client):
    page = html(client.get(f"{SEARCH}?q=voirie&cpv=45"))
    assert f'href="{reverse("marches_public:feed")}?q=voirie&amp;cpv=45"' in page


# ------------------------------------------------------------------ notice page


def test_notice_page_summary(client):
    notice = make("Réfection de la voirie", description="Rue des Écoles\nTranche 2", buyer_name="Commune de Dole",
                  cpv_main="45233141", nuts="FRC22", procedure=Procedure.MAPA, nature=Nature.WORKS,
                  estimated_value=Decimal("125000.00"), url="https://www.boamp.fr/avis/detail/26-1",
                  deadline=datetime(2026, 3, 20, 11, 0, tzinfo=UTC), published_on=date(2026, 2, 1))
    page = html(client.get(reverse("marches_public:notice", args=[notice.pk])))
    for text in ("Réfection de la voirie", "Commune de Dole", "Rue des Écoles<br>Tranche 2",
                 "45233141-9 – Travaux d&#x27;entretien routier", "Jura", "Procédure adaptée (MAPA)",
                 "Travaux", "20 mars 2026 à 12:00", "125", "BOAMP", 'href="https://www.boamp.fr/avis/detail/26-1"'):
        assert text in page, text
    assert "Annulé" not in page and "avis d&#x27;origine (XML)" not in page


def test_cancelled_notice_says_so(client):
    notice = make("Voirie")
    notice_set_state(source=notice.source, source_id=notice.source_id, state=NoticeState.CANCELLED)
    assert "Annulé" in html(client.get(reverse("marches_public:notice", args=[notice.pk])))


def test_notice_xml_download(client):
    stored = stored_file_put(b"<ContractNotice/>", content_type="application/xml")
    notice = make("Voirie", source=NoticeSource.EFORMS, source_id="abc/01", source_file=stored)
    page = html(client.get(reverse("marches_public:notice", args=[notice.pk])))
    url = reverse("marches_public:notice_xml", args=[notice.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="avis-eforms-abc-01.xml"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"<ContractNotice/>"


def test_notice_xml_missing_is_404(client):
    notice = make("Voirie")
    assert client.get(reverse("marches_public:notice_xml", args=[notice.pk])).status_code == 404
    assert client.get(reverse("marches_public:notice", args=[notice.pk + 1000])).status_code == 404


def test_notice_of_a_consultation_redirects_to_it(client):
    ours = consultation()
    notice = make("Voirie", source=NoticeSource.TERRITOIRES, source_id=str(ours.notice_id), consultation=ours)
    response = client.get(reverse("marches_public:notice", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == ours.get_absolute_url()


def test_notice_of_a_draft_consultation_is_404(client):
    draft = consultation(Status.DRAFT)
    notice = make("Brouillon", source=NoticeSource.TERRITOIRES, source_id=str(draft.notice_id),
                  consultation=draft)
    assert client.get(reverse("marches_public:notice", args=[notice.pk])).status_code == 404
    assert client.get(reverse("marches_public:notice_xml", args=[notice.pk])).status_code == 404


# ------------------------------------------------------------------ API


def test_api_shape_and_filters(client):
    notice = make("Travaux voiries", buyer_name="Commune de Dole", cpv_main="45233141", nuts="FRC22",
                  deadline=datetime(2026, 3, 20, 11, 0, tzinfo=UTC))
    make("Repas", cpv_main="15894210", nuts="FRC11")
    make("Voirie close", deadline=NOW - timedelta(days=1))
    response = client.get(f"{API}?q=travaux+de+voirie&cpv=45&nuts=FRC2&open=true")
    assert response.status_code == 200
    assert response.json() == {"count": 1, "capped": False, "items": [{
        "title": "Travaux voiries", "buyer": "Commune de Dole", "cpv_main": "45233141", "nuts": "FRC22",
        "deadline": "2026-03-20T11:00:00Z", "source": "boamp", "source_id": notice.source_id,
        "url": f"http://testserver/marches/avis/{notice.pk}/".replace("http://testserver", _public()),
    }]}
    assert client.get(f"{API}?open=true").json()["count"] == 2
    assert client.get(API).json()["count"] == 3
    assert client.get(f"{API}?departement=21").json()["items"][0]["title"] == "Repas"


def _public() -> str:
    from django.conf import settings

    return settings.PUBLIC_URL.rstrip("/")


def test_api_pagination(client):
    for i in range(5):
        make(f"Avis {i}", deadline=NOW + timedelta(days=i + 1))
    data = client.get(f"{API}?limit=2&offset=2").json()
    assert [item["title"] for item in data["items"]] == ["Avis 2", "Avis 3"]
    assert (data["count"], data["capped"]) == (4, True)
    last = client.get(f"{API}?limit=2&offset=4").json()
    assert [item["title"] for item in last["items"]] == ["Avis 4"] and (last["count"], last["capped"]) == (5, False)


@pytest.mark.parametrize(("query", "field"), [
    ("limit=101", "limit"), ("limit=0", "limit"), ("offset=-1", "offset"), ("open=peut-être", "open"),
    ("cpv=99", "cpv"), ("cpv=abc", "cpv"), ("departement=75", "departement"), ("nature=bois", "nature"),
    ("procedure=x", "procedure"), ("nuts=%2A%2A", "nuts"), ("sort=random", "sort"),
])
def test_api_invalid_parameters_are_french_422_naming_the_field(client, query, field):
    response = client.get(f"{API}?{query}")
    assert response.status_code == 422, query
    body = response.json()
    assert body["detail"] == "Les données envoyées ne sont pas valides."
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["message"]


def test_api_is_public_and_documented(client):
    assert client.get(API).status_code == 200  # no token, no session
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/marches/notices" in schema["paths"]
