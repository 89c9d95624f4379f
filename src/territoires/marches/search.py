"""Full-text search over the portal's notices, the same on SQLite and PostgreSQL.

Why stems are computed here and not by the database: SQLite has no French
stemmer, and PostgreSQL's `french` configuration does not fold accents nor
stem exactly like Snowball's Python port. So `search_document` holds words
already folded (`interop.cpv.fold`: accent-free, lower case) and stemmed
(Snowball French), stop words removed; queries go through the same function,
and each database only has to match plain tokens:

- SQLite: an FTS5 external-content table `marches_notice_fts` over
  `search_document`, kept in sync by triggers (migration 0002);
- PostgreSQL: `search_vector`, a stored generated column
  `to_tsvector('simple', search_document)` with a GIN index ('simple' only
  splits and lower-cases, it adds no stemming of its own). Stored rather than
  an expression index so that a frequent word checked row by row along the
  deadline index, and ts_rank, do not re-parse every document. The column is
  not a model field: the database fills it, Django never reads it.

Every query word must match (AND). Results are never counted: a page says
whether another follows (`SearchPage.capped`), see `notice_search`.
"""

import math
import re
import threading
import time
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.utils import timezone

from territoires.interop.cpv import fold
from territoires.marches.search_sql import (
    TABLE,
    Where,
    column,
    count_upto,
    notices,
    notices_by_id,
    rows,
    values,
)

COUNT_CAP = 1000  # deepest result offered (pages, API offset) and the relevance pool
# What lists of notices show (page, API, feed, digest): searches fetch only these columns,
# a third of the others' cost per row (the notice page reads its notice again, whole).
LIST_FIELDS = ("source", "source_id", "state", "title", "buyer_name", "cpv_main", "nuts", "deadline",
               "published_on", "url", "imported_at", "updated_at")
SORTS = ("deadline", "published", "relevance")

# Common French words that carry no meaning in a tender's text (folded forms).
STOPWORDS = frozenset("""
a ai au aux avec ce ces cet cette d dans de des du elle en est et il ils j l la le les leur leurs
lui m ma mais me meme mes moi mon n ne ni nos notre nous on ou par pas pour qu que qui s sa sans
se ses son sont sur ta te tes toi ton tu un une vos votre vous y c etc afin ainsi
""".split())

_WORD_RE = re.compile(r"[0-9a-z]+")
_local = threading.local()


def _stemmer():
    # A Snowball stemmer keeps its state between calls: one per thread (gthread workers).
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


def stems(text: str) -> list[str]:
    """Folded, stemmed significant words of `text`, in order: the unit of the index.

    Folding comes first so that 'électricité' and 'electricite' give the same
    stem (Snowball would otherwise treat the accented vowel differently).
    Single letters and stop words are dropped; numbers are kept as they are.
    """
    out = []
    for word in _WORD_RE.findall(fold(text or "")):
        if len(word) < 2 or word in STOPWORDS:
            continue
        out.append(word if word.isdigit() else _stem(word))
    return out


def document_text(*, title: str, description: str = "", buyer_name: str = "", cpv_main: str = "") -> str:
    """The search document of these fields; also used by the bulk loader of the benchmark.

    The French label of the main CPV code is included, so "routier" finds a
    notice coded 45233141 (Travaux d'entretien routier) whose title only says
    "chaussée". Ancestors' labels are not: "Travaux de construction de
    pipelines, … d'aérodromes" would make every road notice match "aérodrome".
    """
    parts = [title, description, buyer_name]
    if cpv_main:
        from territoires.marches.reference import cpv_catalogue

        catalogue = cpv_catalogue()
        entry = catalogue.get(cpv_main)
        if entry is not None:
            parts.extend((entry.code, entry.label_fr))
    return " ".join(stems(" ".join(filter(None, parts))))


def notice_document(notice) -> str:
    """Accent-free, stemmed text of the notice's searchable fields (see `document_text`)."""
    return document_text(title=notice.title, description=notice.description,
                         buyer_name=notice.buyer_name, cpv_main=notice.cpv_main)


