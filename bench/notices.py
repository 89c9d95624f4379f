"""Portal search under load: the search page and the JSON API over many notices.

    .venv/bin/python bench/notices.py [--sqlite-count 100000] [--pg-count 1000000] [--skip-pg]
        [--clients 8] [--duration 20] [--warmup 3] [--keep] [--reuse]

For each database: a fresh database (SQLite file in a temporary folder, or the
`bench_notices` database on the PostgreSQL server of DATABASE_URL /
127.0.0.1:5432, dropped afterwards), `migrate`, then N generated notices
(not timed): French titles built from tender objects buyers really publish
("Travaux de réfection de la voirie communale", "Fourniture de repas en
liaison froide", …) and the region's communes (COG 2018), CPV codes drawn
with the spread of French tenders (division 45 about a third, then services
71/79/90/50/…, supplies 15/30/34/39/44/…), three years of publication dates,
about 3 % still open, 2 % cancelled. Rows are bulk-inserted (executemany on
SQLite, COPY on PostgreSQL), each with its `search_document` computed by the
production function (`marches.search.document_text`); on PostgreSQL the
indexes of migration 0002 are rebuilt after the load, then ANALYZE.

Then one gunicorn server (bench.settings, as bench/pages.py: one gthread
worker per core, 4 threads) and 8 client processes on kept-alive
connections, each cycling through its own shuffled mix of ~60 searches:
full text (frequent, medium and rare words, several words, no accents),
filters (CPV division, département, procedure, nature, closing dates, buyer,
open only), combinations, other sorts and second pages — half on the HTML page
`/marches/`, half on `/api/v1/marches/notices`. Latency is measured
client-side. Any non-200 answer is an error: printed, exit status 1.

Targets: p95 ≤ 100 ms on SQLite at 100,000 notices; ≤ 50 ms on PostgreSQL at 1,000,000.
"""

import argparse
import csv
import http.client
import json
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: `bench` importable

from bench.common import (
    REPO,
    bench_environment,
    free_port,
    machine,
    pg_reachable,
    pg_recreate,
    redact,
    start_gunicorn,
    stop_server,
)
from bench.common import pg_url as pg_url_of

PG_DATABASE = "bench_notices"
TARGETS = {"sqlite": 100.0, "postgres": 50.0}
SEED = 20260302

# --- Data -------------------------------------------------------------------------------------

