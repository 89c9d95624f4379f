"""Fill a fresh database with a realistic platform, for bench/pages.py.

Run by pages.py as `python -m bench.prepare OUT.json --bodies N --agents N --clients N`
with DJANGO_SETTINGS_MODULE=bench.settings; the database must be empty (pages.py
creates it). Steps: `migrate`, bulk-created data (valid SIRENs, real communes,
subscriptions, seeded roles, agents with one shared precomputed password hash,
memberships), a few journal entries through the real service, then the
credentials of the bench clients and the query counts of the measured pages,
written to OUT.json.
"""

import argparse
import csv
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from territoires.accounts.middleware import second_factor_mark  # noqa: E402
from territoires.accounts.models import User  # noqa: E402
from territoires.interop.siren import luhn_valid  # noqa: E402
from territoires.journal.services import journal_record  # noqa: E402
from territoires.tenancy.kinds import BodyKind, EpciForm  # noqa: E402
from territoires.tenancy.models import (  # noqa: E402
    Body,
    Commune,
    Membership,
    Notification,
    OperatorStaff,
    Role,
    Service,
    Subscription,
)

PASSWORD = "Banc-d-essai-Territoires-42"
BACKEND = "territoires.accounts.backends.EmailPasswordBackend"
COMMUNES_CSV = settings.REFERENCE_DATA_DIR / "circuits" / "communes_bfc_cog2018_centroides.csv"
DEPARTEMENTS = {
    "21": "Côte-d'Or", "25": "Doubs", "39": "Jura", "58": "Nièvre",
    "70": "Haute-Saône", "71": "Saône-et-Loire", "89": "Yonne", "90": "Territoire de Belfort",
}
FIRST_NAMES = (
    "Camille Claire Julien Sophie Nicolas Marie Thomas Isabelle Laurent Nathalie Pierre Élodie "
    "Mathieu Céline Antoine Aurélie Olivier Sandrine François Émilie Hugo Léa Chloé Lucas Inès "
    "Manon Louis Jeanne Gabriel Margaux Benoît Hélène Damien Agnès Rémi Solène Yves Bérénice"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre "
    "Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert "
    "Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel "
    "Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez"
).split()


def siren(prefix: str, n: int) -> str:
    """A Luhn-valid SIREN: 2-digit prefix, 6-digit serial, check digit."""
    base = f"{prefix}{n:06d}"
    for check in "0123456789":
        if luhn_valid(base + check):
            return base + check
    raise AssertionError("unreachable")


def load_communes() -> list[Commune]:
    """The project's loader when it exists (territoires.tenancy.communes), else bulk_create."""
    try:
        from territoires.tenancy.communes import communes_load
    except ImportError:
        communes_load = None
    if communes_load is not None:
        communes_load()
    elif not Commune.objects.exists():
        bulk_load_communes()
    return list(Commune.objects.all())


def bulk_load_communes() -> None:
    with open(COMMUNES_CSV, newline="", encoding="utf-8") as handle:
        rows = [
            Commune(
                insee_code=row["code_insee"],
                name=row["nom"],
                departement=row["departement"],
                latitude=row["latitude"],
                longitude=row["longitude"],
            )
            for row in csv.DictReader(handle)
        ]
    Commune.objects.bulk_create(rows, batch_size=1000)