def query_terms(q: str) -> list[str]:
    """The distinct stems a query must all match; [] when it has no significant word."""
    return list(dict.fromkeys(stems(q)))


# ------------------------------------------------------------------ parameters


def _cpv_divisions() -> set[str]:
    from territoires.marches.reference import cpv_catalogue

    return {division for division, _label in cpv_catalogue().divisions()}


def _departements() -> set[str]:
    from territoires.marches.reference import nuts_catalogue

    return {entry.departement for entry in nuts_catalogue().nuts3()}


def _choices(enum_name: str) -> set[str]:
    from territoires.marches import models

    return set(getattr(models, enum_name).values)


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    cpv: str = ""  # CPV prefix: a division ("45") or longer
    departement: str = ""
    nuts: str = ""
    procedure: str = ""
    nature: str = ""
    buyer: str = ""
    closing_after: date | None = None
    closing_before: date | None = None
    open_only: bool = False
    sort: str = "deadline"  # deadline | published | relevance

    @classmethod
    def from_query(cls, query) -> tuple["SearchParams", dict[str, str]]:
        """Parse a query string (QueryDict or dict); returns the params and French errors by field.

        An invalid value is left out of the params (the other criteria still
        apply) and explained in the errors, keyed by the parameter's name.
        """
        values, errors = {}, {}
        for f in fields(cls):
            raw = query.get(f.name) if hasattr(query, "get") else None
            raw = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw).strip())
            if not raw:
                continue
            error = None
            if f.name in ("closing_after", "closing_before"):
                try:
                    values[f.name] = date.fromisoformat(raw)
                except ValueError:
                    error = "Date invalide : utilisez le format AAAA-MM-JJ, par exemple 2026-03-31."
            elif f.name == "open_only":
                values[f.name] = raw.lower() in ("1", "true", "on", "oui")
            elif f.name == "cpv":
                code = raw.replace(" ", "").partition("-")[0]
                if not re.fullmatch(r"\d{2,8}", code):
                    error = "Code CPV invalide : indiquez une division (2 chiffres, par exemple 45) ou un code."
                elif code[:2] not in _cpv_divisions():
                    error = f"La division CPV « {code[:2]} » n'existe pas dans la nomenclature CPV 2008."
                else:
                    values[f.name] = code
            elif f.name == "departement":
                if raw not in _departements():
                    error = (f"Département inconnu : « {raw} ». Choisissez un département de "
                             "Bourgogne-Franche-Comté (21, 25, 39, 58, 70, 71, 89 ou 90).")
                else:
                    values[f.name] = raw
            elif f.name == "nuts":
                code = raw.upper()
                if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}", code):
                    error = "Code NUTS invalide : par exemple FRC11 (Côte-d'Or) ou FRC (toute la région)."
                else:
                    values[f.name] = code
            elif f.name == "procedure":
                if raw not in _choices("Procedure"):
                    error = "Procédure inconnue."
                else:
                    values[f.name] = raw
            elif f.name == "nature":
                if raw not in _choices("Nature"):
                    error = "Nature inconnue : travaux, fournitures ou services."
                else:
                    values[f.name] = raw
            elif f.name == "sort":
                if raw not in SORTS:
                    error = "Tri inconnu : date limite, date de publication ou pertinence."
                else:
                    values[f.name] = raw
            elif f.name in ("q", "buyer"):
                if "\x00" in raw:
                    error = "Le caractère nul n'est pas accepté."
                else:
                    values[f.name] = raw[:200]
            else:
                values[f.name] = raw
            if error:
                errors[f.name] = error
        after, before = values.get("closing_after"), values.get("closing_before")
        if after and before and after > before:
            errors["closing_before"] = "La date de fin doit suivre la date de début."
            del values["closing_before"]
        return cls(**values), errors

    def to_query(self) -> dict[str, str]:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in ("", None, False) or (f.name == "sort" and value == "deadline"):
                continue
            out[f.name] = "1" if value is True else str(value)
        return out


