"""Simplified candidature from a SIRET: prefill, answers, DUME valid against the ESPD XSD,
confidential until the deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from territoires.interop.espd.parse import parse_espd_response
from territoires.interop.espd.schema import espd_schema_errors
from territoires.journal.models import JournalEntry
from territoires.marches import candidatures, services
from tests.factories import UserFactory, membership
from tests.marches.conftest import make_company_user

DEMO_SIRET = "63723261206602"  # VUILLEMIN ET FILS MACONNERIE in the simulator's directory


@pytest.fixture
def mason():
    return make_company_user(email="devis@vuillemin.example.fr", siret=DEMO_SIRET, name="Vuillemin")


def _answers(**overrides):
    values = {"contact_name": "Marc Vuillemin", "email": "devis@vuillemin.example.fr", "phone": "03 81 00 00 00",
              "lots": [], "turnovers": [(2024, "1250000"), (2025, "1310000.50")], "exclusions": {},
              "sworn_statement": True}
    values.update(overrides)
    return values


def test_prefill_comes_from_the_siret(mason, published):
    candidature = candidatures.candidature_start(actor=mason, consultation=published)
    operator = candidature.data["operator"]
    assert (operator["name"], operator["siret"], operator["city"]) == (
        "VUILLEMIN ET FILS MACONNERIE", DEMO_SIRET, "PONTARLIER")
    assert operator["size"] == "small" and operator["naf"] == "43.99C"
    assert candidatures.candidature_start(actor=mason, consultation=published).pk == candidature.pk


def test_certified_candidature_gives_a_valid_dume(mason, published):
    candidature = candidatures.candidature_start(actor=mason, consultation=published)
    candidatures.candidature_update(actor=mason, candidature=candidature, **_answers(
        exclusions={"tax-pay": (True, "Échéancier accordé par la DGFiP en 2025.")}))
    xml = candidature.espd.content.open("rb").read()
    assert espd_schema_errors(xml, settings.REFERENCE_DATA_DIR) == []
    summary = parse_espd_response(xml)
    assert summary.siret == DEMO_SIRET and summary.buyer_name == published.body.name
    tax = next(e for e in summary.exclusions if e.code == "tax-pay")
    assert tax.breached is True and "DGFiP" in tax.description
    assert sorted(t.year for t in summary.turnovers) == [2024, 2025]


def test_yes_without_explanation_and_unknown_lot_are_refused(mason, buyer, published):
    candidature = candidatures.candidature_start(actor=mason, consultation=published)
    with pytest.raises(ValidationError) as error:
        candidatures.candidature_update(actor=mason, candidature=candidature,
                                        **_answers(exclusions={"fraud": (True, "")}, lots=[3]))
    assert set(error.value.message_dict) == {"exclusion_fraud", "lots"}


def test_not_certified_means_no_dume(mason, published):
    candidature = candidatures.candidature_start(actor=mason, consultation=published)
    candidatures.candidature_update(actor=mason, candidature=candidature, **_answers(sworn_statement=False))
    assert candidature.espd is None


def test_agents_cannot_candidate(buyer, published):
    with pytest.raises(PermissionDenied):
        candidatures.candidature_start(actor=buyer, consultation=published)


def test_commission_reads_only_after_the_deadline_and_is_journalled(mason, buyer_body, published):
    commission = UserFactory()
    membership(commission, buyer_body, ["commission"])
    candidature = candidatures.candidature_start(actor=mason, consultation=published)
    candidatures.candidature_update(actor=mason, candidature=candidature, **_answers())
    with pytest.raises(PermissionDenied):
        candidatures.candidatures_for_opening(actor=commission, consultation=published)
    with time_machine.travel(published.closes_at + timedelta(seconds=1)):
        services.consultations_close_due()
        published.refresh_from_db()
        with pytest.raises(PermissionDenied):  # the buyer role alone does not open plis
            candidatures.candidatures_for_opening(actor=published.created_by, consultation=published)
        read = candidatures.candidature_dume_for_buyer(actor=commission, consultation=published,
                                                       candidature_id=candidature.pk)
    assert read.pk == candidature.pk
    assert JournalEntry.objects.filter(action="marches.candidature.read").count() == 1


def test_candidature_page_flow(client, mason, published):
    client.force_login(mason)
    url = reverse("marches_public:candidature", args=[published.pk])
    page = client.get(url)
    assert page.status_code == 200 and "VUILLEMIN ET FILS MACONNERIE" in page.content.decode()
    data = {"contact_name": "Marc Vuillemin", "email": "devis@vuillemin.example.fr", "sworn_statement": "on",
            "turnover_year_1": "2025", "turnover_amount_1": "1310000"}
    data.update({f"exclusion_{g.code}": "0" for g in candidatures.exclusion_grounds()})
    data["exclusion_fraud"] = "1"
    response = client.post(url, data)
    assert response.status_code == 400 and "expliquez la situation" in response.content.decode()
    assert 'value="Marc Vuillemin"' in response.content.decode()
    data["exclusion_fraud"] = "0"
    assert client.post(url, data).status_code == 302
    dume = client.get(reverse("marches_public:candidature_dume", args=[published.pk]))
    assert dume.status_code == 200
    assert espd_schema_errors(b"".join(dume.streaming_content), settings.REFERENCE_DATA_DIR) == []


def test_buyer_dume_request_is_valid(client, buyer, published):
    client.force_login(buyer)
    xml = client.get(reverse("marches:espd_request", args=[published.body.siren, published.pk])).content
    assert espd_schema_errors(xml, settings.REFERENCE_DATA_DIR) == []