def make_bodies(count: int, communes: list[Commune], rng: random.Random) -> list[Body]:
    """~8 % EPCI, 5 % syndicats, 4 % CCAS, SDIS/départements/région, the rest communes."""
    bodies: list[Body] = []
    serial: Counter[str] = Counter()

    def add(prefix, **fields):
        serial[prefix] += 1
        bodies.append(Body(siren=siren(prefix, serial[prefix]), **fields))

    if count >= 20:
        add("23", name="Région Bourgogne-Franche-Comté", kind=BodyKind.REGION, population=2_800_000)
        for code, name in DEPARTEMENTS.items():
            add("22", name=f"Département {name}", kind=BodyKind.DEPARTEMENT, departement=code,
                population=rng.randint(140_000, 560_000))
            add("28", name=f"SDIS {name}", kind=BodyKind.SDIS, departement=code)
    others = [
        (0.08, "20", BodyKind.EPCI), (0.05, "25", BodyKind.SYNDICAT), (0.04, "26", BodyKind.CCAS),
        (0.02, "18", BodyKind.ETABLISSEMENT_PUBLIC), (0.01, "77", BodyKind.ASSOCIATION),
    ]
    epci_names = {EpciForm.CC: "Communauté de communes", EpciForm.CA: "Communauté d'agglomération",
                  EpciForm.CU: "Communauté urbaine", EpciForm.METROPOLE: "Métropole"}
    places = rng.sample(communes, len(communes))
    remaining = count - len(bodies)
    for share, prefix, kind in others:
        for _ in range(int(remaining * share)):
            place = places[len(bodies) % len(places)]
            if kind == BodyKind.EPCI:
                form = rng.choices(list(epci_names), weights=[80, 15, 3, 2])[0]
                add(prefix, name=f"{epci_names[form]} de {place.name}", kind=kind, epci_form=form,
                    departement=place.departement, population=rng.randint(5_000, 250_000))
            elif kind == BodyKind.SYNDICAT:
                add(prefix, name=f"Syndicat des eaux de {place.name}", kind=kind,
                    departement=place.departement)
            elif kind == BodyKind.CCAS:
                add(prefix, name=f"CCAS de {place.name}", kind=kind, departement=place.departement)
            elif kind == BodyKind.ETABLISSEMENT_PUBLIC:
                add(prefix, name=f"Office de tourisme de {place.name}", kind=kind,
                    departement=place.departement)
            else:
                add(prefix, name=f"Association des maires de {place.name}", kind=kind,
                    departement=place.departement)
    for place in places[: max(0, count - len(bodies))]:
        add("21", name=f"Commune de {place.name}", kind=BodyKind.COMMUNE, insee_code=place.insee_code,
            departement=place.departement, commune=place, population=rng.randint(60, 30_000),
            address=f"Mairie, place de la République, {place.name}")
    if len(bodies) < count:
        sys.exit(f"Only {len(communes)} communes in the reference list: at most about "
                 f"{len(bodies)} bodies; asked for {count}.")
    bodies = bodies[:count]
    for body in bodies:
        body.full_clean(exclude=["commune"], validate_unique=False)  # valid SIRENs, EPCI forms: same checks as forms
    Body.objects.bulk_create(bodies, batch_size=1000)
    return list(Body.objects.order_by("pk"))


def make_subscriptions(bodies, rng) -> int:
    rows = []
    optional = [Service.MARCHES, Service.CIRCUITS, Service.SITE, Service.DEMARCHES]
    for body in bodies:
        services = [Service.ACTES, Service.FORMATIONS] + rng.sample(optional, rng.randint(0, 3))
        rows += [Subscription(body=body, service=s, is_active=rng.random() > 0.03) for s in services]
    Subscription.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def make_agents(count: int, password_hash: str, rng) -> list[User]:
    now = timezone.now()
    users = []
    for n in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        users.append(User(
            email=f"agent{n:05d}@collectivites-bfc.example.fr", first_name=first, last_name=last,
            password=password_hash, date_joined=now,
        ))
    User.objects.bulk_create(users, batch_size=2000)
    return list(User.objects.order_by("pk"))


