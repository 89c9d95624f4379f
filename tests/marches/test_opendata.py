"""Open-data adapters (BOAMP Explore v2.1, TED Search v3) against recorded answers.

HTTP is served by a `requests` transport adapter mounted on the session, so the
real `requests` code runs (params encoding, JSON bodies, streaming); the test
settings block any real network access anyway.
"""

import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from territoires.core.leases import leased
from territoires.core.schedule import JOBS
from territoires.marches import opendata
from territoires.marches.models import Notice, NoticeKind
from territoires.marches.opendata import opendata_import, opendata_last_success

RECORDINGS = Path(__file__).parent / "recordings"
BOAMP_URL = opendata.DEFAULT_BOAMP_URL
TED_URL = opendata.DEFAULT_TED_URL
NOW = datetime(2025, 3, 16, 6, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 16, 18, 0, tzinfo=UTC)


class Recorded(requests.adapters.BaseAdapter):
    """Answers each request with `route(request)`: (status, body) or an exception to raise."""

    def __init__(self, route):
        super().__init__()
        self.route = route
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        self.requests.append(request)
        answer = self.route(request)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        response = requests.Response()
        response.status_code = status
        response.raw = io.BytesIO(body)
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


def session_with(route) -> tuple[requests.Session, Recorded]:
    session = requests.Session()
    adapter = Recorded(route)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session, adapter


def recording(name: str) -> bytes:
    return (RECORDINGS / name).read_bytes()


def params(request) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(request.url).query).items()}


def boamp_pages(request):
    """Page 1 at offset 0, page 2 at offset 2 (PAGE_SIZE is 2 in these tests)."""
    assert request.url.startswith(BOAMP_URL)
    return 200, recording({"0": "boamp_page1.json", "2": "boamp_page2.json"}[params(request)["offset"]])


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(opendata, "PAGE_SIZE", 2)


@pytest.fixture
def boamp(settings):
    settings.MARCHES_OPENDATA_SOURCES = "boamp"


@pytest.fixture
def ted(settings):
    settings.MARCHES_OPENDATA_SOURCES = "ted"


# ------------------------------------------------------------------ configuration


def test_nothing_is_fetched_when_unconfigured(settings):
    settings.MARCHES_OPENDATA_SOURCES = ""
    session, adapter = session_with(lambda request: pytest.fail("no request expected"))
    assert opendata_import(session=session, now=NOW) == {}
    assert adapter.requests == []
    assert not Notice.objects.exists()


def test_the_task_is_scheduled_and_does_nothing_when_unconfigured(settings, monkeypatch):
    from territoires.marches.tasks import import_opendata_notices

    assert any(job.task is import_opendata_notices for job in JOBS.values())
    settings.MARCHES_OPENDATA_SOURCES = ""
    monkeypatch.setattr(requests.Session, "send", lambda *a, **k: pytest.fail("no request expected"))
    assert import_opendata_notices.call() == {}


def test_sources_setting_is_lenient(settings, caplog):
    settings.MARCHES_OPENDATA_SOURCES = " TED, boamp ,, ftp "
    with caplog.at_level(logging.WARNING):
        assert opendata.opendata_sources() == ["boamp", "ted"]
    assert "ftp" in caplog.text


def test_nothing_is_fetched_while_another_worker_imports(boamp):
    session, adapter = session_with(boamp_pages)
    with leased("marches.opendata", opendata.timedelta(hours=1)):
        assert opendata_import(session=session, now=NOW) == {}
    assert adapter.requests == []


# ------------------------------------------------------------------ BOAMP


