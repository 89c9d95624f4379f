"""The public register of acts: visible to anyone, and only ever the body's published acts."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from territoires.actes import register, services
from territoires.actes.models import Acte, Classification
from territoires.core.files import stored_file_put
from territoires.interop.siren import luhn_valid
from territoires.tenancy.models import Subscription
from tests.actes.factories import classification, pdf_bytes
from tests.factories import BodyFactory, UserFactory

SENT_AT = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_today():
    """Publication dates must not be in the future: fix "today" after every date used here."""
    with time_machine.travel(dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def siret_for(siren: str) -> str:
    """A Luhn-valid SIRET of the body's head office (SIREN + NIC)."""
    for n in range(1, 100):
        candidate = f"{siren}{n:05d}"
        if luhn_valid(candidate):
            return candidate
    raise AssertionError("unreachable")


def make_acte(body, *, numero: str, objet: str = "Objet de l'acte", nature: str = "DE",
              matiere: str = "7.1", decided: dt.date = dt.date(2026, 3, 2),
              published: dt.date | None = dt.date(2026, 3, 10), sent: bool = True, **fields) -> Acte:
    """An act straight in the database (fast); `published=None` leaves it unpublished."""
    nomenclature = Classification.objects.filter(body=body).first() or classification(body)
    stored = (stored_file_put(pdf_bytes(f"Acte {numero}"), content_type="application/pdf")
              if published else None)
    return Acte.objects.create(
        body=body, nature=nature, numero_interne=numero, objet=objet, decision_date=decided,
        matiere_code=matiere, classification=nomenclature, created_by=UserFactory(),
        status="acknowledged" if sent else "posted",
        sent_at=SENT_AT if sent else None, received_on=dt.date(2026, 3, 5) if sent else None,
        published_on=published, published_file=stored,
        publication_signatory="Marie Dupont" if published else "",
        publication_signatory_title="Maire" if published else "",
        **fields,
    )


@pytest.fixture
def other_body():
    other = BodyFactory(name="Commune-Voisine-Registre")
    classification(other)
    return other


@pytest.fixture
def mixed(body, nomenclature, other_body):
    """Published acts, an unpublished one, a draft, and another body's published act."""
    return {
        "published": make_acte(body, numero="DEL_PUB", objet="Tarifs de la cantine scolaire"),
        "unpublished": make_acte(body, numero="DEL_NONPUB", objet="Objet-Non-Publie", published=None),
        "draft": make_acte(body, numero="DEL_BROUILLON", objet="Objet-Brouillon", published=None, sent=False),
        "other": make_acte(other_body, numero="DEL_AUTRE", objet="Objet-Autre-Organisme"),
    }


SECRETS = ("Objet-Non-Publie", "DEL_NONPUB", "Objet-Brouillon", "DEL_BROUILLON",
           "Objet-Autre-Organisme", "DEL_AUTRE", "Commune-Voisine-Registre")


def assert_no_secret(content: str) -> None:
    for secret in SECRETS:
        assert secret not in content, secret


def url(name: str, *args) -> str:
    return reverse(f"actes_public:{name}", args=args)


# -- the list -----------------------------------------------------------------

def test_the_register_is_public_and_names_the_body(client, body, mixed):
    response = client.get(url("register", body.siren))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<title>Registre des actes – {body.name} – Territoires</title>" in page
    assert page.count("<h1>") == 1
    assert f"<h1>Registre des actes – {body.name}</h1>" in page
    assert "Tarifs de la cantine scolaire" in page
    assert url("acte", body.siren, mixed["published"].pk) in page
    assert_no_secret(page)


def test_the_register_of_another_body_shows_only_its_own_acts(client, body, other_body, mixed):
    page = client.get(url("register", other_body.siren)).content.decode()
    assert "Objet-Autre-Organisme" in page
    assert "Tarifs de la cantine scolaire" not in page