@dataclass(frozen=True)
class SearchPage:
    items: list
    total: int  # notices up to the end of this page: the exact total when not `capped`
    capped: bool  # more notices follow this page


# ------------------------------------------------------------------ query

# On SQLite, a word found in more notices than this is checked row by row while
# another index (deadline, département…) drives the query; rarer words drive
# it through FTS5. SQLite cannot weigh this itself: it has no statistics on a
# virtual table and always starts from the full-text match.
SQLITE_DRIVING_DOCS = 3000


def _fts5_expression(terms: list[str]) -> str:
    # Terms are [0-9a-z]+ (see `stems`): quoted, they are plain tokens, never FTS5 syntax.
    return " ".join(f'"{term}"' for term in terms)


_SQLITE_RAREST_TTL = 60.0
_sqlite_rarest_cache: dict[tuple[str, ...], tuple[float, int]] = {}


def _sqlite_rarest(terms: list[str]) -> int:
    """How many notices hold the rarest term: an upper bound of the matches.

    Kept a minute per process: the figure only chooses the plan, never the results.
    """
    key = tuple(terms)
    cached = _sqlite_rarest_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < _SQLITE_RAREST_TTL:
        return cached[1]
    if len(_sqlite_rarest_cache) > 10_000:
        _sqlite_rarest_cache.clear()
    rarest = _sqlite_rarest_count(terms)
    _sqlite_rarest_cache[key] = (time.monotonic(), rarest)
    return rarest


def _sqlite_rarest_count(terms: list[str]) -> int:
    placeholders = ", ".join(["%s"] * len(terms))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT min(doc), count(*) FROM marches_notice_fts_vocab WHERE term IN ({placeholders})",  # noqa: S608
            terms,
        )
        rarest, known = cursor.fetchone()
    return 0 if known < len(terms) else rarest


# On PostgreSQL, words held by more than this share of the notices are checked row by row
# (the planner does not weigh the cost of reading a posting list of half the table).
PG_FREQUENT = 0.2
_PG_FREQUENCIES_TTL = 600.0
_pg_frequencies: dict = {"at": float("-inf"), "words": {}}


def _pg_word_frequencies() -> dict[str, float]:
    """The frequent words of the index and their share of notices, from ANALYZE's statistics.

    Read at most every ten minutes per process: statistics only change with ANALYZE.
    """
    if time.monotonic() - _pg_frequencies["at"] < _PG_FREQUENCIES_TTL:
        return _pg_frequencies["words"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e, f FROM pg_stats, unnest(most_common_elems::text::text[]) WITH ORDINALITY AS a(e, i) "
            "JOIN unnest(most_common_elem_freqs) WITH ORDINALITY AS b(f, j) ON i = j "
            "WHERE schemaname = current_schema() AND tablename = 'marches_notice' AND attname = 'search_vector'"
        )
        words = dict(cursor.fetchall())
    _pg_frequencies.update(at=time.monotonic(), words=words)
    return words


def _match_condition(terms: list[str], *, indexable: bool = True) -> tuple[str, str]:
    """A boolean SQL condition and its parameter: the notice's document holds every term.

    `indexable=False` (PostgreSQL) spells `@@` as its function, which the planner
    cannot serve from the GIN index: used where another index must drive.
    """
    if connection.vendor == "postgresql":
        if indexable:
            frequencies = _pg_word_frequencies()
            indexable = min(frequencies.get(term, 0.0) for term in terms) < PG_FREQUENT
        return (_PG_MATCH if indexable else _PG_MATCH_FUNCTION), " & ".join(terms)
    # `+` keeps SQLite from driving the query from the match list when the words are frequent.
    sql = _SQLITE_DRIVING if _sqlite_rarest(terms) <= SQLITE_DRIVING_DOCS else _SQLITE_CHECKED
    return sql, _fts5_expression(terms)


