"""New notices from the open-data APIs: BOAMP (Opendatasoft Explore v2.1) and TED (Search API v3).

Disabled unless `MARCHES_OPENDATA_SOURCES` names sources ("boamp", "ted" or
both, comma-separated); then the periodic task `marches.tasks.import_opendata_notices`
calls `opendata_import()`, which fetches what was published since the last
successful fetch of each source and imports it through `marches.importing`
(the same mapping, region filter and deduplication as the command).

- **BOAMP**: GET `MARCHES_BOAMP_URL` with an ODSQL `where` on the region's
  départements and `dateparution >= date'…'`, `limit`/`offset` paging (the
  records endpoint stops at offset + limit = 10 000: beyond that the run stops
  and the next one goes on from the last publication date it saw).
- **TED**: POST `MARCHES_TED_URL` (anonymous) with an expert query on
  `place-of-performance` (the region's NUTS codes) and `publication-date`,
  page by page; each notice's eForms XML is then downloaded from the link the
  API gives (`links.xml.MUL`) and imported like a file.

Failures (HTTP errors, timeouts, malformed JSON, unexpected answers) are
logged and the source is tried again at the next run, from the same date:
a page is imported in one transaction, only once all of it was fetched, so a
page is never half imported; pages already imported are skipped next time by
the deduplication. A notice TED serves but we cannot read (not eForms, say)
is reported as rejected and not retried.

The last successful fetch of each source is kept in `core.PeriodicJob.last_run_at`
of a row named `marches.opendata:<source>`. Those rows are not periodic jobs
(the clock only claims rows of registered tasks, see `core.schedule`); the
table is used because it is the platform's "when did this last run" record
and no model may be added for this.
"""

import json
import logging
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from territoires.core.leases import leased
from territoires.core.models import PeriodicJob
from territoires.interop.eforms.errors import NoticeError
from territoires.interop.eforms.schema import MAX_NOTICE_BYTES
from territoires.marches.importing import (
    ImportReport,
    NoticeImportError,
    boamp_records,
    boamp_records_import,
    eforms_import,
)
from territoires.marches.reference import nuts_catalogue

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
SOURCES = ("boamp", "ted")
DEFAULT_BOAMP_URL = "https://boamp-datadila.opendatasoft.com/api/explore/v2.1/catalog/datasets/boamp/records"
DEFAULT_TED_URL = "https://api.ted.europa.eu/v3/notices/search"
DEFAULT_TIMEOUT = 30  # seconds, for each HTTP request
PAGE_SIZE = 100  # BOAMP allows 100 records a page, TED 250 notices
BOAMP_WINDOW = 10_000  # offset + limit cap of the Explore records endpoint
FIRST_RUN = timedelta(days=7)  # how far back the very first fetch goes
STATE_PREFIX = "marches.opendata:"
MAX_JSON_BYTES = 50 * 1024 * 1024
TED_FIELDS = ["publication-number", "publication-date", "notice-identifier", "links"]


class OpenDataError(Exception):
    """A fetch that failed and will be retried at the next run (French message, logged)."""


# --------------------------------------------------------------------------- settings and state


def opendata_sources() -> list[str]:
    """The configured sources, in a fixed order; [] (the default) disables the fetches."""
    value = getattr(settings, "MARCHES_OPENDATA_SOURCES", "") or ""
    names = value.split(",") if isinstance(value, str) else list(value)
    wanted = {name.strip().lower() for name in names if name and name.strip()}
    unknown = wanted - set(SOURCES)
    if unknown:
        logger.warning("MARCHES_OPENDATA_SOURCES: unknown source(s) ignored: %s", ", ".join(sorted(unknown)))
    return [name for name in SOURCES if name in wanted]


def _timeout() -> float:
    return float(getattr(settings, "MARCHES_OPENDATA_TIMEOUT", DEFAULT_TIMEOUT))


def opendata_last_success(source: str) -> datetime | None:
    """When `source` was last fetched completely (None before the first success)."""
    row = PeriodicJob.objects.filter(name=STATE_PREFIX + source).first()
    return row.last_run_at if row else None


def _mark_success(source: str, at: datetime) -> None:
    PeriodicJob.objects.update_or_create(
        name=STATE_PREFIX + source, defaults={"last_run_at": at, "next_run_at": at}
    )