def test_open_data_link_only_when_the_siret_is_known(client, body, mixed):
    page = client.get(url("register", body.siren)).content.decode()
    assert "Données ouvertes des délibérations (CSV)" not in page
    assert "SIRET de l'organisme sera renseigné" in page
    body.siret = siret_for(body.siren)
    body.save(update_fields=["siret"])
    page = client.get(url("register", body.siren)).content.decode()
    assert "Données ouvertes des délibérations (CSV)" in page
    assert url("csv", body.siren) in page


def test_newest_publication_first(client, body, nomenclature):
    make_acte(body, numero="A_OLD", objet="Acte-Ancien", published=dt.date(2026, 3, 3))
    make_acte(body, numero="A_NEW", objet="Acte-Recent", published=dt.date(2026, 5, 3))
    make_acte(body, numero="A_MID", objet="Acte-Milieu", published=dt.date(2026, 4, 3))
    page = client.get(url("register", body.siren)).content.decode()
    assert page.index("Acte-Recent") < page.index("Acte-Milieu") < page.index("Acte-Ancien")


def test_the_register_is_paginated_by_25(client, body, nomenclature):
    for n in range(27):
        make_acte(body, numero=f"P_{n}", objet=f"Acte-Page-{n:02d}",
                  published=dt.date(2026, 3, 3) + dt.timedelta(days=n))
    first = client.get(url("register", body.siren)).content.decode()
    assert "27 actes publiés" in first
    assert "Acte-Page-26" in first and "Acte-Page-00" not in first
    second = client.get(url("register", body.siren), {"page": 2}).content.decode()
    assert "Acte-Page-00" in second and "Acte-Page-01" in second and "Acte-Page-26" not in second


@pytest.mark.parametrize("siren_of", ["unknown", "service_off", "not_subscribed", "inactive"])
def test_no_register_without_an_active_actes_subscription(client, siren_of):
    target = BodyFactory(services=["formations"] if siren_of == "not_subscribed" else ["actes"])
    classification(target)
    acte = make_acte(target, numero="DEL_1")
    if siren_of == "service_off":
        Subscription.objects.filter(body=target, service="actes").update(is_active=False)
    if siren_of == "inactive":
        target.is_active = False
        target.save(update_fields=["is_active"])
    siren = "000000000" if siren_of == "unknown" else target.siren
    for response in (client.get(url("register", siren)), client.get(url("acte", siren, acte.pk)),
                     client.get(url("pdf", siren, acte.pk)), client.get(url("sessions", siren)),
                     client.get(url("session", siren, "2026-03-02")), client.get(url("csv", siren))):
        assert response.status_code == 404


def test_the_register_is_read_only(client, body, mixed):
    assert client.post(url("register", body.siren)).status_code == 405
    assert client.post(url("acte", body.siren, mixed["published"].pk)).status_code == 405


def test_list_query_count_is_bounded(client, body, nomenclature, django_assert_max_num_queries):
    for n in range(30):
        make_acte(body, numero=f"Q_{n}", matiere="7.1" if n % 2 else "1.1")
    with django_assert_max_num_queries(5):  # body, classification, count, page
        response = client.get(url("register", body.siren), {"matiere": "7", "q": "Objet"})
    assert response.status_code == 200
    assert "15 actes publiés correspondent à la recherche" in response.content.decode()


# -- search -------------------------------------------------------------------

@pytest.fixture
def matieres(body, nomenclature):
    codes = ["7", "7.1", "7.1.2", "7.10", "71", "1.1"]
    return {code: make_acte(body, numero=f"M_{i}", objet=f"Matiere {code}", matiere=code)
            for i, code in enumerate(codes)}


@pytest.mark.parametrize(("search", "expected"), [
    ("7", {"7", "7.1", "7.1.2", "7.10"}),
    ("7.1", {"7.1", "7.1.2"}),
    ("7.10", {"7.10"}),
    ("1", {"1.1"}),
    ("71", {"71"}),
])
def test_matiere_is_a_prefix_on_whole_levels(body, matieres, search, expected):
    found = {acte.matiere_code for acte in register.published_actes(body, matiere=search)}
    assert found == expected