def make_memberships(bodies, users, rng):
    """Each body gets 3–15 agents; every agent one body first, then the rest at random,
    so some agents work for several bodies. The first agent of a body is its
    administrator (TOTP required); the others hold body roles without TOTP."""
    slots = {body.pk: rng.randint(3, 15) for body in bodies}
    members: dict[int, list[int]] = defaultdict(list)
    pool = [u.pk for u in users]
    rng.shuffle(pool)
    body_ids = [b.pk for b in bodies]
    # First pass: one body per agent while there are free slots.
    free = [pk for pk in body_ids for _ in range(slots[pk])]
    rng.shuffle(free)
    for user_id, body_id in zip(pool, free, strict=False):  # more agents than free slots
        members[body_id].append(user_id)
    # Second pass: fill the remaining slots with agents already elsewhere.
    for body_id in body_ids:
        taken = set(members[body_id])
        while len(members[body_id]) < slots[body_id]:
            candidate = rng.choice(pool)
            if candidate not in taken:
                taken.add(candidate)
                members[body_id].append(candidate)
    rows = [Membership(user_id=u, body_id=b) for b in body_ids for u in members[b]]
    Membership.objects.bulk_create(rows, batch_size=2000)
    roles = {r.code: r for r in Role.objects.all()}
    extra = ["signataire", "acheteur", "commission", "cantine", "editeur_site"]
    admins: set[int] = set()
    through = Membership.roles.through
    links = []
    seen_body: set[int] = set()
    for m in Membership.objects.order_by("body_id", "pk").only("pk", "user_id", "body_id"):
        if m.body_id not in seen_body:
            seen_body.add(m.body_id)
            admins.add(m.user_id)
            links.append(through(membership_id=m.pk, role_id=roles["administrateur"].pk))
            continue
        links.append(through(membership_id=m.pk, role_id=roles["agent"].pk))
        if rng.random() < 0.3:
            links.append(through(membership_id=m.pk, role_id=roles[rng.choice(extra)].pk))
    through.objects.bulk_create(links, batch_size=5000)
    first_body = {}
    for b in body_ids:
        for u in members[b]:
            first_body.setdefault(u, b)
    return members, admins, first_body, len(rows)