def _since(source: str, now: datetime) -> date:
    """First publication day to ask for: the day of the last success (Paris), overlap included."""
    last = opendata_last_success(source) or (now - FIRST_RUN)
    return timezone.localtime(last, PARIS).date()


# --------------------------------------------------------------------------- entry point


def opendata_import(*, session: requests.Session | None = None, now: datetime | None = None) -> dict:
    """Fetch and import every configured source; {source: report JSON or {"error": …}}.

    Returns {} without any request when no source is configured, or when
    another worker is already running the import.
    """
    sources = opendata_sources()
    if not sources:
        return {}
    now = now or timezone.now()
    results: dict = {}
    with leased("marches.opendata", timedelta(hours=1)) as held:
        if not held:
            logger.info("Open-data notice import already running elsewhere; skipped.")
            return {}
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = "Territoires (salle des marchés ; import des avis)"
        for source in sources:
            report = ImportReport()
            try:
                resume_at = FETCHERS[source](session=session, since=_since(source, now), report=report)
            except OpenDataError as error:
                logger.warning("Open-data import from %s failed, retried next run: %s", source, error)
                results[source] = {**report.as_json(), "error": str(error)}
                continue
            except Exception as error:  # a bug or a database error: the other source still runs
                logger.exception("Open-data import from %s failed, retried next run", source)
                results[source] = {**report.as_json(), "error": f"Erreur inattendue : {error.__class__.__name__}."}
                continue
            _mark_success(source, resume_at or now)
            results[source] = report.as_json()
            for item in report.rejected:
                logger.warning("Open-data notice rejected (%s): %s", item["file"], item["error"])
    return results


# --------------------------------------------------------------------------- HTTP


def _http_error(error: requests.RequestException) -> OpenDataError:
    if isinstance(error, requests.Timeout):
        return OpenDataError(f"Délai d'attente dépassé ({error.__class__.__name__}).")
    return OpenDataError(f"Erreur de connexion ({error.__class__.__name__}).")