_PG_MATCH = "(\"marches_notice\".\"search_vector\" @@ to_tsquery('simple', %s))"
_PG_MATCH_FUNCTION = "(ts_match_vq(\"marches_notice\".\"search_vector\", to_tsquery('simple', %s)))"
_SQLITE_MATCH = "IN (SELECT rowid FROM marches_notice_fts WHERE marches_notice_fts MATCH %s)"
_SQLITE_DRIVING = '("marches_notice"."id" ' + _SQLITE_MATCH + ")"
_SQLITE_CHECKED = '(+"marches_notice"."id" ' + _SQLITE_MATCH + ")"


def _paris_midnight(day: date) -> datetime:
    # zoneinfo gives the right offset at midnight on both sides of a DST change.
    return datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())


def notice_conditions(params: SearchParams, *, imported_since: datetime | None = None, now=None,
                      match: bool | None = True) -> tuple[Where, list[str]]:
    """The conditions of the search (no order) and the query's terms; `notice_search` orders and pages.

    `match=False` leaves the full-text condition out (the relevance order joins it itself);
    `match=None` keeps it out of the full-text index's reach (see `_match_condition`).
    """
    from territoires.marches.models import NoticeState

    where = Where()
    terms = query_terms(params.q)
    if terms and match is not False:
        where = where.also(*_match_condition(terms, indexable=match is True))
    if params.cpv:
        where = where.also(f"{column('cpv_division')} = %s", params.cpv[:2])
        if len(params.cpv) > 2:
            where = where.like("cpv_main", "startswith", params.cpv)
    if params.departement:
        where = where.also(f"{column('departement')} = %s", params.departement)
    if params.nuts:
        where = where.like("nuts", "startswith", params.nuts)
    if params.procedure:
        where = where.also(f"{column('procedure')} = %s", params.procedure)
    if params.nature:
        where = where.also(f"{column('nature')} = %s", params.nature)
    if params.buyer:
        where = where.like("buyer_name", "icontains", params.buyer)
    # Closing dates are days in Europe/Paris, both ends included.
    if params.closing_after:
        where = where.also(f"{column('deadline')} >= %s", _paris_midnight(params.closing_after))
    if params.closing_before:
        where = where.also(f"{column('deadline')} < %s", _paris_midnight(params.closing_before) + timedelta(days=1))
    if params.open_only:
        where = where.also(f"{column('deadline')} > %s", now or timezone.now())
        where = where.also(f"{column('state')} = %s", str(NoticeState.ACTIVE))
    if imported_since:
        where = where.also(f"{column('imported_at')} >= %s", imported_since)
    return where, terms


_BOUND_TTL = 60.0
_bounds: dict[tuple, tuple[float, object]] = {}


def _prefix_bound(params: SearchParams, field: str, descending: bool, depth: int, now):
    """The `depth`-th value of `field` in the order, among all dated notices the date criteria allow.

    Read from the order's own index (no other criterion), so it costs `depth` index entries;
    kept a minute per process, since any bound gives the right page (see `_dated_then_undated`):
    an outdated one only makes the head a little longer or shorter.
    """
    key = (field, descending, depth, params.closing_after, params.closing_before, params.open_only)
    cached = _bounds.get(key)
    if cached is not None and time.monotonic() - cached[0] < _BOUND_TTL:
        return cached[1]
    where = Where().also(f"{column(field)} IS NOT NULL")
    if field == "deadline":
        if params.closing_after:
            where = where.also(f"{column(field)} >= %s", _paris_midnight(params.closing_after))
        if params.closing_before:
            where = where.also(f"{column(field)} < %s", _paris_midnight(params.closing_before) + timedelta(days=1))
        if params.open_only:
            where = where.also(f"{column(field)} > %s", now)
    found = values(field, where, f"1 {'DESC' if descending else 'ASC'}", depth - 1, 1)
    bound = found[0] if found else None
    if len(_bounds) > 1000:
        _bounds.clear()
    _bounds[key] = (time.monotonic(), bound)
    return bound


def clear_plan_caches() -> None:
    """Forget what chooses query plans (bounds, word figures): for tests, whose data changes."""
    _bounds.clear()
    _sqlite_rarest_cache.clear()
    _pg_frequencies.update(at=float("-inf"), words={})