# (title template, CPV codes, nature); {lieu} is a commune. Objects taken from real BOAMP notices.
OBJECTS = [
    ("Travaux de réfection de la voirie communale", ["45233141", "45233142", "45233140"], "works"),
    ("Travaux d'aménagement du centre-bourg de {lieu}", ["45233000", "45236000", "45112710"], "works"),
    ("Réhabilitation de l'école élémentaire de {lieu}", ["45214200", "45454000", "45210000"], "works"),
    ("Construction d'une salle polyvalente à {lieu}", ["45212000", "45210000"], "works"),
    ("Rénovation énergétique de la mairie de {lieu}", ["45321000", "45331000", "45454000"], "works"),
    ("Travaux d'assainissement collectif, rue de la Gare à {lieu}", ["45232411", "45232400"], "works"),
    ("Renouvellement de la conduite d'eau potable à {lieu}", ["45231300", "45232150"], "works"),
    ("Travaux d'électricité et d'éclairage public", ["45316110", "45311000", "45310000"], "works"),
    ("Désamiantage et démolition de l'ancien collège de {lieu}", ["45262660", "45111100"], "works"),
    ("Extension de la caserne des sapeurs-pompiers de {lieu}", ["45216121", "45210000"], "works"),
    ("Travaux de couverture et de zinguerie de l'église de {lieu}", ["45261000", "45454100"], "works"),
    ("Aménagement d'une piste cyclable entre {lieu} et la gare", ["45233162", "45233160"], "works"),
    ("Travaux de plâtrerie, peinture et revêtements de sols", ["45410000", "45442100", "45432100"], "works"),
    ("Mise en accessibilité des bâtiments communaux", ["45000000", "45454000"], "works"),
    ("Construction d'une station d'épuration à {lieu}", ["45252127", "45232400"], "works"),
    ("Fourniture de repas en liaison froide pour la restauration scolaire", ["15894210", "55524000"],
     "supplies"),
    ("Fourniture de denrées alimentaires pour la cuisine centrale", ["15000000", "15800000", "15300000"],
     "supplies"),
    ("Fourniture de produits d'entretien et d'hygiène", ["39830000", "33760000"], "supplies"),
    ("Fourniture de mobilier scolaire", ["39160000", "39100000"], "supplies"),
    ("Acquisition de matériel informatique et de postes de travail", ["30213000", "30200000"], "supplies"),
    ("Acquisition d'un véhicule utilitaire électrique", ["34144900", "34100000"], "supplies"),
    ("Fourniture de carburants pour la flotte de véhicules", ["09134200", "09132000"], "supplies"),
    ("Fourniture de sel de déneigement", ["34927100", "14410000"], "supplies"),
    ("Fourniture de fournitures de bureau et de papier", ["30192000", "30197000"], "supplies"),
    ("Acquisition de matériaux de voirie (enrobés, granulats)", ["44113620", "14212000"], "supplies"),
    ("Fourniture de vêtements de travail et d'équipements de protection", ["18100000", "18143000"],
     "supplies"),
    ("Fourniture d'électricité pour les bâtiments publics", ["09310000"], "supplies"),
    ("Fourniture de gaz naturel", ["09123000"], "supplies"),
    ("Acquisition de livres pour la médiathèque de {lieu}", ["22113000", "22110000"], "supplies"),
    ("Fourniture de matériel médical pour le centre hospitalier", ["33100000", "33140000"], "supplies"),
    ("Maîtrise d'œuvre pour la rénovation du groupe scolaire de {lieu}", ["71221000", "71000000"],
     "services"),
    ("Mission de contrôle technique et de coordination SPS", ["71631000", "71317210"], "services"),
    ("Étude de faisabilité pour un réseau de chaleur à {lieu}", ["71241000", "71314200"], "services"),
    ("Élaboration du plan local d'urbanisme intercommunal", ["71410000", "90712000"], "services"),
    ("Entretien des espaces verts de la commune de {lieu}", ["77310000", "77313000"], "services"),
    ("Nettoyage des locaux administratifs", ["90910000", "90919200"], "services"),
    ("Collecte et traitement des déchets ménagers", ["90511000", "90513000"], "services"),
    ("Transport scolaire des élèves de {lieu}", ["60130000", "60112000"], "services"),
    ("Maintenance des installations de chauffage et de ventilation", ["50720000", "50730000"], "services"),
    ("Maintenance des ascenseurs des bâtiments départementaux", ["50750000"], "services"),
    ("Assurance dommages aux biens et responsabilité civile", ["66510000", "66516000"], "services"),
    ("Prestations de conseil juridique en commande publique", ["79100000", "79111000"], "services"),
    ("Impression des supports de communication", ["79810000", "79820000"], "services"),
    ("Organisation de séjours de vacances pour les jeunes", ["55243000", "63516000"], "services"),
    ("Déneigement et salage des routes communales", ["90620000", "90630000"], "services"),
    ("Hébergement et maintenance du site internet", ["72415000", "72267000"], "services"),
    ("Acquisition et maintenance d'un logiciel de gestion financière", ["48440000", "72267100"],
     "supplies"),
    ("Services de télécommunications fixes et mobiles", ["64200000", "64212000"], "services"),
    ("Gardiennage et surveillance des bâtiments", ["79713000", "79714000"], "services"),
    ("Fauchage et débroussaillage des accotements", ["77312000", "77211400"], "services"),
    ("Audit énergétique du patrimoine bâti", ["71314300", "79212000"], "services"),
    ("Formation des agents à la sécurité incendie", ["80550000", "80500000"], "services"),
    ("Location et entretien de vêtements professionnels", ["98310000", "18100000"], "services"),
    ("Balayage mécanisé de la voirie", ["90611000", "90610000"], "services"),
    ("Contrôle et vérification périodique des installations électriques", ["71630000", "50711000"],
     "services"),
]
# How often each object is published: works about a third of French tenders (CPV 45),
# supplies a quarter, services the rest (71, 79, 90, 50, 77…).
WEIGHTS = [8, 5, 3, 2, 3, 3, 3, 3, 1, 1, 1, 2, 2, 2, 1,
           4, 4, 3, 2, 3, 1, 2, 1, 1, 1, 1, 1, 2, 2, 1,
           4, 3, 1, 1, 3, 3, 2, 3, 3, 1, 2, 2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 2, 2]