def _json(response: requests.Response, what: str):
    if response.status_code != 200:
        raise OpenDataError(f"{what} : réponse HTTP {response.status_code}.")
    if len(response.content) > MAX_JSON_BYTES:
        raise OpenDataError(f"{what} : réponse trop volumineuse.")
    try:
        return json.loads(response.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise OpenDataError(f"{what} : réponse JSON illisible ({error}).") from None


def _download(session: requests.Session, url: str, what: str) -> bytes:
    """The body of `url`, refused past MAX_NOTICE_BYTES without holding more than that."""
    try:
        with session.get(url, timeout=_timeout(), stream=True) as response:
            if response.status_code != 200:
                raise OpenDataError(f"{what} : réponse HTTP {response.status_code}.")
            chunks, total = [], 0
            for chunk in response.iter_content(chunk_size=64 * 1024):
                total += len(chunk)
                if total > MAX_NOTICE_BYTES:
                    raise OpenDataError(f"{what} : avis de plus de {MAX_NOTICE_BYTES} octets refusé.")
                chunks.append(chunk)
    except requests.RequestException as error:
        raise _http_error(error) from None
    return b"".join(chunks)


# --------------------------------------------------------------------------- BOAMP


def boamp_where(since: date) -> str:
    """ODSQL filter: published since `since` in one of the region's départements."""
    departements = sorted({entry.departement for entry in nuts_catalogue().nuts3() if entry.departement})
    places = " OR ".join(f'code_departement = "{code}"' for code in departements)
    return f"dateparution >= date'{since.isoformat()}' AND ({places})"


def boamp_fetch(*, session: requests.Session, since: date, report: ImportReport) -> datetime | None:
    """Import BOAMP records published since `since`; returns where the next run must start
    (None: caught up, the run's start time is kept)."""
    url = getattr(settings, "MARCHES_BOAMP_URL", DEFAULT_BOAMP_URL) or DEFAULT_BOAMP_URL
    where = boamp_where(since)
    offset, last_day = 0, None
    while True:
        params = {"where": where, "order_by": "dateparution, idweb", "limit": PAGE_SIZE, "offset": offset}
        what = f"BOAMP (décalage {offset})"
        try:
            response = session.get(url, params=params, timeout=_timeout())
        except requests.RequestException as error:
            raise _http_error(error) from None
        document = _json(response, what)
        if not isinstance(document, dict) or not isinstance(document.get("results"), list):
            raise OpenDataError(f"{what} : réponse inattendue (pas de « results »).")
        try:
            records = boamp_records(document)
        except NoticeImportError as error:
            raise OpenDataError(f"{what} : {error}") from None
        page = ImportReport()
        with transaction.atomic():
            boamp_records_import(records, label=f"BOAMP {offset}", report=page)
        report.merge(page)
        days = [record.get("dateparution") for record in records if isinstance(record.get("dateparution"), str)]
        last_day = max(days + ([last_day] if last_day else []), default=last_day)
        offset += len(records)
        total = document.get("total_count")
        if len(records) < PAGE_SIZE or (isinstance(total, int) and offset >= total):
            return None
        if offset + PAGE_SIZE > BOAMP_WINDOW:
            logger.warning("BOAMP: more than %s records since %s; the next run goes on.", BOAMP_WINDOW, since)
            try:
                resume = date.fromisoformat(last_day[:10]) if last_day else since
            except ValueError:
                resume = since
            return datetime.combine(resume, time.min, tzinfo=PARIS)


# --------------------------------------------------------------------------- TED


def ted_query(since: date) -> str:
    """Expert query: performed in the region (any of its NUTS codes), published since `since`."""
    places = " ".join(entry.code for entry in nuts_catalogue())
    return (
        f"(place-of-performance IN ({places})) AND (publication-date >= {since:%Y%m%d}) "
        "SORT BY publication-date ASC"
    )


def _xml_link(notice: dict) -> str:
    links = notice.get("links") if isinstance(notice.get("links"), dict) else {}
    xml = links.get("xml") if isinstance(links.get("xml"), dict) else {}
    url = xml.get("MUL") or next((value for value in xml.values() if isinstance(value, str)), "")
    parts = urlsplit(url or "")
    # Only follow links to TED itself: the answer decides what we download.
    if parts.scheme != "https" or not (parts.hostname or "").endswith(".europa.eu"):
        return ""
    return url


def ted_fetch(*, session: requests.Session, since: date, report: ImportReport) -> datetime | None:
    """Import TED notices performed in the region and published since `since`."""
    url = getattr(settings, "MARCHES_TED_URL", DEFAULT_TED_URL) or DEFAULT_TED_URL
    query = ted_query(since)
    page_number = 1
    while True:
        body = {
            "query": query, "fields": TED_FIELDS, "page": page_number, "limit": PAGE_SIZE,
            "paginationMode": "PAGE_NUMBER", "scope": "ALL", "checkQuerySyntax": False,
        }
        what = f"TED (page {page_number})"
        try:
            response = session.post(url, json=body, timeout=_timeout())
        except requests.RequestException as error:
            raise _http_error(error) from None
        document = _json(response, what)
        if not isinstance(document, dict) or not isinstance(document.get("notices"), list):
            raise OpenDataError(f"{what} : réponse inattendue (pas de « notices »).")
        if document.get("timedOut") is True:  # TED answered with a partial result set
            raise OpenDataError(f"{what} : la recherche TED a expiré, résultats partiels.")
        notices = [item for item in document["notices"] if isinstance(item, dict)]
        page = ImportReport()
        fetched = []
        for notice in notices:
            number = str(notice.get("publication-number") or "").strip()
            link = _xml_link(notice)
            if not link:
                page.reject(f"TED {number or '?'}", "Avis TED sans lien vers son XML sur ted.europa.eu.")
                continue
            fetched.append((number, _download(session, link, f"TED {number}")))
        with transaction.atomic():
            for number, data in fetched:
                label = f"TED {number}"
                try:
                    with transaction.atomic():
                        eforms_import(data, label=label, report=page, publication_number=number.lstrip("0"))
                except (NoticeError, NoticeImportError) as error:
                    page.reject(label, str(error))
                except Exception as error:  # a bug on one notice must not block the source
                    logger.exception("Import of %s failed", label)
                    page.reject(label, f"Erreur inattendue pendant l'import : {error.__class__.__name__}.")
        report.merge(page)
        total = document.get("totalNoticeCount")
        if len(notices) < PAGE_SIZE or (isinstance(total, int) and page_number * PAGE_SIZE >= total):
            return None
        page_number += 1


FETCHERS = {"boamp": boamp_fetch, "ted": ted_fetch}