def make_misc(bodies, users, admins, rng) -> dict:
    """Operator staff, notifications, and a few journal entries (real service)."""
    roles = {r.code: r for r in Role.objects.all()}
    operators = [u for u in users if u.pk not in admins][-3:]
    for user in operators:
        staff = OperatorStaff.objects.create(user=user)
        staff.roles.add(roles["operateur"])
    notes = []
    for user in rng.sample(users, len(users) // 5):
        for i in range(rng.randint(1, 4)):
            notes.append(Notification(user=user, text=f"Une nouvelle session de formation est ouverte ({i + 1}).",
                                      url="/formations/", read_at=timezone.now() if i == 0 else None))
    Notification.objects.bulk_create(notes, batch_size=2000)
    with transaction.atomic():
        for body in bodies[:40]:
            journal_record(actor=None, action="body.create", body=body, target=body, summary=body.name,
                           payload={"siren": body.siren, "kind": body.kind})
    return {"operators": len(operators), "notifications": len(notes), "journal_entries": 40}


def api_tokens(clients) -> tuple[list[str], str]:
    """One API token per client, created as the operator's command does."""
    from territoires.api.services import api_token_create

    tokens = []
    for client in clients:
        user = User.objects.get(pk=client["user_id"])
        body = Body.objects.get(siren=client["siren"])
        _token, clear = api_token_create(actor=None, body=body, user=user, name="banc d'essai")
        tokens.append(clear)
    return tokens, "jeton d'API (Authorization: Bearer)"


def session_for(user: User) -> str:
    """A logged-in session as the login view leaves it for these agents, whose roles need
    no second factor (`accounts.flow.login_begin`)."""
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = BACKEND
    store["_auth_user_hash"] = user.get_session_auth_hash()
    second_factor_mark(store, verified=False)
    store.create()
    return store.session_key


def count_queries(client_info, token: str | None, api_path: str) -> dict:
    """Queries per request of the measured pages (second request: warm caches)."""
    user = User.objects.get(pk=client_info["user_id"])
    browser = Client(raise_request_exception=False)
    browser.cookies["sessionid"] = session_for(user)
    software = Client(raise_request_exception=False)  # a token client sends no cookie
    result = {}
    for label, web, path, headers in (
        ("floor_login", browser, "/_bench/floor-logged-in/", {}),
        ("home", browser, f"/o/{client_info['siren']}/", {}),
        ("api", software if token else browser, api_path,
         {"Authorization": f"Bearer {token}"} if token else {}),
    ):
        web.get(path, headers=headers)
        with CaptureQueriesContext(connection) as captured:
            response = web.get(path, headers=headers)
        result[label] = {"path": path, "status": response.status_code,
                         "queries": [q["sql"] for q in captured.captured_queries],
                         "cpu_ms": cpu_per_request(web, path, headers)}
    result["floor"] = {"path": "/_bench/floor/", "status": 200, "queries": [],
                       "cpu_ms": cpu_per_request(Client(), "/_bench/floor/", {})}
    return result


def cpu_per_request(web: Client, path: str, headers: dict, n: int = 50) -> float:
    """CPU milliseconds of this process per request, in-process through the test client
    (Django's work plus the database driver's; SQLite's own work is in-process too,
    PostgreSQL's is not). Unlike latency, barely moved by other load on the machine."""
    for _ in range(5):
        web.get(path, headers=headers)
    best = float("inf")
    for _ in range(3):  # the least disturbed of three batches
        started = time.process_time()
        for _ in range(n):
            web.get(path, headers=headers)
        best = min(best, (time.process_time() - started) * 1000 / n)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--bodies", type=int, default=1500)
    parser.add_argument("--agents", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seed", type=int, default=2018)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    timings = {}

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    timings["migrate"] = time.perf_counter() - started

    started = time.perf_counter()
    password_hash = make_password(PASSWORD)  # one Argon2 hash shared by every agent
    with transaction.atomic():
        communes = load_communes()
        bodies = make_bodies(args.bodies, communes, rng)
        subscriptions = make_subscriptions(bodies, rng)
        users = make_agents(args.agents, password_hash, rng)
        members, admins, first_body, memberships = make_memberships(bodies, users, rng)
        misc = make_misc(bodies, users, admins, rng)
        # The body each agent opens first is their last body (as after a first visit).
        by_body = defaultdict(list)
        for user_id, body_id in first_body.items():
            by_body[body_id].append(user_id)
        for body_id, user_ids in by_body.items():
            User.objects.filter(pk__in=user_ids).update(last_body_id=body_id)
    timings["data"] = time.perf_counter() - started

    # Bench clients: agents without any role requiring a second factor, with an
    # active "actes" subscription, preferring agents who work for several bodies.
    per_user = Counter(u for ids in members.values() for u in ids)
    operators = set(OperatorStaff.objects.values_list("user_id", flat=True))
    siren_of = dict(Body.objects.values_list("pk", "siren"))
    candidates = sorted(
        (u for u in first_body if u not in admins and u not in operators),
        key=lambda u: (-min(per_user[u], 2), u),
    )
    clients = []
    for user in User.objects.filter(pk__in=candidates[: args.clients * 3]).order_by("pk"):
        if len(clients) == args.clients:
            break
        clients.append({"user_id": user.pk, "email": user.email, "password": PASSWORD,
                        "siren": siren_of[first_body[user.pk]], "bodies": per_user[user.pk],
                        "session": session_for(user)})
    if len(clients) < args.clients:
        sys.exit(f"Only {len(clients)} agents fit the bench clients; asked for {args.clients}.")
    tokens, auth = api_tokens(clients)
    for client, token in zip(clients, tokens, strict=True):
        client["token"] = token

    api_path = "/api/v1/bodies"
    queries = count_queries(clients[0], clients[0]["token"], api_path)

    out = {
        "scale": {
            "bodies": Body.objects.count(),
            "body_kinds": dict(Counter(Body.objects.values_list("kind", flat=True))),
            "communes": len(communes),
            "agents": User.objects.count(),
            "memberships": memberships,
            "agents_in_several_bodies": sum(1 for n in per_user.values() if n > 1),
            "agents_per_body": [min(len(v) for v in members.values()), max(len(v) for v in members.values())],
            "subscriptions": subscriptions,
            **misc,
        },
        "timings": timings,
        "clients": clients,
        "api_auth": auth,
        "queries": queries,
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