def test_search_page_by_matiere(client, body, matieres):
    page = client.get(url("register", body.siren), {"matiere": "7.1"}).content.decode()
    assert "2 actes publiés correspondent à la recherche" in page
    assert "Matiere 7.1.2" in page and "Matiere 7.10" not in page
    # The select offers the classification's levels 1 and 2, labelled.
    assert '<option value="7.1" selected>' in page and '<option value="7.10">' in page
    assert "Finances locales" in page and '<option value="7.1.2"' not in page


def test_an_unknown_matiere_is_reported_not_ignored(client, body, matieres):
    response = client.get(url("register", body.siren), {"matiere": "9.9"})
    assert response.status_code == 200
    assert "error-text" in response.content.decode()


def test_search_text_nature_and_publication_dates(client, body, nomenclature):
    make_acte(body, numero="DEL2026_014", objet="Subvention au club de football",
              published=dt.date(2026, 3, 10))
    make_acte(body, numero="ARR2026_003", objet="Arrêté de voirie rue Haute", nature="AR",
              published=dt.date(2026, 4, 20))
    make_acte(body, numero="DEL2026_020", objet="Budget annexe de l'eau", published=dt.date(2026, 5, 5))

    def numeros(**criteria):
        return {a.numero_interne for a in register.published_actes(body, **criteria)}

    assert numeros(q="football") == {"DEL2026_014"}
    assert numeros(q="FOOTBALL") == {"DEL2026_014"}
    assert numeros(q="2026_0") == {"DEL2026_014", "ARR2026_003", "DEL2026_020"}
    assert numeros(nature="AR") == {"ARR2026_003"}
    assert numeros(date_from=dt.date(2026, 4, 1)) == {"ARR2026_003", "DEL2026_020"}
    assert numeros(date_to=dt.date(2026, 4, 20)) == {"DEL2026_014", "ARR2026_003"}
    assert numeros(date_from=dt.date(2026, 4, 20), date_to=dt.date(2026, 4, 20)) == {"ARR2026_003"}

    page = client.get(url("register", body.siren),
                      {"q": "budget", "nature": "DE", "date_from": "2026-05-01", "date_to": "2026-05-31"})
    content = page.content.decode()
    assert "1 acte publié correspond à la recherche" in content
    assert "Budget annexe de l&#x27;eau" in content
    assert "Publié à partir du" in content and "Publié jusqu&#x27;au" in content


def test_a_reversed_date_range_is_explained(client, body, mixed):
    page = client.get(url("register", body.siren),
                      {"date_from": "2026-03-01", "date_to": "2026-02-01"}).content.decode()
    assert "La date de fin doit suivre la date de début." in page
    assert "Tarifs de la cantine scolaire" in page  # the valid criterion still applies
    assert_no_secret(page)


def test_search_never_reaches_unpublished_or_foreign_acts(client, body, mixed):
    for q in ("Objet", "DEL_", "Autre", "Brouillon"):
        page = client.get(url("register", body.siren), {"q": q}).content.decode()
        assert_no_secret(page)


# -- one act ------------------------------------------------------------------

@pytest.fixture
def really_published(agent, body, draft):
    """Published through the service, as the back office does."""
    Acte.objects.filter(pk=draft.pk).update(status="acknowledged", sent_at=SENT_AT,
                                            received_on=dt.date(2026, 3, 5))
    draft.refresh_from_db()
    return services.acte_publish(actor=agent, acte=draft, published_on=dt.date(2026, 3, 9),
                                 signatory="Jean Martin", signatory_title="Maire")


