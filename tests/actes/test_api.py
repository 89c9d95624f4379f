"""The e-actes JSON API (/api/v1/actes): scoping, roles, multipart creation, transmission, letters."""

import datetime as dt
import io
import tarfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from territoires.actes import inbound, services, simulator, transmission
from territoires.actes.models import Acte, ActeFile, FileRole, IncomingMessage, Status, Transmission
from territoires.api.services import api_token_create
from territoires.core.models import StoredFile
from territoires.interop.actes.archive import unpack
from tests.actes.factories import classification, pdf_bytes, png_bytes
from tests.factories import BodyFactory, UserFactory, membership

URL = "/api/v1/actes"
TODAY = timezone.localdate


def auth(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def secret_for(body, user) -> str:
    _token, secret = api_token_create(actor=None, body=body, user=user, name="Logiciel métier")
    return secret


@pytest.fixture
def agent_secret(body, agent, nomenclature) -> str:
    return secret_for(body, agent)


@pytest.fixture
def other():
    """A second body, with its own agent, classification and token."""
    body = BodyFactory()
    user = UserFactory()
    membership(user, body, ["agent"])
    classification(body)
    return body, user, secret_for(body, user)


def pdf(name="deliberation.pdf", text="Délibération n° 1"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def create_form(body, **overrides) -> dict:
    form = {
        "siren": body.siren, "nature": "DE", "numero_interne": "DEL2026_010",
        "objet": "Tarifs de la cantine", "decision_date": "2026-03-02", "matiere_code": "7.1",
        "document": pdf(),
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def errors_of(response) -> dict:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def make_acte(user, body, numero, decision_date=dt.date(2026, 3, 2), nature="DE", objet="Tarifs"):
    acte = services.acte_create(actor=user, body=body, nature=nature, numero_interne=numero, objet=objet,
                                decision_date=decision_date, matiere_code="7.1")
    stored = services.acte_file_store(name="acte.pdf", data=pdf_bytes(numero), role=FileRole.MAIN, nature=nature)
    services.acte_file_attach(actor=user, acte=acte, stored=stored, name="acte.pdf", role=FileRole.MAIN,
                              typology=f"99_{nature}")
    return acte


def acknowledge(acte, client, secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():  # the worker's task is run by hand below
        response = client.post(f"{URL}/{acte.pk}/transmit", **auth(secret))
    assert response.status_code == 202, response.content
    transmission.acte_transmit_now(acte.pk)
    inbound.inbox_poll()
    acte.refresh_from_db()
    assert acte.status == Status.ACKNOWLEDGED
    return acte


def prefecture_writes(acte, code, settings) -> IncomingMessage:
    simulator.letter(code, id_acte=acte.id_acte, emitter=transmission.emitter_of(acte.body),
                     folder=settings.ACTES_SIMULATOR_DIR, now=timezone.now(), today=timezone.localdate())
    inbound.inbox_poll()
    return acte.incoming.get(code=code)


# ------------------------------------------------------------------ creation


def test_create_with_document_and_annexes(client, body, agent, agent_secret):
    annexes = [pdf("rapport.pdf", "Rapport"), SimpleUploadedFile("plan.png", png_bytes(), content_type="image/png")]
    response = client.post(URL, create_form(body, annexes=annexes, annexes_typologies=["21_RP", ""],
                                            document_papier="true"), **auth(agent_secret))
    assert response.status_code == 201, response.content
    data = response.json()
    acte = Acte.objects.get()
    assert data["id"] == acte.pk and data["siren"] == body.siren
    assert data["id_acte"] == acte.id_acte and "DEL2026_010" in data["id_acte"]
    assert (data["status"], data["status_label"], data["round"]) == ("draft", "Brouillon", 1)
    assert data["document_papier"] is True and acte.document_papier is True
    assert data["decision_date"] == "2026-03-02" and data["matiere_code"] == "7.1"
    assert data["links"] == {"archive": None, "stamped": None, "receipt": None, "ar": None}
    assert data["received_on"] is None and data["defere_deadline"] is None
    files = [(f["role"], f["name"], f["typology"]) for f in data["files"]]
    assert files == [("main", "deliberation.pdf", "99_DE"), ("annex", "rapport.pdf", "21_RP"),
                     ("annex", "plan.png", "99_DE")]
    main = acte.files.get(role=FileRole.MAIN)
    assert data["files"][0]["sha256"] == main.stored.sha256 and data["files"][0]["size"] == main.stored.size
    assert acte.created_by == agent


def test_a_refused_file_creates_nothing(client, body, agent_secret):
    stored_before = StoredFile.objects.count()
    annexes = [pdf("rapport.pdf"), SimpleUploadedFile("abime.pdf", b"%PDF-1.7 garbage", content_type="application/pdf"),
               SimpleUploadedFile("lettre.odt", b"PK\x03\x04", content_type="application/octet-stream")]
    response = client.post(URL, create_form(body, annexes=annexes), **auth(agent_secret))
    errors = errors_of(response)
    assert set(errors) == {"annexes[1]", "annexes[2]"}
    assert errors["annexes[1]"].startswith("« abime.pdf » : ")
    assert "format .odt n'est pas accepté" in errors["annexes[2]"]
    assert response.json()["detail"] == "Les données envoyées ne sont pas valides."
    assert not Acte.objects.exists() and not ActeFile.objects.exists()
    assert StoredFile.objects.count() == stored_before


def test_bad_input_is_a_french_422_naming_the_field(client, body, agent, agent_secret):
    cases = [
        (create_form(body, nature="XX"), "nature", "Valeur non autorisée"),
        (create_form(body, decision_date="2026-13-45"), "decision_date",
         "Date de décision : Une date au format AAAA-MM-JJ est attendue"),
        (create_form(body, decision_date=(TODAY() + dt.timedelta(days=3)).isoformat()), "decision_date",
         "La date de décision ne peut pas être dans le futur."),
        (create_form(body, document=None), "document", "Document principal : Ce champ est obligatoire."),
        (create_form(body, numero_interne="del 1"), "numero_interne", "ne peut contenir que des lettres"),
        (create_form(body, matiere_code="9.9"), "matiere_code", "n'existe pas dans la classification"),
        (create_form(body, objet="A\x00B"), "objet", "Le caractère nul"),
        (create_form(body, annexes=[pdf("a.pdf")], annexes_typologies=["99_DE", "99_DE"]),
         "annexes_typologies", "2 typologie(s) pour 1 annexe(s)"),
        (create_form(body, annexes=[pdf("a.pdf")], annexes_typologies=["99_AI"]),
         "annexes_typologies[0]", "La typologie 99_AI n'est pas prévue"),
        (create_form(body, document_typology="99_ZZ"), "document_typology", "99_ZZ"),
        (create_form(body, document=SimpleUploadedFile("acte.xml", b"<a/>")), "document", "format .xml"),
    ]
    for form, field, fragment in cases:
        errors = errors_of(client.post(URL, form, **auth(agent_secret)))
        assert field in errors, (field, errors)
        assert fragment in errors[field], (field, errors[field])
    make_acte(agent, body, "DEL2026_010")
    errors = errors_of(client.post(URL, create_form(body), **auth(agent_secret)))
    assert errors["numero_interne"] == "Le numéro DEL2026_010 est déjà utilisé par un autre acte de l'organisme."
    assert Acte.objects.count() == 1


def test_roles_and_services_are_checked(client, body, nomenclature, agent):
    signatory = UserFactory()
    membership(signatory, body, ["signataire"])
    secret = secret_for(body, signatory)
    response = client.post(URL, create_form(body), **auth(secret))
    assert response.status_code == 403
    assert response.json()["detail"] == "Vos rôles dans cet organisme ne permettent pas cette opération."
    acte = make_acte(agent, body, "DEL2026_020")
    assert client.get(f"{URL}/{acte.pk}", **auth(secret)).status_code == 200  # a signatory reads
    assert client.post(f"{URL}/{acte.pk}/transmit", **auth(secret)).status_code == 403
    buyer = UserFactory()
    membership(buyer, body, ["acheteur"])
    buyer_secret = secret_for(body, buyer)
    assert client.get(f"{URL}/{acte.pk}", **auth(buyer_secret)).status_code == 403
    assert client.get(URL, **auth(buyer_secret)).status_code == 403
    body.subscriptions.filter(service="actes").update(is_active=False)
    assert client.get(f"{URL}/{acte.pk}", **auth(secret_for(body, agent))).status_code == 403
    assert not Acte.objects.exclude(pk=acte.pk).exists()


def test_unauthenticated_is_401(client):
    response = client.get(URL)
    assert response.status_code == 401 and "Authentification requise" in response.json()["detail"]


# ------------------------------------------------------------------ scoping


def test_a_token_never_sees_another_bodys_acts(client, body, agent, agent_secret, other):
    other_body, other_agent, other_secret = other
    theirs = make_acte(other_agent, other_body, "DEL2026_900")
    mine = make_acte(agent, body, "DEL2026_001")
    for path in ("", "/ar", "/archive", "/stamped", "/receipt"):
        response = client.get(f"{URL}/{theirs.pk}{path}", **auth(agent_secret))
        assert response.status_code == 404, path
        assert response.json()["detail"] == "Ressource introuvable ou non accessible avec vos droits."
    assert client.post(f"{URL}/{theirs.pk}/transmit", **auth(agent_secret)).status_code == 404
    assert client.get(URL, {"siren": other_body.siren}, **auth(agent_secret)).status_code == 404
    assert client.post(URL, create_form(other_body), **auth(agent_secret)).status_code == 404
    page = client.get(URL, **auth(agent_secret)).json()
    assert [a["id"] for a in page["items"]] == [mine.pk]
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT and Acte.objects.count() == 2


def test_a_token_is_limited_to_its_body_even_when_its_user_has_several(client, body, agent, agent_secret, other):
    other_body, other_agent, _secret = other
    membership(agent, other_body, ["agent"])
    theirs = make_acte(other_agent, other_body, "DEL2026_900")
    assert client.get(f"{URL}/{theirs.pk}", **auth(agent_secret)).status_code == 404
    assert client.get(URL, **auth(agent_secret)).json()["count"] == 0


def test_a_session_user_sees_only_their_bodies(client, body, agent, nomenclature, other):
    other_body, other_agent, _secret = other
    third = BodyFactory()
    classification(third)
    membership(agent, other_body, ["agent"])
    buyer_only = BodyFactory()
    classification(buyer_only)
    membership(agent, buyer_only, ["acheteur"])
    mine = make_acte(agent, body, "DEL2026_001")
    shared = make_acte(other_agent, other_body, "DEL2026_002")
    stranger = UserFactory()
    membership(stranger, third, ["agent"])
    membership(stranger, buyer_only, ["agent"])
    hidden = make_acte(stranger, third, "DEL2026_003")
    not_allowed = make_acte(stranger, buyer_only, "DEL2026_004")
    client.force_login(agent)
    page = client.get(URL).json()
    assert [a["id"] for a in page["items"]] == [shared.pk, mine.pk]
    assert client.get(URL, {"siren": other_body.siren}).json()["count"] == 1
    assert client.get(f"{URL}/{hidden.pk}").status_code == 404
    assert client.get(f"{URL}/{not_allowed.pk}").status_code == 403
    assert client.get(URL, {"siren": third.siren}).status_code == 404
    # A session writes too (the test client skips the CSRF check a browser must pass).
    assert client.post(URL, create_form(body)).status_code == 201
    assert client.post(URL, create_form(third, numero_interne="DEL2026_005")).status_code == 404


def test_bad_ids_are_422_or_404(client, agent_secret):
    assert client.get(f"{URL}/0", **auth(agent_secret)).status_code == 422
    assert client.get(f"{URL}/99999999999999999999999", **auth(agent_secret)).status_code == 422
    response = client.get(f"{URL}/abc", **auth(agent_secret))
    assert errors_of(response) == {"id": "Identifiant : Un nombre entier est attendu."}
    assert client.get(f"{URL}/9223372036854775807", **auth(agent_secret)).status_code == 404
    assert client.get(f"{URL}/courriers/9223372036854775807/files/1", **auth(agent_secret)).status_code == 404


# ------------------------------------------------------------------ transmission


def test_transmit_then_status_ar_and_archive(client, body, agent_secret, simulator,
                                             django_capture_on_commit_callbacks):
    created = client.post(URL, create_form(body), **auth(agent_secret)).json()
    acte = Acte.objects.get(pk=created["id"])
    for path in ("/ar", "/archive", "/stamped", "/receipt"):
        assert client.get(f"{URL}/{acte.pk}{path}", **auth(agent_secret)).status_code == 404, path
    with django_capture_on_commit_callbacks():
        response = client.post(f"{URL}/{acte.pk}/transmit", **auth(agent_secret))
    assert response.status_code == 202
    assert response.json()["status"] == "posted" and response.json()["posted_at"]
    again = client.post(f"{URL}/{acte.pk}/transmit", **auth(agent_secret))
    assert errors_of(again) == {None: "Cet acte a déjà été déposé pour transmission."}

    transmission.acte_transmit_now(acte.pk)
    sent = Transmission.objects.get()
    response = client.get(f"{URL}/{acte.pk}/archive", **auth(agent_secret))
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    assert sent.archive_name in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == sent.archive.read()
    data = client.get(f"{URL}/{acte.pk}", **auth(agent_secret)).json()
    assert data["status"] == "transmitted" and data["sent_at"]
    assert data["links"]["archive"] == f"{URL}/{acte.pk}/archive" and data["links"]["ar"] is None

    inbound.inbox_poll()
    data = client.get(f"{URL}/{acte.pk}", **auth(agent_secret)).json()
    acte.refresh_from_db()
    assert (data["status"], data["status_label"]) == ("acknowledged", "Acquittement reçu")
    assert data["received_on"] == TODAY().isoformat() == acte.received_on.isoformat()
    assert data["defere_deadline"] is not None and data["defere_deadline"] > data["received_on"]
    assert data["links"] == {"archive": f"{URL}/{acte.pk}/archive", "stamped": f"{URL}/{acte.pk}/stamped",
                             "receipt": f"{URL}/{acte.pk}/receipt", "ar": f"{URL}/{acte.pk}/ar"}
    ar = acte.incoming.get(code="1-2")
    response = client.get(f"{URL}/{acte.pk}/ar", **auth(agent_secret))
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert response.content == dict(unpack(ar.archive.stored.read()))[ar.file_name]
    assert b"ARActe" in response.content and acte.id_acte.encode() in response.content
    for path in ("/stamped", "/receipt"):
        response = client.get(f"{URL}/{acte.pk}{path}", **auth(agent_secret))
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), path
    # The archive is the one the simulator received, with the act's XML inside.
    with tarfile.open(fileobj=io.BytesIO(sent.archive.read())) as tar:
        assert f"{acte.id_acte}-1-1_0.xml" in tar.getnames()


def test_transmit_lists_the_problems(client, body, agent, agent_secret):
    acte = services.acte_create(actor=agent, body=body, nature="DE", numero_interne="DEL2026_030",
                                objet="Sans document", decision_date=dt.date(2026, 3, 2), matiere_code="7.1")
    response = client.post(f"{URL}/{acte.pk}/transmit", **auth(agent_secret))
    assert errors_of(response) == {None: "Ajoutez le document principal de l'acte."}
    acte.refresh_from_db()
    assert acte.status == Status.DRAFT


# ------------------------------------------------------------------ list


def test_list_filters_and_order(client, body, agent, agent_secret):
    march = make_acte(agent, body, "DEL2026_001", dt.date(2026, 3, 2))
    april = make_acte(agent, body, "DEL2026_002", dt.date(2026, 4, 15), objet="Subvention au club")
    arrete = make_acte(agent, body, "ARR2026_001", dt.date(2026, 5, 5), nature="AI")
    Acte.objects.filter(pk=march.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=10))
    Acte.objects.filter(pk=april.pk).update(status=Status.ACKNOWLEDGED)

    def ids(**params):
        response = client.get(URL, params, **auth(agent_secret))
        assert response.status_code == 200, response.content
        return [a["id"] for a in response.json()["items"]]

    assert ids() == [arrete.pk, april.pk, march.pk]
    assert ids(decision_from="2026-04-01") == [arrete.pk, april.pk]
    assert ids(decision_to="2026-04-15") == [april.pk, march.pk]
    assert ids(decision_from="2026-04-01", decision_to="2026-04-30") == [april.pk]
    since = (timezone.localtime() - dt.timedelta(days=1)).replace(tzinfo=None).isoformat()
    assert ids(updated_since=since) == [arrete.pk, april.pk]
    assert ids(updated_since="2020-01-01T00:00:00Z") == [arrete.pk, april.pk, march.pk]
    assert ids(status="acknowledged") == [april.pk]
    assert ids(nature="AI") == [arrete.pk]
    assert ids(q="club") == [april.pk]
    assert ids(q="ARR2026") == [arrete.pk]
    page = client.get(URL, {"limit": 2, "offset": 1}, **auth(agent_secret)).json()
    assert page["count"] == 3 and [a["id"] for a in page["items"]] == [april.pk, march.pk]

    errors = errors_of(client.get(URL, {"decision_from": "02/03/2026"}, **auth(agent_secret)))
    assert errors == {"decision_from": "Décidé à partir du : Une date au format AAAA-MM-JJ est attendue, "
                                       "par exemple 2026-03-02."}
    errors = errors_of(client.get(URL, {"updated_since": "hier"}, **auth(agent_secret)))
    assert "Modifié depuis : Une date et heure ISO 8601" in errors["updated_since"]
    assert "updated_since" in errors_of(client.get(URL, {"updated_since": "0001-01-01T00:00:00+05:00"},
                                                   **auth(agent_secret)))
    assert "status" in errors_of(client.get(URL, {"status": "perdu"}, **auth(agent_secret)))
    assert "q" in errors_of(client.get(URL, {"q": "a\x00b"}, **auth(agent_secret)))


def test_list_costs_the_same_queries_for_more_acts(client, body, agent, agent_secret):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, **auth(agent_secret)).status_code == 200
        return len(captured)

    make_acte(agent, body, "DEL2026_100")
    queries()  # the token's first use is recorded once
    few = queries()
    for n in range(6):
        make_acte(agent, body, f"DEL2026_{n:03d}")
    assert queries() == few


# ------------------------------------------------------------------ prefecture letters


def test_letter_read_and_answer_round_trip(client, body, agent_secret, simulator, settings,
                                           django_capture_on_commit_callbacks, other):
    created = client.post(URL, create_form(body), **auth(agent_secret)).json()
    acte = acknowledge(Acte.objects.get(pk=created["id"]), client, agent_secret,
                       django_capture_on_commit_callbacks)
    letter = prefecture_writes(acte, "2-1", settings)

    page = client.get(f"{URL}/courriers", **auth(agent_secret)).json()
    assert page["count"] == 1
    item = page["items"][0]
    assert (item["id"], item["acte_id"], item["id_acte"], item["code"]) == (
        letter.pk, acte.pk, acte.id_acte, "2-1")
    assert item["label"] == "Courrier simple" and item["siren"] == body.siren
    assert item["read_at"] is None and item["answers_open"] == ["2-2"] and item["answered"] == []
    assert item["date_courrier_pref"] == TODAY().isoformat()
    document = letter.files.get()
    assert item["files"] == [{"id": document.pk, "name": document.name, "size": document.stored.size,
                              "url": f"{URL}/courriers/{letter.pk}/files/{document.pk}"}]
    for params, count in (({"unread": "true"}, 1), ({"awaiting_answer": "true"}, 1), ({"code": "3-1"}, 0),
                          ({"code": "2-1", "siren": body.siren}, 1), ({"awaiting_answer": "false"}, 0)):
        assert client.get(f"{URL}/courriers", params, **auth(agent_secret)).json()["count"] == count, params

    response = client.get(item["files"][0]["url"], **auth(agent_secret))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document.stored.read()
    assert client.get(f"{URL}/courriers/{letter.pk}", **auth(agent_secret)).json()["read_at"] is None

    read = client.post(f"{URL}/courriers/{letter.pk}/read", **auth(agent_secret)).json()
    assert read["read_at"] is not None
    again = client.post(f"{URL}/courriers/{letter.pk}/read", **auth(agent_secret)).json()
    assert again["read_at"] == read["read_at"]
    assert client.get(f"{URL}/courriers", {"unread": "true"}, **auth(agent_secret)).json()["count"] == 0

    url = f"{URL}/courriers/{letter.pk}/reponse"
    errors = errors_of(client.post(url, {"code": "9-9"}, **auth(agent_secret)))
    assert errors["code"].startswith("Code du message : Valeur non autorisée")
    errors = errors_of(client.post(url, {"code": "2-2", "documents": [
        SimpleUploadedFile("lettre.odt", b"PK\x03\x04")]}, **auth(agent_secret)))
    assert "format .odt" in errors["documents[0]"]
    assert errors_of(client.post(url, {"code": "2-2"}, **auth(agent_secret))) == {
        "documents": "Joignez le document de la réponse (PDF)."}
    assert errors_of(client.post(url, {"code": "4-4", "documents": [pdf("r.pdf")]}, **auth(agent_secret))) == {
        None: "Cette réponse n'est pas (ou plus) possible pour ce courrier."}
    _other_body, _other_agent, other_secret = other
    assert client.post(url, {"code": "2-2", "documents": [pdf("r.pdf")]}, **auth(other_secret)).status_code == 404
    for path in ("", "/read", f"/files/{document.pk}"):
        method = client.post if path == "/read" else client.get
        assert method(f"{URL}/courriers/{letter.pk}{path}", **auth(other_secret)).status_code == 404, path
    assert client.get(f"{URL}/courriers", **auth(other_secret)).json()["count"] == 0

    with django_capture_on_commit_callbacks():
        response = client.post(url, {"code": "2-2", "documents": [pdf("reponse.pdf", "Réponse")]},
                               **auth(agent_secret))
    assert response.status_code == 201, response.content
    data = response.json()
    assert [a["code"] for a in data["answered"]] == ["2-2"] and data["answers_open"] == []
    assert data["answered"][0]["label"] == "Réponse au courrier simple"
    answer = letter.answers.get()
    assert answer.code == "2-2" and answer.transmission.archive_name.endswith(".tar.gz")
    assert client.get(f"{URL}/courriers", {"awaiting_answer": "true"}, **auth(agent_secret)).json()["count"] == 0
    assert client.get(f"{URL}/courriers", {"awaiting_answer": "false"}, **auth(agent_secret)).json()["count"] == 1
    dup = client.post(url, {"code": "2-2", "documents": [pdf("reponse.pdf")]}, **auth(agent_secret))
    assert dup.status_code == 422


def test_answering_needs_the_transmit_role(client, body, agent, agent_secret, simulator, settings,
                                           django_capture_on_commit_callbacks):
    acte = acknowledge(make_acte(agent, body, "DEL2026_040"), client, agent_secret,
                       django_capture_on_commit_callbacks)
    letter = prefecture_writes(acte, "3-1", settings)
    signatory = UserFactory()
    membership(signatory, body, ["signataire"])
    secret = secret_for(body, signatory)
    data = client.get(f"{URL}/courriers/{letter.pk}", **auth(secret)).json()
    assert data["answers_open"] == ["3-2", "3-3", "3-4"] and "description" in data
    response = client.post(f"{URL}/courriers/{letter.pk}/reponse", {"code": "3-2"}, **auth(secret))
    assert response.status_code == 403
    assert not letter.answers.exists()
    data = client.get(f"{URL}/{acte.pk}", **auth(secret)).json()
    assert data["defere_deadline"] is None  # suspended by the request for documents


# ------------------------------------------------------------------ OpenAPI


def test_openapi_documents_every_endpoint(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = {p: set(ops) for p, ops in document["paths"].items() if p.startswith(URL)}
    assert paths == {
        URL: {"get", "post"},
        f"{URL}/{{id}}": {"get"},
        f"{URL}/{{id}}/transmit": {"post"},
        f"{URL}/{{id}}/ar": {"get"},
        f"{URL}/{{id}}/archive": {"get"},
        f"{URL}/{{id}}/stamped": {"get"},
        f"{URL}/{{id}}/receipt": {"get"},
        f"{URL}/courriers": {"get"},
        f"{URL}/courriers/{{id}}": {"get"},
        f"{URL}/courriers/{{id}}/read": {"post"},
        f"{URL}/courriers/{{id}}/files/{{file_id}}": {"get"},
        f"{URL}/courriers/{{id}}/reponse": {"post"},
    }
    for path, operations in document["paths"].items():
        if path.startswith(URL):
            for operation in operations.values():
                assert operation["tags"] == ["actes"] and operation["summary"], path
                assert operation["security"], path
    archive = document["paths"][f"{URL}/{{id}}/archive"]["get"]["responses"]["200"]
    assert "application/gzip" in archive["content"]
    create = document["paths"][URL]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"document", "annexes", "annexes_typologies", "siren"} <= set(create["properties"])