def _order(field: str, descending: bool, whole: bool = False) -> str:
    """ORDER BY `field` then pk. `whole`: the order for rare matches — on PostgreSQL, an
    expression that keeps the planner from walking the order's index past thousands of rows
    (fetching the few matches through the other indexes, then sorting them, is cheaper).
    Both give the same rows."""
    direction = "DESC" if descending else "ASC"
    key = column(field)
    if whole and connection.vendor == "postgresql":
        key = f"COALESCE({key}, {key})"
    return f"{key} {direction}, {column('id')} {direction}"


def _dated_then_undated(where: Where, field: str, descending: bool, offset: int, limit: int, prefix=None,
                        sort_whole: bool = False) -> list:
    """Rows with `field` in its order (pk breaking ties), then rows without it by pk.

    Two queries instead of NULLS LAST: SQLite cannot read an index in NULLS LAST
    order (it sorts every match), nor PostgreSQL in DESC NULLS LAST; each part
    here is a plain index order on both, and both put the undated rows last.

    `prefix` (conditions, bound_at): try the head of the order first, see `notice_search`;
    `bound_at(depth)` is the `depth`-th value of the order. `sort_whole`: the matches are
    known to be rare (see `_order`).
    """
    order = _order(field, descending)
    whole = sort_whole
    dated_field = f"{column(field)} IS NOT NULL"
    if prefix is not None:
        prefix_where, bound_at = prefix
        depth, skip, items = PREFIX_DEPTH, offset, []
        within = f"{column(field)} {'>=' if descending else '<='} %s"
        past = Where().also(dated_field)
        for attempt in range(2):
            bound = bound_at(depth)
            if bound is None:
                break  # fewer dated notices than `depth`: the full query reads no more
            items += notices(LIST_FIELDS, (prefix_where & past).also(within, bound), order, skip, limit - len(items))
            if len(items) == limit:
                return items
            found = offset + len(items)  # matches in the head (at least)
            if found < SPARSE_FRACTION * depth:
                whole = True
                break
            if attempt:
                break
            # Matches are frequent in the head, the page ends a little deeper: read as deep
            # as their density says (with a margin), once, rather than sort every match. The
            # deeper head goes on from this one's bound when this one held the page's start.
            depth = min(math.ceil(depth * (offset + limit) / found * 1.5), PREFIX_DEPTH * 8)
            if items:
                skip = 0
                past = Where().also(f"{column(field)} {'<' if descending else '>'} %s", bound)
    dated = where.also(dated_field)
    items = notices(LIST_FIELDS, dated, _order(field, descending, whole), offset, limit)
    if len(items) == limit:
        return items
    dated_total = offset + len(items) if items or offset == 0 else count_upto(dated, offset)
    start = max(offset - dated_total, 0)
    undated = where.also(f"{column(field)} IS NULL")
    direction = "DESC" if descending else "ASC"
    return items + notices(LIST_FIELDS, undated, f"{column('id')} {direction}", start, limit - len(items))


def _rare(terms: list[str], fetch: int) -> bool:
    """Whether the head of the order would hold too few matches to be worth reading.

    PostgreSQL only, from ANALYZE's word figures: a word absent from them is rarer than
    every word they list. Without figures (a new or small table), nothing is rare.
    """
    if not terms or connection.vendor != "postgresql":
        return False
    frequencies = _pg_word_frequencies()
    if not frequencies:
        return False
    return min(frequencies.get(term, 0.0) for term in terms) * PREFIX_DEPTH < fetch / 2


