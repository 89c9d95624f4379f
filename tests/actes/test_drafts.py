"""Drafting acts: every protocol rule gives a French message before anything is sent."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from territoires.actes import rules, services
from territoires.actes.models import Acte, FileRole, Status
from tests.actes.conftest import upload
from tests.actes.factories import classification, pdf_bytes, png_bytes
from tests.factories import BodyFactory, UserFactory, membership
from tests.interop.pdf.conftest import encrypted_pdf

FIELDS = dict(nature="DE", numero_interne="DEL2026_002", objet="Tarifs de la cantine",
              decision_date=dt.date(2026, 3, 2), matiere_code="7.1")


def create(agent, body, **changes):
    return services.acte_create(actor=agent, body=body, **(FIELDS | changes))


@pytest.mark.parametrize(("changes", "field", "fragment"), [
    ({"numero_interne": "del-2026"}, "numero_interne", "majuscules"),
    ({"numero_interne": "A" * 16}, "numero_interne", "15"),
    ({"objet": "x" * 501}, "objet", "500"),
    ({"decision_date": dt.date(2999, 1, 1)}, "decision_date", "futur"),
    ({"matiere_code": "4.2"}, "matiere_code", "n'existe pas"),
    ({"matiere_code": "7"}, "matiere_code", "niveau 2"),
])
def test_draft_fields_are_checked_with_french_messages(agent, body, nomenclature, changes, field, fragment):
    with pytest.raises(ValidationError) as raised:
        create(agent, body, **changes)
    assert fragment in " ".join(raised.value.message_dict[field])
    assert not Acte.objects.exists()


def test_numero_interne_is_unique_per_body(agent, body, nomenclature):
    create(agent, body)
    with pytest.raises(ValidationError) as raised:
        create(agent, body, objet="Autre objet")
    assert "déjà utilisé" in raised.value.message_dict["numero_interne"][0]
    other = BodyFactory()
    classification(other)
    colleague = UserFactory()
    membership(colleague, other, ["agent"])
    assert create(colleague, other).numero_interne == FIELDS["numero_interne"]


def test_no_classification_yet_is_explained(agent, body):
    with pytest.raises(ValidationError) as raised:
        create(agent, body)
    assert "classification" in raised.value.message_dict["matiere_code"][0]


def test_only_drafters_of_a_subscribed_body_may_draft(body, nomenclature):
    signatory = UserFactory()
    membership(signatory, body, ["signataire"])
    with pytest.raises(PermissionDenied):
        create(signatory, body)
    unsubscribed = BodyFactory(services=["formations"])
    clerk = UserFactory()
    membership(clerk, unsubscribed, ["agent"])
    with pytest.raises(PermissionDenied):
        create(clerk, unsubscribed)


@pytest.mark.parametrize(("name", "data", "role", "nature", "fragment"), [
    ("acte.odt", b"PK\x03\x04", FileRole.MAIN, "DE", "format .odt"),
    ("budget.xml", b"<budget/>", FileRole.MAIN, "DE", "format .xml"),
    ("vide.pdf", b"", FileRole.MAIN, "DE", "vide"),
    ("casse.pdf", pdf_bytes()[:200], FileRole.MAIN, "DE", "PDF"),
    ("faux.pdf", b"Bonjour, ceci n'est pas un PDF", FileRole.MAIN, "DE", "PDF"),
    ("image.jpg", png_bytes(), FileRole.MAIN, "DE", "extension"),
    ("annexe.xml", b"<a><b></a>", FileRole.ANNEX, "DE", "XML"),
    ("protege.pdf", encrypted_pdf(""), FileRole.MAIN, "DE", "protégé contre la modification"),
])
def test_file_checks(name, data, role, nature, fragment):
    with pytest.raises(ValidationError) as raised:
        services.acte_file_store(name=name, data=data, role=role, nature=nature)
    assert fragment in raised.value.message_dict["file"][0]


def test_accepted_files_are_stored_once_by_content():
    data = pdf_bytes()
    first = services.acte_file_store(name="a.pdf", data=data, role=FileRole.MAIN, nature="DE")
    second = services.acte_file_store(name="b.PDF", data=data, role=FileRole.ANNEX, nature="AI")
    assert first.pk == second.pk
    assert first.read() == data
    assert services.acte_file_store(name="scan.png", data=png_bytes(), role=FileRole.MAIN, nature="DE")
    assert services.acte_file_store(name="budget.xml", data=b"<budget/>", role=FileRole.MAIN, nature="BF")


def test_typology_must_belong_to_the_nature(agent, body, nomenclature):
    acte = create(agent, body)
    stored = services.acte_file_store(name="a.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    with pytest.raises(ValidationError) as raised:
        services.acte_file_attach(actor=agent, acte=acte, stored=stored, name="a.pdf",
                                  role=FileRole.MAIN, typology="99_AI")
    assert "99_AI" in raised.value.message_dict["typology"][0]


def test_main_document_is_replaced_and_annexes_numbered(agent, draft):
    stored = services.acte_file_store(name="v2.pdf", data=pdf_bytes("v2"), role=FileRole.MAIN, nature="DE")
    services.acte_file_attach(actor=agent, acte=draft, stored=stored, name="v2.pdf", role=FileRole.MAIN,
                              typology="99_DE")
    for name in ("r1.pdf", "r2.pdf", "r3.pdf"):
        annex = services.acte_file_store(name=name, data=pdf_bytes(name), role=FileRole.ANNEX, nature="DE")
        services.acte_file_attach(actor=agent, acte=draft, stored=annex, name=name, role=FileRole.ANNEX,
                                  typology="21_RP")
    assert [f.name for f in draft.files.filter(role=FileRole.MAIN)] == ["v2.pdf"]
    services.acte_file_remove(actor=agent, item=draft.files.get(name="r2.pdf"))
    assert [(f.name, f.position) for f in draft.files.filter(role=FileRole.ANNEX)] == [("r1.pdf", 1), ("r3.pdf", 2)]


def test_a_stale_classification_blocks_posting(agent, body, draft):
    classification(body, date=dt.date(2026, 6, 1))
    problems = rules.acte_problems(draft)
    assert any("n'est plus à jour" in p and "01/06/2026" in p for p in problems)
    with pytest.raises(ValidationError):
        services.acte_post(actor=agent, acte=draft)
    services.acte_update(actor=agent, acte=draft, matiere_code="7.1")
    draft.refresh_from_db()
    assert draft.classification.date == dt.date(2026, 6, 1)
    assert rules.acte_problems(draft) == []


def test_missing_main_document_and_size_limit(agent, body, nomenclature, monkeypatch):
    acte = create(agent, body)
    assert "Ajoutez le document principal de l'acte." in rules.acte_problems(acte)
    monkeypatch.setattr(rules, "MAX_TOTAL_BYTES", 100)
    with pytest.raises(ValidationError) as raised:
        services.acte_file_store(name="gros.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    assert "150 Mo" in raised.value.message_dict["file"][0]


def test_posting_a_ready_draft_schedules_its_transmission(agent, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.acte_post(actor=agent, acte=draft)
    draft.refresh_from_db()
    assert draft.status == Status.POSTED
    assert draft.posted_at is not None
    assert len(callbacks) == 1
    with pytest.raises(ValidationError):
        services.acte_post(actor=agent, acte=draft)
    with pytest.raises(ValidationError):
        services.acte_update(actor=agent, acte=draft, objet="Changé après dépôt")


def test_posted_act_can_be_taken_back_before_its_archive_is_built(agent, draft):
    services.acte_post(actor=agent, acte=draft)
    services.acte_back_to_draft(actor=agent, acte=draft)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# Pages


def test_create_page_keeps_the_uploaded_document_after_an_error(client, agent, body, nomenclature):
    client.force_login(agent)
    url = reverse("actes:create", args=[body.siren])
    data = {"nature": "DE", "numero_interne": "mauvais numéro", "objet": "Budget",
            "decision_date": "2026-03-02", "matiere_code": "7.1",
            "main_document": upload("budget.pdf", pdf_bytes())}
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "majuscules" in page
    assert "Document principal déjà reçu : budget.pdf" in page
    assert "\nBudget</textarea>" in page
    token = response.context["kept_token"]
    response = client.post(url, {**{k: v for k, v in data.items() if k != "main_document"},
                                 "numero_interne": "BUD2026_01", "kept_main": token})
    acte = Acte.objects.get(numero_interne="BUD2026_01")
    assert response.url == reverse("actes:detail", args=[body.siren, acte.pk])
    main = acte.files.get(role=FileRole.MAIN)
    assert (main.name, main.typology) == ("budget.pdf", "99_DE")


def test_a_kept_file_token_is_worthless_to_another_user(client, agent, body, nomenclature):
    from territoires.actes.forms import kept_file_token

    stored = services.acte_file_store(name="a.pdf", data=pdf_bytes(), role=FileRole.MAIN, nature="DE")
    client.force_login(agent)
    token = kept_file_token(stored.pk, "a.pdf", agent.pk + 1000)
    client.post(reverse("actes:create", args=[body.siren]), {
        **{k: str(v) for k, v in FIELDS.items()}, "kept_main": token})
    assert not Acte.objects.get().files.exists()


def test_detail_page_lists_problems_and_the_id_acte(client, agent, body, draft):
    client.force_login(agent)
    page = client.get(reverse("actes:detail", args=[body.siren, draft.pk])).content.decode()
    assert draft.id_acte in page
    assert draft.id_acte.startswith(f"021-{body.siren}-20260302-DEL2026_001-DE")
    assert "peut être transmis" in page


def test_list_filters_and_batch_posting(client, agent, body, draft):
    create(agent, body, numero_interne="ARR2026_9", objet="Arrêté sans document")
    client.force_login(agent)
    url = reverse("actes:list", args=[body.siren])
    assert "ARR2026_9" not in client.get(url, {"q": "budget"}).content.decode()
    others = Acte.objects.exclude(pk=draft.pk)
    response = client.post(reverse("actes:post_batch", args=[body.siren]),
                           {"acte": [draft.pk, *others.values_list("pk", flat=True)]}, follow=True)
    page = response.content.decode()
    assert "1 acte(s) déposé(s)" in page
    assert "ARR2026_9 non transmis" in page


def test_other_bodies_acts_are_not_found(client, draft):
    outsider_body = BodyFactory()
    outsider = UserFactory()
    membership(outsider, outsider_body, ["agent"])
    client.force_login(outsider)
    assert client.get(reverse("actes:detail", args=[outsider_body.siren, draft.pk])).status_code == 404
    assert client.get(reverse("actes:detail", args=[draft.body.siren, draft.pk])).status_code == 404