assert len(WEIGHTS) == len(OBJECTS)
LOTS = ["", "", "", " – Lot 1 : gros œuvre", " – Lot 2 : charpente", " – Lot 3 : menuiseries extérieures",
        " – Lot 4 : plomberie, chauffage", " – Lot unique", " (accord-cadre à bons de commande)"]
DESCRIPTIONS = [
    "Le marché est passé en procédure {procedure}. Durée : {months} mois.",
    "Accord-cadre mono-attributaire à bons de commande, reconductible trois fois.",
    "Les prestations sont réparties en {lots} lots. Visite sur site conseillée.",
    "Marché réservé aux structures d'insertion par l'activité économique.",
    "Critères : prix 40 %, valeur technique 60 %. Variantes autorisées.",
    "",
]
BUYER_KINDS = ["Commune de {lieu}", "Commune de {lieu}", "Commune de {lieu}",
               "Communauté de communes du pays de {lieu}", "Syndicat intercommunal des eaux de {lieu}",
               "Centre hospitalier de {lieu}", "Centre communal d'action sociale de {lieu}",
               "Syndicat mixte d'énergie de {dep}", "Département {dep_de}", "Office public de l'habitat {dep_de}"]
DEPARTEMENTS = {"21": ("FRC11", "de la Côte-d'Or"), "58": ("FRC12", "de la Nièvre"),
                "71": ("FRC13", "de Saône-et-Loire"), "89": ("FRC14", "de l'Yonne"), "25": ("FRC21", "du Doubs"),
                "39": ("FRC22", "du Jura"), "70": ("FRC23", "de la Haute-Saône"),
                "90": ("FRC24", "du Territoire de Belfort")}
PROCEDURES = [("mapa", 62), ("open", 22), ("restricted", 4), ("neg-w-call", 4), ("neg-wo-call", 2),
              ("comp-dial", 1), ("concession", 2), ("other", 3)]
SOURCES = [("boamp", 60), ("eforms", 28), ("territoires", 12)]
PROCEDURE_WORDS = {"mapa": "adaptée", "open": "d'appel d'offres ouvert"}
COLUMNS = ["source", "source_id", "version", "kind", "state", "title", "description", "buyer_name",
           "buyer_id", "procedure", "nature", "cpv_main", "cpv_division", "cpv_additional", "nuts",
           "departement", "published_on", "deadline", "estimated_value", "url", "search_document",
           "imported_at", "updated_at"]


def communes() -> list[tuple[str, str]]:
    from django.conf import settings

    path = Path(settings.REFERENCE_DATA_DIR) / "circuits" / "communes_bfc_cog2018_centroides.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["nom"], row["departement"]) for row in csv.DictReader(handle)]