def test_the_act_page(client, body, really_published):
    acte = really_published
    response = client.get(url("acte", body.siren, acte.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1>") == 1
    assert "Délibération n° DEL2026_001" in page
    assert "Vote du budget primitif 2026" in page
    assert "7.1 Décisions budgétaires" in page
    assert "2 mars 2026" in page  # decision
    assert "9 mars 2026" in page  # publication
    assert "Jean Martin, Maire" in page
    assert "Reçu en préfecture le" in page and "5 mars 2026" in page
    assert "Exécutoire depuis le 9 mars 2026" in page
    assert acte.id_acte in page
    assert url("pdf", body.siren, acte.pk) in page
    assert "PDF," in page
    assert url("session", body.siren, "2026-03-02") in page


def test_a_published_act_not_yet_sent_says_why_it_is_not_executory(client, body, nomenclature):
    acte = make_acte(body, numero="DEL_ATTENTE", sent=False)
    page = client.get(url("acte", body.siren, acte.pk)).content.decode()
    assert "Pas encore exécutoire" in page
    assert "Reçu en préfecture le" not in page


def test_votes_are_shown_when_known(client, body, nomenclature):
    acte = make_acte(body, numero="DEL_VOTE", vote_effectif=15, vote_reel=13, vote_pour=12,
                     vote_contre=1, vote_abstention=0)
    page = client.get(url("acte", body.siren, acte.pk)).content.decode()
    assert "Voix pour" in page and "Abstentions" in page


def test_the_pdf_is_the_published_file(client, body, really_published):
    acte = really_published
    response = client.get(url("pdf", body.siren, acte.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == acte.published_file.read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{acte.id_acte}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_unpublished_and_foreign_acts_are_404_everywhere(client, body, other_body, mixed):
    for key in ("unpublished", "draft", "other"):
        acte = mixed[key]
        assert client.get(url("acte", body.siren, acte.pk)).status_code == 404, key
        assert client.get(url("pdf", body.siren, acte.pk)).status_code == 404, key
    # The foreign act is public, but only under its own body's address.
    assert client.get(url("acte", other_body.siren, mixed["other"].pk)).status_code == 200
    assert client.get(url("acte", other_body.siren, mixed["published"].pk)).status_code == 404


# -- sessions -----------------------------------------------------------------

@pytest.fixture
def council(body, nomenclature, other_body):
    march, april = dt.date(2026, 3, 2), dt.date(2026, 4, 6)
    make_acte(body, numero="DEL2026_10", objet="Dixième délibération", decided=march)
    make_acte(body, numero="DEL2026_2", objet="Deuxième délibération", decided=march)
    make_acte(body, numero="DEL2026_1", objet="Première délibération", decided=march)
    make_acte(body, numero="DEL2026_3", objet="Objet-Non-Publie", decided=march, published=None)
    make_acte(body, numero="ARR2026_1", objet="Arrêté du même jour", decided=march, nature="AR")
    make_acte(body, numero="DEL2026_20", objet="Délibération d'avril", decided=april,
              published=dt.date(2026, 4, 8))
    make_acte(other_body, numero="DEL_AUTRE", objet="Objet-Autre-Organisme", decided=dt.date(2026, 5, 4))
    return march, april


def test_sessions_are_the_days_of_published_deliberations(body, council):
    march, april = council
    assert list(register.sessions(body)) == [{"day": april, "count": 1}, {"day": march, "count": 3}]


def test_session_list_page(client, body, council):
    response = client.get(url("sessions", body.siren))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 séances" in page
    assert url("session", body.siren, "2026-03-02") in page
    assert url("session", body.siren, "2026-04-06") in page
    assert "2026-05-04" not in page
    assert_no_secret(page)


def test_list_of_deliberations_of_a_session_in_order(client, body, council):
    response = client.get(url("session", body.siren, "2026-03-02"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Liste des délibérations de la séance du 2 mars 2026" in page
    assert page.index("Première") < page.index("Deuxième") < page.index("Dixième")
    assert "3 délibérations publiées" in page
    assert "Arrêté du même jour" not in page
    assert_no_secret(page)
    for acte in register.session_deliberations(body, dt.date(2026, 3, 2)):
        assert url("acte", body.siren, acte.pk) in page


@pytest.mark.parametrize("day", ["2026-03-03", "2026-02-30", "2026-05-04"])
def test_a_day_without_published_deliberations_is_404(client, body, council, day):
    assert client.get(f"/registre/{body.siren}/seances/{day}/").status_code == 404


def test_session_of_another_body_is_not_reachable_through_this_one(body, other_body, council):
    assert register.session_deliberations(body, dt.date(2026, 5, 4)) == []
    assert [a.numero_interne for a in register.session_deliberations(other_body, dt.date(2026, 5, 4))] == [
        "DEL_AUTRE"]