def _by_relevance(where: Where, params: SearchParams, terms: list[str], offset: int, limit: int, *,
                  imported_since: datetime | None, now) -> list:
    """Best first (bm25 on SQLite, ts_rank on PostgreSQL), then by pk, among the COUNT_CAP
    most recent matches.

    One query reads the pool's ids with their rank (walking the primary key backwards, the
    rank costs little once the row is read), Python orders these few pairs, and the page's
    notices are fetched by id: cheaper than ranking the pool in a second query over an
    IN list of a thousand ids. The databases rank differently, so this is the one order
    that may differ between them.
    """
    if connection.vendor == "postgresql":
        pool = rows(f"{column('id')}, ts_rank({column('search_vector')}, to_tsquery('simple', %s))",
                    [" & ".join(terms)], TABLE, where, f"{column('id')} DESC", 0, COUNT_CAP)
    else:
        # FTS5's `rank` (bm25, lower is better) is only readable in a join with the MATCH.
        unmatched, _terms = notice_conditions(params, imported_since=imported_since, now=now, match=False)
        joined = (unmatched.also("(marches_notice_fts.rowid = marches_notice.id)")
                  .also("(marches_notice_fts MATCH %s)", _fts5_expression(terms)))
        pool = rows(f"{column('id')}, -marches_notice_fts.rank", [], f"{TABLE} , marches_notice_fts", joined,
                    f"{column('id')} DESC", 0, COUNT_CAP)
    ranked = sorted(pool, key=lambda pair: (-pair[1], pair[0]))
    ids = [pk for pk, _relevance in ranked[offset:offset + limit]]
    found = notices_by_id(LIST_FIELDS, ids)
    return [found[pk] for pk in ids]


# With many matches, the page is first looked for among this many notices at the head
# of the order (an index range), see `notice_search`.
PREFIX_DEPTH = 2000
PREFIX_ROWS = 100  # deeper pages rarely fit in the head: straight to the full query
# Share of the head's notices under which the matches count as rare, see `_dated_then_undated`.
SPARSE_FRACTION = 0.004


def notice_search(params: SearchParams, *, offset: int = 0, limit: int = 20,
                  imported_since: datetime | None = None) -> SearchPage:
    """One page of notices matching `params`, and whether more follow.

    Orders are total (the primary key breaks ties) and put notices without a
    date last, so SQLite and PostgreSQL return the same page (relevance aside).

    Nothing is counted: one row more than the page is fetched to know whether
    another page follows (`capped`), and `total` is the number of notices up to
    the end of this page — exact when `capped` is false. Counting even up to a
    cap was two thirds of the database time of a search at 1M notices (a count
    cannot stop early on a bitmap scan, which a rare word or an "open only"
    range gets), for a figure few users read; pages and alerts need no total.

    The page is first looked for among the PREFIX_DEPTH first notices of the
    order (a range of the order's index, whatever the other criteria): if enough
    of them match, they are the page, since every later notice comes after them.
    This is what PostgreSQL cannot see by itself: it multiplies the selectivities
    of the words ("entretien espaces verts" is estimated at 200 notices when
    26,000 of 1M hold all three) and would fetch and sort every match (~90 ms)
    instead of walking the index (< 1 ms). When the head holds many matches but
    not the whole page, a deeper head is read once, as deep as the matches'
    density says; when it holds few, every match is fetched and sorted. Words
    the statistics already show to be rare skip the head altogether.

    Ranking every match by relevance would cost hundreds of milliseconds for a
    frequent word, so relevance ranks the COUNT_CAP most recently imported matches.
    """
    offset, limit = max(offset, 0), max(limit, 0)
    now = timezone.now()
    where, terms = notice_conditions(params, imported_since=imported_since, now=now)
    fetch = limit + 1
    if params.sort == "relevance" and terms:
        items = _by_relevance(where, params, terms, offset, fetch, imported_since=imported_since, now=now)
    else:
        field, descending = ("published_on", True) if params.sort == "published" else ("deadline", False)
        prefix, rare = None, _rare(terms, fetch)
        if offset + fetch <= PREFIX_ROWS and not rare:
            prefix_where, _terms = notice_conditions(params, imported_since=imported_since, now=now, match=None)
            prefix = (prefix_where, lambda depth: _prefix_bound(params, field, descending, depth, now))
        items = _dated_then_undated(where, field, descending, offset, fetch, prefix, sort_whole=rare)
    more = len(items) > limit
    items = items[:limit]
    return SearchPage(items=items, total=offset + len(items), capped=more)