def notice_rows(count: int, now: datetime):
    """Yield `count` rows (tuples in COLUMNS order), deterministic for a given count."""
    from territoires.marches.search import document_text

    rng = random.Random(SEED)
    places = communes()
    # Big towns publish more: the first communes of each département stand in for them.
    buyers_by_dep: dict[str, list[str]] = {}
    procedures, procedure_weights = zip(*PROCEDURES, strict=True)
    sources, source_weights = zip(*SOURCES, strict=True)
    first = now - timedelta(days=3 * 365)
    for index in range(count):
        template, cpvs, nature = rng.choices(OBJECTS, WEIGHTS)[0]
        lieu, dep = rng.choice(places)
        nuts, dep_de = DEPARTEMENTS[dep]
        title = template.format(lieu=lieu) + rng.choice(LOTS)
        buyer_pool = buyers_by_dep.setdefault(dep, [])
        if len(buyer_pool) < 400 or rng.random() < 0.05:
            buyer = rng.choice(BUYER_KINDS).format(lieu=lieu, dep=dep_de.split(" ", 1)[1], dep_de=dep_de)
            buyer_pool.append(buyer)
        else:
            buyer = rng.choice(buyer_pool)
        procedure = rng.choices(procedures, procedure_weights)[0]
        description = rng.choice(DESCRIPTIONS).format(
            procedure=PROCEDURE_WORDS.get(procedure, "formalisée"), months=rng.choice([12, 24, 36, 48]),
            lots=rng.randint(2, 12))
        cpv = rng.choice(cpvs)
        published = first + timedelta(seconds=rng.randrange(int((now - first).total_seconds())))
        deadline = (published + timedelta(days=rng.randint(15, 52))).replace(
            hour=rng.choice([10, 12, 12, 16, 17]), minute=0, second=0, microsecond=0)
        source = rng.choices(sources, source_weights)[0]
        source_id = f"{published:%y}-{index:07d}" if source != "eforms" else f"{index:08x}-{SEED}-01"
        kind = "contract" if rng.random() < 0.92 else rng.choice(["prior", "award"])
        state = "cancelled" if rng.random() < 0.02 else "active"
        value = f"{rng.randint(20, 5000) * 1000}.00" if rng.random() < 0.6 else None
        document = document_text(title=title, description=description, buyer_name=buyer, cpv_main=cpv)
        url = (f"https://www.boamp.fr/pages/avis/?q=idweb:{source_id}" if source == "boamp"
               else f"https://ted.europa.eu/fr/notice/-/detail/{source_id}" if source == "eforms" else "")
        yield (source, source_id, "01" if source == "eforms" else "", kind, state, title[:500], description,
               buyer, "", procedure, nature, cpv, cpv[:2], "[]", nuts, dep, published.date(), deadline,
               value, url, document, published, published)


def load(count: int) -> dict:
    """Run inside a process whose settings point at the bench database; `count` 0 loads nothing
    (`--reuse`) and only describes the data and times the searches served alone."""
    import django

    django.setup()
    from django.db import connection

    now = datetime.now(UTC)
    started = time.perf_counter()
    if count:
        rows = notice_rows(count, now)
        if connection.vendor == "postgresql":
            load_postgres(connection, rows)
        else:
            load_sqlite(connection, rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(CASE WHEN deadline > %s AND state = 'active' THEN 1 ELSE 0 END) "
                       "FROM marches_notice", [now])
        total, open_ = cursor.fetchone()
        cursor.execute("SELECT cpv_division, count(*) FROM marches_notice GROUP BY cpv_division "
                       "ORDER BY 2 DESC LIMIT 8")
        divisions = cursor.fetchall()
    return {"seconds": time.perf_counter() - started, "total": total, "open": open_,
            "divisions": [(d, n) for d, n in divisions], "in_process": in_process_times()}


def in_process_times() -> dict[str, float]:
    """Each search of the mix served alone, in this process (Django's test client, warm):
    the cost of one request with no queueing, which other load on the machine barely moves."""
    from django.test import Client

    client = Client()
    times = {}
    for path in sorted(set(searches(random.Random(0)))):
        runs = []
        for _ in range(4):
            started = time.perf_counter()
            response = client.get(path)
            runs.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} → {response.status_code}")
        times[path] = statistics.median(runs[1:])
    return times