def test_boamp_pages_are_fetched_and_imported(boamp, settings):
    session, adapter = session_with(boamp_pages)
    result = opendata_import(session=session, now=NOW)
    assert result == {"boamp": {"imported": 3, "updated": 0, "skipped": 0, "rejected": []}}
    assert [params(r)["offset"] for r in adapter.requests] == ["0", "2"]
    query = params(adapter.requests[0])
    assert query["limit"] == "2"
    assert query["where"].startswith("dateparution >= date'2025-03-09' AND (")  # first run: a week back
    for departement in ("21", "25", "39", "58", "70", "71", "89", "90"):
        assert f'code_departement = "{departement}"' in query["where"]
    furniture = Notice.objects.get(source="boamp", source_id="25-60002")
    assert furniture.cpv_main == "39160000" and furniture.departement == "25"
    assert opendata_last_success("boamp") == NOW
    # Next run starts from the day of the last success; what it sees again is skipped.
    adapter.requests.clear()
    result = opendata_import(session=session, now=LATER)
    assert result["boamp"]["skipped"] == 3 and result["boamp"]["imported"] == 0
    assert "dateparution >= date'2025-03-16'" in params(adapter.requests[0])["where"]
    assert opendata_last_success("boamp") == LATER


def test_boamp_server_error_is_logged_and_retried_next_run(boamp, caplog):
    failing, adapter = session_with(lambda request: (500, b"<html>Internal Server Error</html>"))
    with caplog.at_level(logging.WARNING):
        result = opendata_import(session=failing, now=NOW)
    assert "HTTP 500" in result["boamp"]["error"]
    assert "HTTP 500" in caplog.text
    assert not Notice.objects.exists()
    assert opendata_last_success("boamp") is None
    working, _adapter = session_with(boamp_pages)
    assert opendata_import(session=working, now=LATER)["boamp"]["imported"] == 3
    assert opendata_last_success("boamp") == LATER


def test_boamp_failure_on_page_two_keeps_page_one_and_goes_on_next_run(boamp):
    def second_page_down(request):
        if params(request)["offset"] == "2":
            return requests.Timeout("read timed out")
        return boamp_pages(request)

    session, _adapter = session_with(second_page_down)
    result = opendata_import(session=session, now=NOW)
    assert "Délai d'attente dépassé" in result["boamp"]["error"]
    assert result["boamp"]["imported"] == 2  # page 1, whole
    assert set(Notice.objects.values_list("source_id", flat=True)) == {"25-60001", "25-60002"}
    assert opendata_last_success("boamp") is None  # the same window is asked again
    session, _adapter = session_with(boamp_pages)
    result = opendata_import(session=session, now=LATER)
    assert (result["boamp"]["imported"], result["boamp"]["skipped"]) == (1, 2)
    assert Notice.objects.count() == 3


def test_boamp_malformed_json_imports_nothing(boamp, caplog):
    session, _adapter = session_with(lambda request: (200, recording("boamp_truncated.json")))
    with caplog.at_level(logging.WARNING):
        result = opendata_import(session=session, now=NOW)
    assert "JSON illisible" in result["boamp"]["error"]
    assert "JSON illisible" in caplog.text
    assert not Notice.objects.exists()
    assert opendata_last_success("boamp") is None


def test_boamp_unexpected_answer_imports_nothing(boamp):
    session, _adapter = session_with(lambda request: (200, b'{"error_code": "ODSQLError", "message": "x"}'))
    assert "réponse inattendue" in opendata_import(session=session, now=NOW)["boamp"]["error"]
    assert not Notice.objects.exists()


# ------------------------------------------------------------------ TED


def ted_routes(*, xml_failure: str | None = None):
    def route(request):
        if request.method == "POST":
            assert request.url == TED_URL
            body = json.loads(request.body)
            return 200, recording(f"ted_search_page{body['page']}.json")
        number = urlsplit(request.url).path.split("/")[-2]
        if number == xml_failure:
            return 503, b"Service Unavailable"
        return 200, recording(f"ted_{number}.xml")

    return route


