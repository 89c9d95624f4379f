"""Buyer pages and public consultation pages, through the test client."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import jsonschema_rs
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from territoires.interop.eforms.parse import parse_notice
from territoires.interop.eforms.schema import schema_errors
from territoires.marches import essential, services
from territoires.marches.models import Consultation, Retrait, Status
from tests.factories import BodyFactory, UserFactory, membership
from tests.marches.conftest import consultation_fields


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


def _url(name, consultation, *args):
    return reverse(f"marches:{name}", args=[consultation.body.siren, consultation.pk, *args])


def test_create_form_keeps_input_on_error(buyer_client, buyer_body):
    response = buyer_client.post(reverse("marches:create", args=[buyer_body.siren]), {
        "reference": "2026-FCS-004", "title": "Repas", "object": "Fourniture de repas", "nature": "supplies",
        "procedure": "open", "cpv_main": "repas", "nuts": "FRC11",
    })
    assert response.status_code == 200
    content = response.content.decode()
    assert "Codes proches de « repas »" in content
    assert 'value="2026-FCS-004"' in content and not Consultation.objects.exists()


def test_buyer_flow_create_lots_dce_publish(buyer_client, buyer_body):
    response = buyer_client.post(reverse("marches:create", args=[buyer_body.siren]), {
        "reference": "2026-FCS-004", "title": "Restauration scolaire", "object": "Fourniture de repas en liaison froide",
        "nature": "supplies", "procedure": "open", "cpv_main": "55523100-3", "cpv_additional": "15894210-6, 15894220-9",
        "nuts": "FRC11", "estimated_value": "320000",
        "closes_at": (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
        "contact_email": "marches@fontaine.example.fr",
    })
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("detail", consultation)
    assert consultation.cpv_additional == ["15894210", "15894220"]
    for title in ("Écoles maternelles", "Écoles élémentaires"):
        assert buyer_client.post(_url("lot_add", consultation), {"lot-title": title,
                                                                 "lot-cpv_main": "55523100"}).status_code == 302
    upload = [SimpleUploadedFile("RC.pdf", b"%PDF-1.4 rc", content_type="application/pdf"),
              SimpleUploadedFile("CCTP.docx", b"PK\x03\x04 cctp", content_type="application/octet-stream")]
    assert buyer_client.post(_url("dce_upload", consultation), {"dce-files": upload}).status_code == 302
    page = buyer_client.get(_url("detail", consultation)).content.decode()
    assert "CCTP.docx" in page and "Écoles élémentaires" in page and "55523100-3 – Services de restauration" in page
    assert buyer_client.post(_url("publish", consultation)).status_code == 302
    consultation.refresh_from_db()
    assert consultation.status == Status.PUBLISHED


def test_cpv_suggestions_fragment(buyer_client, buyer_body):
    response = buyer_client.get(reverse("marches:cpv", args=[buyer_body.siren]), {"cpv_main": "voirie"})
    assert response.status_code == 200
    assert b'<option value="90611000-3">90611000-3 \xe2\x80\x93 Services de voirie</option>' in response.content


def test_contract_notice_xml_is_valid_e3_below_and_16_above_thresholds(buyer_client, buyer, published):
    reference_dir = settings.REFERENCE_DATA_DIR / "marches"
    xml = buyer_client.get(_url("notice_xml", published, "avis")).content
    assert schema_errors(xml, reference_dir) == []
    assert parse_notice(xml, reference_dir=reference_dir).subtype == "E3"
    Consultation.objects.filter(pk=published.pk).update(estimated_value=Decimal("6000000"))
    xml = buyer_client.get(_url("notice_xml", published, "avis")).content
    summary = parse_notice(xml, reference_dir=reference_dir)
    assert schema_errors(xml, reference_dir) == [] and summary.subtype == "16"
    assert summary.cpv_main == "45233140" and summary.nuts == ("FRC11",)


def _award(buyer, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(status=Status.CLOSED)
    consultation.refresh_from_db()
    services.award_save(actor=buyer, consultation=consultation, lot=None, winner_siret="73282932000074",
                        winner_name="BTP Côte-d'Or", winner_postal_code="21000", winner_city="Dijon",
                        amount=Decimal("172500"), contract_date=timezone.localdate(), tenders_received=3,
                        duration_months=6)
    return services.consultation_conclude(actor=buyer, consultation=consultation, outcome=Status.AWARDED)


def test_award_notice_xml_is_valid(buyer_client, buyer, published):
    _award(buyer, published)
    xml = buyer_client.get(_url("notice_xml", published, "attribution")).content
    reference_dir = settings.REFERENCE_DATA_DIR / "marches"
    assert schema_errors(xml, reference_dir) == []
    summary = parse_notice(xml, reference_dir=reference_dir)
    assert summary.kind == "award" and summary.awarded_value == Decimal("172500")


def test_decp_complete_publish_and_export_valid_against_schema(buyer_client, buyer, published, client):
    _award(buyer, published)
    record = published.decp.get()
    edit = reverse("marches:decp_edit", args=[published.body.siren, record.pk])
    data = {**record.data, "price_types": ["Définitif ferme"], "ccag": "Travaux"}
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}
    assert buyer_client.post(edit, data).status_code == 302
    publish = reverse("marches:decp_publish", args=[published.body.siren, record.pk])
    assert buyer_client.post(publish).status_code == 302
    record.refresh_from_db()
    assert record.published_at and record.data["price_types"] == ["Définitif ferme"]
    schema = json.loads((settings.REFERENCE_DATA_DIR / "marches" / "decp" / "schema_decp_v2.0.3.json").read_text())
    year = record.year
    exported = buyer_client.get(reverse("marches:decp_export", args=[published.body.siren, year]))
    document = json.loads(exported.content)
    jsonschema_rs.validator_for(schema).validate(document)
    assert document["marches"]["marche"][0]["titulaires"][0]["titulaire"]["id"] == "73282932000074"
    public = client.get(reverse("marches_public:decp_year", args=[year]))
    assert json.loads(public.content) == document
    awarded = client.get(reverse("marches_public:awarded")).content.decode()
    assert "BTP Côte-d&#x27;Or" in awarded or "BTP Côte-d'Or" in awarded


def test_concession_decp_is_a_contrat_concession_exported_beside_the_marches(buyer_client, buyer, buyer_body,
                                                                             published, client):
    # A small public-service concession (under the marchés' 40,000 € threshold: concessions
    # have none) and a marché of the same buyer, published the same year: one valid file.
    concession = services.consultation_create(actor=buyer, body=buyer_body, **consultation_fields(
        reference="2026-DSP-001", title="Gestion de la piscine municipale", object="Délégation de la piscine",
        nature="services", procedure="concession", cpv_main="92610000-0"))
    services.dce_file_add(actor=buyer, consultation=concession, name="RC.pdf", data=b"%PDF-1.4 rc")
    services.consultation_publish(actor=buyer, consultation=concession)
    Consultation.objects.filter(pk=concession.pk).update(status=Status.CLOSED)
    concession.refresh_from_db()
    services.award_save(actor=buyer, consultation=concession, lot=None, winner_siret="73282932000074",
                        winner_name="Aqua Côte-d'Or", winner_postal_code="21000", winner_city="Dijon",
                        amount=Decimal("30000"), contract_date=timezone.localdate(), duration_months=60)
    services.consultation_conclude(actor=buyer, consultation=concession, outcome=Status.AWARDED)
    record = concession.decp.get()
    assert record.data["nature"] == "Concession de service" and Decimal(record.data["total_value"]) == 30000

    edit = reverse("marches:decp_edit", args=[buyer_body.siren, record.pk])
    page = buyer_client.get(edit).content.decode()
    assert "SIRET du concessionnaire" in page and "Forme du prix" not in page
    data = {**record.data, "nature": "Délégation de service public", "public_subsidy": "-5"}
    response = buyer_client.post(edit, data)
    content = response.content.decode()  # refused, and what was typed is kept
    assert response.status_code == 400 and 'value="-5"' in content and "supérieure ou égale à 0" in content
    assert buyer_client.post(edit, {**data, "public_subsidy": "12000"}).status_code == 302
    assert buyer_client.post(reverse("marches:decp_publish", args=[buyer_body.siren, record.pk])).status_code == 302
    _award(buyer, published)
    essential.decp_publish(actor=buyer, record=published.decp.get())

    schema = json.loads((settings.REFERENCE_DATA_DIR / "marches" / "decp" / "schema_decp_v2.0.3.json").read_text())
    exported = buyer_client.get(reverse("marches:decp_export", args=[buyer_body.siren, record.year]))
    document = json.loads(exported.content)
    jsonschema_rs.validator_for(schema).validate(document)
    (contract,) = document["marches"]["contrat-concession"]
    assert contract["nature"] == "Délégation de service public" and contract["montantSubventionPublique"] == 12000
    assert contract["concessionnaires"][0]["concessionnaire"]["id"] == "73282932000074"
    assert len(document["marches"]["marche"]) == 1
    assert client.get("/api/v1/marches/decp", {"year": record.year}).json() == document


def test_other_body_cannot_see_the_consultation(client, published):
    outsider = UserFactory()
    membership(outsider, BodyFactory(services=["marches"]), ["acheteur"])
    client.force_login(outsider)
    assert client.get(_url("detail", published)).status_code == 404
    own_body = outsider.memberships.get().body
    response = client.get(reverse("marches:detail", args=[own_body.siren, published.pk]))
    assert response.status_code == 404


def test_public_page_hides_drafts_and_shows_published(client, draft_consultation):
    url = reverse("marches_public:consultation", args=[draft_consultation.pk])
    assert client.get(url).status_code == 404
    Consultation.objects.filter(pk=draft_consultation.pk)  # unchanged
    services.consultation_publish(actor=draft_consultation.created_by, consultation=draft_consultation)
    page = client.get(url).content.decode()
    assert draft_consultation.title in page and "Télécharger tout le DCE" in page


def test_anonymous_direct_download_is_a_complete_zip_and_a_retrait(client, published):
    response = client.get(reverse("marches_public:dce_download", args=[published.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["CCTP.pdf", "RC.pdf"]
    assert archive.read("RC.pdf") == b"%PDF-1.4 reglement"
    retrait = Retrait.objects.get()
    assert (retrait.user, retrait.email, retrait.version.number) == (None, "", 1)


def test_identified_download_and_bad_email_keeps_input(client, published):
    url = reverse("marches_public:dce_download", args=[published.pk])
    response = client.post(url, {"dl-name": "Menuiserie Dupont", "dl-email": "pas-une-adresse"})
    assert response.status_code == 400 and "Menuiserie Dupont" in response.content.decode()
    assert not Retrait.objects.exists()
    one_file = reverse("marches_public:dce_file", args=[published.pk, published.dce_versions.get().files.get(
        name="RC.pdf").pk])
    response = client.post(one_file, {"dl-name": "Menuiserie Dupont", "dl-email": "devis@dupont.example.fr"})
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 reglement"
    assert Retrait.objects.get().email == "devis@dupont.example.fr"


def test_company_asks_and_buyer_answers_through_pages(client, buyer, published, company_user):
    client.force_login(company_user)
    url = reverse("marches_public:question_ask", args=[published.pk])
    response = client.post(url, {"q-text": ""})
    assert response.status_code == 400
    assert client.post(url, {"q-text": "Visite obligatoire ?"}).status_code == 302
    question = published.questions.get()
    client.force_login(buyer)
    response = client.post(_url("answer", published, question.pk), {f"answer-{question.pk}-answer": "Non."})
    assert response.status_code == 302
    client.logout()
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Visite obligatoire ?" in page and "Non." in page and "BTP" not in page


def test_anonymous_question_redirects_to_login(client, published):
    response = client.post(reverse("marches_public:question_ask", args=[published.pk]), {"q-text": "?"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_agent_without_buyer_role_is_told_which_role_is_needed(client, buyer_body, published):
    admin = UserFactory()
    membership(admin, buyer_body, ["administrateur"])
    client.force_login(admin)
    session = client.session
    session["second_factor_ok"] = True
    session.save()
    response = client.get(reverse("marches:list", args=[buyer_body.siren]))
    assert response.status_code == 403 and "« Acheteur »" in response.content.decode()
    assert published.reference not in response.content.decode()


def test_retraits_register_csv(buyer_client, published, company_user):
    services.retrait_record(consultation=published, user=company_user)
    services.retrait_record(consultation=published, name="Anonyme", email="a@b.example.fr")
    response = buyer_client.get(_url("retraits_csv", published))
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and "73282932000074" in lines[1] and "a@b.example.fr" in lines[2]


def test_decp_api_is_public_and_valid(client, buyer, published):
    _award(buyer, published)
    record = published.decp.get()
    from territoires.marches.essential import decp_publish

    decp_publish(actor=buyer, record=record)
    response = client.get("/api/v1/marches/decp", {"year": record.year})
    assert response.status_code == 200
    schema = json.loads((settings.REFERENCE_DATA_DIR / "marches" / "decp" / "schema_decp_v2.0.3.json").read_text())
    jsonschema_rs.validator_for(schema).validate(response.json())
    assert client.get("/api/v1/marches/decp", {"year": record.year, "siren": published.body.siren}).json() == \
        response.json()
    missing = client.get("/api/v1/marches/decp", {"year": 2024})
    assert missing.status_code == 404 and missing.json()["detail"]
    bad = client.get("/api/v1/marches/decp", {"year": "deux-mille"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "year"