def _sqlite_value(value):
    """As Django stores them on SQLite: aware datetimes as naive UTC text, dates as ISO text."""
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_sqlite(connection, rows) -> None:
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO marches_notice ({', '.join(COLUMNS)}) VALUES ({placeholders})"  # noqa: S608 (constant names)
    batch: list = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(_sqlite_value(value) for value in row))
            if len(batch) == 5000:
                with _atomic(connection):
                    cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            with _atomic(connection):
                cursor.executemany(sql, batch)
        cursor.execute("ANALYZE")
        cursor.execute("INSERT INTO marches_notice_fts(marches_notice_fts) VALUES ('optimize')")


def _atomic(connection):
    from django.db import transaction

    return transaction.atomic(using=connection.alias)


def load_postgres(connection, rows) -> None:
    """COPY without the full-text and trigram indexes, then build them once (what a restore does)."""
    import importlib

    migration = importlib.import_module("territoires.marches.migrations.0002_notice_search")
    with connection.cursor() as cursor:
        for sql in migration.POSTGRES_BACKWARD:
            cursor.execute(sql)
        with connection.connection.cursor().copy(f"COPY marches_notice ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for sql in migration.POSTGRES_FORWARD:
            cursor.execute(sql)
        cursor.execute("VACUUM ANALYZE marches_notice")


# --- Load -------------------------------------------------------------------------------------


def searches(rng: random.Random) -> list[str]:
    """Paths of the mix: each query on the page and on the API."""
    text = ["travaux", "voirie", "repas", "electricite", "désamiantage", "entretien espaces verts",
            "maîtrise d'œuvre", "fourniture", "nettoyage des locaux", "chauffage", "école", "assainissement",
            "véhicule électrique", "déneigement", "logiciel", "assurance", "transport scolaire",
            "rénovation énergétique", "Dijon", "Besançon"]
    filters = [{"cpv": "45"}, {"cpv": "71"}, {"cpv": "90"}, {"departement": "21"}, {"departement": "90"},
               {"procedure": "open"}, {"nature": "services"}, {"open_only": "1"},
               {"closing_after": "2025-01-01", "closing_before": "2025-01-31"}, {"buyer": "Dijon"},
               {"cpv": "45", "departement": "25"}, {"nature": "supplies", "open_only": "1"}, {}]
    combined = [{"q": "voirie", "departement": "21"}, {"q": "repas", "open_only": "1"},
                {"q": "travaux", "cpv": "45", "open_only": "1"}, {"q": "entretien", "departement": "39"},
                {"q": "maintenance", "procedure": "open", "open_only": "1"},
                {"q": "école", "nature": "works", "departement": "71"}]
    queries = [{"q": q} for q in text] + filters + combined
    queries += [{"q": "travaux", "sort": "published"}, {"q": "voirie", "sort": "relevance"},
                {"cpv": "45", "page": "2"}, {"q": "fourniture", "page": "3"}, {"sort": "published"}]
    paths = []
    for query in queries:
        page_query = {key: value for key, value in query.items()}
        paths.append("/marches/?" + urlencode(page_query) if page_query else "/marches/")
        api_query = {("open" if key == "open_only" else key): value for key, value in query.items()
                     if key not in ("page", "closing_after", "closing_before")}
        if "page" in query:
            api_query["offset"] = str((int(query["page"]) - 1) * 20)
        if api_query.get("open"):
            api_query["open"] = "true"
        paths.append("/api/v1/marches/notices" + ("?" + urlencode(api_query) if api_query else ""))
    paths = list(dict.fromkeys(paths))  # "no criteria" is the same API call as the closing dates'
    rng.shuffle(paths)
    return paths


def client_loop(port, paths, warmup, duration, barrier, results):
    """One client: one kept-alive connection, requests back to back through its own mix."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples: list[tuple[str, float]] = []
    errors: Counter[str] = Counter()
    barrier.wait()
    begin = time.monotonic()
    measure_from, end = begin + warmup, begin + warmup + duration
    last = measure_from
    index = 0
    while True:
        sent = time.monotonic()
        if sent >= end:
            break
        path = paths[index % len(paths)]
        index += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            conn.close()
        elapsed = (time.perf_counter() - started) * 1000
        if status != "200":
            errors[f"{status} {path}"] += 1
        if sent >= measure_from:
            samples.append((path, elapsed))
            last = time.monotonic()
    conn.close()
    results.put({"samples": samples, "errors": dict(errors), "window": last - measure_from})


def quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return float("nan"), float("nan")
    cuts = statistics.quantiles(sorted(values), n=100, method="inclusive")
    return cuts[49], cuts[94]


def run_load(port: int, clients: int, warmup: float, duration: float) -> dict:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(clients)
    results = ctx.Queue()
    plans = [searches(random.Random(SEED + i)) for i in range(clients)]
    procs = [ctx.Process(target=client_loop, args=(port, plan, warmup, duration, barrier, results))
             for plan in plans]
    load_before = os.getloadavg()[0]
    for proc in procs:
        proc.start()
    outs = [results.get(timeout=warmup + duration + 300) for _ in procs]
    for proc in procs:
        proc.join()
    samples = [s for out in outs for s in out["samples"]]
    errors: Counter[str] = Counter()
    for out in outs:
        errors.update(out["errors"])
    rps = sum(len(out["samples"]) / out["window"] for out in outs if out["window"] > 0)
    by_path: dict[str, list[float]] = {}
    for path, ms in samples:
        by_path.setdefault(path, []).append(ms)
    return {"latencies": [ms for _p, ms in samples], "by_path": by_path, "rps": rps, "errors": dict(errors),
            "load": load_before}


# --- One database -----------------------------------------------------------------------------


def pg_url() -> str:
    return pg_url_of(PG_DATABASE)


def start_server(env: dict, port: int, args, log: Path) -> subprocess.Popen:
    return start_gunicorn(env, port, workers=args.workers, threads=args.threads, log=log,
                          ready_path="/_bench/floor/")


def bench_database(db: str, count: int, args) -> dict:
    reuse = args.reuse and db == "postgres"
    data_dir, env, where = bench_environment(db, prefix="territoires-bench-notices", pg_database=PG_DATABASE,
                                             recreate=not reuse)
    print(f"\n=== {where}, {count:,} notices".replace(",", " "), flush=True)
    server = None
    try:
        started = time.perf_counter()
        if not reuse:
            subprocess.run([sys.executable, "-m", "territoires.manage", "migrate", "-v", "0"], env=env, cwd=REPO,
                           check=True)
        migrate_s = time.perf_counter() - started
        out = data_dir / "load.json"
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--load", str(0 if reuse else count),
                        "--out", str(out)], env=env, cwd=REPO, check=True)
        loaded = json.loads(out.read_text())
        if reuse and loaded["total"] != count:
            raise SystemExit(f"--reuse: {PG_DATABASE} holds {loaded['total']} notices, not {count}.")
        print(f"data ready{' (reused)' if reuse else ''}: migrate {migrate_s:.1f} s, {loaded['total']} notices "
              f"loaded in {loaded['seconds']:.1f} s ({loaded['open']} open); top CPV divisions: "
              + ", ".join(f"{d} {n * 100 / loaded['total']:.0f} %" for d, n in loaded["divisions"]), flush=True)
        port = free_port()
        server = start_server(env, port, args, data_dir / "gunicorn.log")
        print(f"  load: {args.clients} clients, {args.warmup:g} s warm-up + {args.duration:g} s …", flush=True)
        result = run_load(port, args.clients, args.warmup, args.duration)
        log = data_dir / "gunicorn.log"
        return {"db": db, "where": where, "count": count, "loaded": loaded, "result": result,
                "log": log.read_text() if log.exists() else ""}
    finally:
        if server is not None:
            stop_server(server)
        if db == "postgres" and not (args.keep or args.reuse):
            pg_recreate(env["DATABASE_URL"], PG_DATABASE, drop_only=True)
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"  kept: {data_dir}")


def report(run: dict, args) -> int:
    res = run["result"]
    target = TARGETS[run["db"]]
    p50, p95 = quantiles(res["latencies"])
    page = [ms for path, values in res["by_path"].items() if path.startswith("/marches/") for ms in values]
    api = [ms for path, values in res["by_path"].items() if path.startswith("/api/") for ms in values]
    n_err = sum(res["errors"].values())
    verdict = "met" if p95 <= target and not n_err else "NOT MET"
    print(f"\n--- {run['where']}, {run['count']:,} notices".replace(",", " "))
    print(f"{'requests':<10}{'count':>8}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'errors':>8}")
    for label, values, rps in (("all", res["latencies"], res["rps"]), ("page", page, None), ("api", api, None)):
        lo, hi = quantiles(values)
        rate = f"{rps:>9.0f}" if rps is not None else f"{'':>9}"
        print(f"{label:<10}{len(values):>8}{lo:>9.1f}{hi:>9.1f}{rate}{(n_err if label == 'all' else ''):>8}")
    print(f"target p95 ≤ {target:g} ms: {verdict} (p50 {p50:.1f} ms, p95 {p95:.1f} ms, {res['rps']:.0f} req/s); "
          f"1-min load average before: {res['load']:.1f}")
    alone = run["loaded"]["in_process"]
    lo, hi = quantiles(list(alone.values()))
    worst = max(alone, key=alone.get)
    print(f"served alone (in-process, one request at a time, median of 3): p50 {lo:.1f} ms, p95 {hi:.1f} ms "
          f"over the {len(alone)} searches; slowest {alone[worst]:.1f} ms {worst}")
    slowest = sorted(((quantiles(v)[1] if len(v) > 1 else v[0], path) for path, v in res["by_path"].items()),
                     reverse=True)[: args.show_slowest]
    if slowest:
        print("slowest searches (p95 ms):")
        for ms, path in slowest:
            print(f"  {ms:7.1f}  {path}")
    for error, n in res["errors"].items():
        print(f"ERROR {n}× {error}")
    if n_err and run["log"].strip():
        print("gunicorn log (end):\n" + run["log"][-3000:])
    return n_err


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite-count", type=int, default=100_000)
    parser.add_argument("--pg-count", type=int, default=1_000_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--show-slowest", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the databases and data folders")
    parser.add_argument("--reuse", action="store_true",
                        help=f"PostgreSQL: measure the {PG_DATABASE} database a --keep run left (no migrate, "
                             "no load) and keep it")
    parser.add_argument("--load", type=int, help=argparse.SUPPRESS)  # internal: fill the configured database
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load is not None:
        Path(args.out).write_text(json.dumps(load(args.load), default=str))
        return 0

    databases = [] if args.skip_sqlite else [("sqlite", args.sqlite_count)]
    if not args.skip_pg:
        if pg_reachable(pg_url()):
            databases.append(("postgres", args.pg_count))
        else:
            print(f"PostgreSQL unreachable at {redact(pg_url())}: SQLite only.")
    import django
    import gunicorn

    print(f"machine: {machine()}; Python {platform.python_version()}, Django {django.__version__}")
    print(f"server: gunicorn {gunicorn.__version__}, {args.workers} gthread workers × {args.threads} threads, "
          "keep-alive, 127.0.0.1, DEBUG off, bench.settings")
    print(f"load: {args.clients} client processes on kept-alive connections, each cycling through its own "
          f"shuffled mix of {len(searches(random.Random(0)))} searches (half HTML page, half API)")
    errors = 0
    for db, count in databases:
        errors += report(bench_database(db, count, args), args)
    if errors:
        print(f"\nFAILED: {errors} non-200 responses (see above).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