def test_ted_pages_and_notice_xml_are_fetched_and_imported(ted):
    session, adapter = session_with(ted_routes())
    result = opendata_import(session=session, now=NOW)
    assert result == {"ted": {"imported": 3, "updated": 0, "skipped": 0, "rejected": []}}
    searches = [json.loads(r.body) for r in adapter.requests if r.method == "POST"]
    assert [body["page"] for body in searches] == [1, 2]
    assert searches[0]["limit"] == 2 and "links" in searches[0]["fields"]
    assert "place-of-performance IN (FRC FRC1 FRC11" in searches[0]["query"]
    assert "publication-date >= 20250309" in searches[0]["query"]
    downloads = [r.url for r in adapter.requests if r.method == "GET"]
    assert downloads == [
        "https://ted.europa.eu/en/notice/123456-2025/xml",
        "https://ted.europa.eu/en/notice/234567-2025/xml",
        "https://ted.europa.eu/en/notice/345678-2025/xml",
    ]
    contract = Notice.objects.get(source="eforms", source_id="a1b2c3d4-0000-4000-8000-000000000016")
    assert contract.url == "https://ted.europa.eu/fr/notice/-/detail/123456-2025"
    assert contract.source_file.read() == recording("ted_123456-2025.xml")
    prior = Notice.objects.get(source_id="c3d4e5f6-0000-4000-8000-000000000004")
    assert prior.kind == NoticeKind.PRIOR and prior.url.endswith("/234567-2025")
    assert opendata_last_success("ted") == NOW


def test_ted_download_failure_leaves_the_page_for_next_run(ted, caplog):
    session, _adapter = session_with(ted_routes(xml_failure="345678-2025"))
    with caplog.at_level(logging.WARNING):
        result = opendata_import(session=session, now=NOW)
    assert "HTTP 503" in result["ted"]["error"] and result["ted"]["imported"] == 2
    assert not Notice.objects.filter(source_id="d4e5f6a7-0000-4000-8000-000000000029").exists()
    assert opendata_last_success("ted") is None
    session, _adapter = session_with(ted_routes())
    result = opendata_import(session=session, now=LATER)
    assert (result["ted"]["imported"], result["ted"]["skipped"]) == (1, 2)


def test_ted_unreadable_notice_is_rejected_not_retried(ted):
    def route(request):
        if request.method == "GET" and "234567-2025" in request.url:
            return 200, b"<TED_EXPORT><CODED_DATA_SECTION/></TED_EXPORT>"
        return ted_routes()(request)

    session, _adapter = session_with(route)
    result = opendata_import(session=session, now=NOW)
    assert result["ted"]["imported"] == 2
    assert result["ted"]["rejected"][0]["file"] == "TED 234567-2025"
    assert "n'est pas un avis eForms" in result["ted"]["rejected"][0]["error"]
    assert opendata_last_success("ted") == NOW


def test_ted_links_outside_ted_are_not_followed(ted):
    page = json.loads(recording("ted_search_page2.json"))
    page["notices"][0]["links"]["xml"]["MUL"] = "https://attacker.example/notice.xml"

    def route(request):
        if request.method == "POST":
            return 200, json.dumps(page).encode()
        pytest.fail(f"unexpected download {request.url}")

    session, _adapter = session_with(route)
    result = opendata_import(session=session, now=NOW)
    assert result["ted"]["rejected"] == [
        {"file": "TED 345678-2025", "error": "Avis TED sans lien vers son XML sur ted.europa.eu."}
    ]


def test_ted_malformed_json_imports_nothing(ted):
    session, _adapter = session_with(lambda request: (200, b'{"notices": [{"publication-number": '))
    assert "JSON illisible" in opendata_import(session=session, now=NOW)["ted"]["error"]
    assert not Notice.objects.exists()


def test_both_sources_run_independently(settings):
    settings.MARCHES_OPENDATA_SOURCES = "boamp,ted"

    def route(request):
        if request.url.startswith(BOAMP_URL):
            return 500, b""
        return ted_routes()(request)

    session, _adapter = session_with(route)
    result = opendata_import(session=session, now=NOW)
    assert "error" in result["boamp"] and result["ted"]["imported"] == 3
    assert opendata_last_success("boamp") is None and opendata_last_success("ted") == NOW


def test_ted_partial_answer_is_retried(ted):
    page = json.loads(recording("ted_search_page1.json"))
    page["timedOut"] = True
    session, adapter = session_with(lambda request: (200, json.dumps(page).encode()))
    assert "expiré" in opendata_import(session=session, now=NOW)["ted"]["error"]
    assert [r.method for r in adapter.requests] == ["POST"]
    assert not Notice.objects.exists() and opendata_last_success("ted") is None
