"""API Entreprise adapter: the simulator's demo directory, and the HTTP backend against
recorded responses served through requests' transport layer (no network)."""

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine

from territoires.interop.pdf.check import pdf_check
from territoires.interop.siren import siret_error
from territoires.marches import entreprise
from tests.marches.factories_company import DEMO_SIRET, DEMO_SIRET_CLOSED, DEMO_SIRET_NO_SOCIAL
from tests.pdftools import pdftotext

RECORDINGS = Path(__file__).parent / "recordings" / "entreprise"
SIRET = "51234567900017"
CLOSED_SIRET = "48812345600011"


def recording(name: str) -> bytes:
    return (RECORDINGS / name).read_bytes()


class RecordedAdapter(requests.adapters.BaseAdapter):
    """Answers requests from a {path: (status, body, content_type)} table and records them."""

    def __init__(self, routes: dict):
        super().__init__()
        self.routes = routes
        self.calls: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.calls.append(request)
        url = urlsplit(request.url)
        status, body, content_type = self.routes.get(url.path, (404, recording("etablissement_404.json"),
                                                                  "application/json"))
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["Content-Type"] = content_type
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


@pytest.fixture
def api(monkeypatch, settings):
    settings.API_ENTREPRISE_BACKEND = "http"
    settings.API_ENTREPRISE_URL = "https://entreprise.api.gouv.fr"
    settings.API_ENTREPRISE_TOKEN = "jeton-de-test"  # noqa: S105 (a test value)
    settings.API_ENTREPRISE_RECIPIENT = "13002526500013"
    adapter = RecordedAdapter({})
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: adapter)
    return adapter


def _json(name: str, status: int = 200):
    return (status, recording(name), "application/json")


# --- Simulator ----------------------------------------------------------------------------


def test_demo_directory_is_realistic_and_valid():
    directory = entreprise.demo_directory()
    assert 15 <= len(directory) <= 20
    for siret, row in directory.items():
        assert siret_error(siret) is None, siret
        assert row["postal_code"][:2] in {"21", "25", "39", "58", "70", "71", "89", "90"}
        assert row["naf_code"] and row["legal_form_code"] and row["name"]
    assert any(not row["is_active"] for row in directory.values())


def test_simulator_lookup_returns_company_info():
    info = entreprise.company_lookup("379 940 000 04102")
    assert info.siret == DEMO_SIRET and info.siren == "379940000"
    assert info.name == "TERRASSEMENTS BRESSE-JURA"
    assert info.naf_code == "43.12A" and info.legal_form_code == "5499"
    assert info.city == "LONS-LE-SAUNIER" and info.postal_code == "39000"
    assert info.created_on == date(2004, 3, 15)
    assert info.is_sme is True and info.share_capital == 80000
    assert info.source == "simulator" and entreprise.is_simulation()
    assert entreprise.CompanyInfo.from_data(info.to_data()) == info
    json.dumps(info.to_data())  # storable in a JSONField


def test_simulator_refuses_invalid_unknown_and_closed():
    with pytest.raises(entreprise.CompanyLookupError, match="14 chiffres"):
        entreprise.company_lookup("1234")
    with pytest.raises(entreprise.CompanyLookupError, match="clé de contrôle"):
        entreprise.company_lookup("37994000004103")
    with pytest.raises(entreprise.CompanyLookupError, match="inconnu de l'annuaire de démonstration"):
        entreprise.company_lookup(SIRET)
    with pytest.raises(entreprise.CompanyLookupError, match="est fermé") as exc:
        entreprise.company_lookup(DEMO_SIRET_CLOSED)
    assert exc.value.info.name == "MENUISERIE DE BLETTERANS"


@time_machine.travel("2026-11-02 10:00 +0100", tick=False)
def test_simulator_attestations_are_labelled_pdfs():
    attestations = entreprise.attestations_fetch(DEMO_SIRET)
    assert [a.kind for a in attestations] == ["fiscal", "social"]
    for attestation in attestations:
        assert pdf_check(attestation.data).page_count == 1
        text = pdftotext(attestation.data)
        assert "SIMULATION" in text and DEMO_SIRET in text
        assert attestation.valid_until == date(2027, 5, 3)  # 182 days later
    assert [a.kind for a in entreprise.attestations_fetch(DEMO_SIRET_NO_SOCIAL)] == ["fiscal"]


def test_unknown_backend_is_a_clear_error(settings):
    settings.API_ENTREPRISE_BACKEND = "ftp"
    with pytest.raises(entreprise.CompanyLookupError, match="mal configuré"):
        entreprise.company_lookup(DEMO_SIRET)


# --- HTTP backend (API Entreprise v3) -----------------------------------------------------


def test_http_lookup_maps_the_etablissement(api):
    api.routes[f"/v3/insee/sirene/etablissements/{SIRET}"] = _json("etablissement_200.json")
    info = entreprise.company_lookup(SIRET, purpose="Inscription d'une entreprise")
    assert info.name == "MENUISERIES DU DOUBS" and info.siren == "512345679"
    assert info.legal_form_code == "5710" and info.legal_form_label.startswith("SAS")
    assert (info.naf_code, info.naf_label) == ("43.32A", "Travaux de menuiserie bois et PVC")
    assert info.address_lines == ("ZONE ARTISANALE DES VAUX", "7 RUE DES ARTISANS")
    assert (info.postal_code, info.city) == ("25220", "CHALEZEULE")
    assert info.created_on == date(2009, 5, 1)  # 1241128800 is midnight in Paris
    assert info.headcount_band == "10 à 19 salariés"
    assert info.is_active and info.is_sme is True and info.share_capital is None
    assert info.source == "api_entreprise" and not entreprise.is_simulation()
    # The call: bearer token and the three mandatory parameters.
    (call,) = api.calls
    assert call.headers["Authorization"] == "Bearer jeton-de-test"
    query = parse_qs(urlsplit(call.url).query)
    assert query["recipient"] == ["13002526500013"]
    assert query["context"] == ["Marchés publics"]
    assert query["object"] == ["Inscription d'une entreprise"]


def test_http_unknown_siret(api):
    with pytest.raises(entreprise.CompanyLookupError, match="inconnu du répertoire Sirene") as exc:
        entreprise.company_lookup(SIRET)
    assert not exc.value.temporary


def test_http_closed_establishment(api):
    api.routes[f"/v3/insee/sirene/etablissements/{CLOSED_SIRET}"] = _json("etablissement_ferme.json")
    with pytest.raises(entreprise.CompanyLookupError, match="est fermé") as exc:
        entreprise.company_lookup(CLOSED_SIRET)
    assert exc.value.info.name == "PROPRETE DU VAL DE SAONE" and not exc.value.info.is_active


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_http_server_errors_are_temporary(api, status):
    api.routes[f"/v3/insee/sirene/etablissements/{SIRET}"] = _json("error_502.json", status)
    with pytest.raises(entreprise.CompanyLookupError, match="ne répond pas") as exc:
        entreprise.company_lookup(SIRET)
    assert exc.value.temporary


def test_http_html_error_page_is_temporary(api):
    api.routes[f"/v3/insee/sirene/etablissements/{SIRET}"] = (502, b"<html>Bad gateway</html>", "text/html")
    with pytest.raises(entreprise.CompanyLookupError, match="ne répond pas"):
        entreprise.company_lookup(SIRET)


def test_http_refused_token(api):
    api.routes[f"/v3/insee/sirene/etablissements/{SIRET}"] = _json("error_401.json", 401)
    with pytest.raises(entreprise.CompanyLookupError, match="pas autorisée"):
        entreprise.company_lookup(SIRET)


def test_http_connection_failure(monkeypatch, api):
    def fail(self, url):
        raise requests.ConnectionError("refused")

    monkeypatch.setattr(requests.Session, "get_adapter", fail)
    with pytest.raises(entreprise.CompanyLookupError, match="ne répond pas"):
        entreprise.company_lookup(SIRET)


def test_http_without_token_says_misconfigured(api, settings):
    settings.API_ENTREPRISE_TOKEN = ""
    with pytest.raises(entreprise.CompanyLookupError, match="mal configuré"):
        entreprise.company_lookup(SIRET)
    assert api.calls == []


def test_http_attestations_download_the_pdfs(api):
    from tests.marches.factories_company import small_pdf

    api.routes.update({
        "/v3/dgfip/unites_legales/512345679/attestation_fiscale": _json("attestation_fiscale_200.json"),
        "/v3/urssaf/unites_legales/512345679/attestation_vigilance": _json("attestation_vigilance_200.json"),
        "/siade/1704450000-3f1e0c2a9b-attestation_fiscale_dgfip.pdf": (200, small_pdf("DGFIP"), "application/pdf"),
        "/siade/1704450000-b99824d9c7-attestation_vigilance_acoss.pdf": (200, small_pdf("URSSAF"), "application/pdf"),
    })
    attestations = entreprise.attestations_fetch(SIRET)
    assert [a.kind for a in attestations] == ["fiscal", "social"]
    assert "DGFIP" in pdftotext(attestations[0].data) and "URSSAF" in pdftotext(attestations[1].data)
    # The document itself is fetched from its signed URL, without our token.
    downloads = [c for c in api.calls if c.url.startswith("https://storage.entreprise.api.gouv.fr/")]
    assert len(downloads) == 2 and all("Authorization" not in c.headers for c in downloads)


def test_http_attestation_not_delivered_is_skipped(api):
    from tests.marches.factories_company import small_pdf

    api.routes.update({
        "/v3/dgfip/unites_legales/512345679/attestation_fiscale": _json("attestation_fiscale_200.json"),
        "/v3/urssaf/unites_legales/512345679/attestation_vigilance": _json("attestation_vigilance_404.json", 404),
        "/siade/1704450000-3f1e0c2a9b-attestation_fiscale_dgfip.pdf": (200, small_pdf("DGFIP"), "application/pdf"),
    })
    assert [a.kind for a in entreprise.attestations_fetch(SIRET)] == ["fiscal"]


def test_http_attestation_download_failure(api):
    api.routes.update({
        "/v3/dgfip/unites_legales/512345679/attestation_fiscale": _json("attestation_fiscale_200.json"),
        "/siade/1704450000-3f1e0c2a9b-attestation_fiscale_dgfip.pdf": (503, b"", "text/plain"),
    })
    with pytest.raises(entreprise.CompanyLookupError, match="ne répond pas"):
        entreprise.attestations_fetch(SIRET)


def test_http_share_capital_from_the_rcs_extract_when_enabled(api, settings):
    api.routes[f"/v3/insee/sirene/etablissements/{SIRET}"] = _json("etablissement_200.json")
    api.routes["/v3/infogreffe/rcs/unites_legales/512345679/extrait_kbis"] = _json("extrait_kbis_200.json")
    assert entreprise.company_lookup(SIRET).share_capital is None  # off by default: one call
    assert len(api.calls) == 1
    settings.API_ENTREPRISE_RCS = True
    assert entreprise.company_lookup(SIRET).share_capital == 75000


def test_http_rcs_failure_does_not_fail_the_lookup(api, settings):
    settings.API_ENTREPRISE_RCS = True
    api.routes[f"/v3/insee/sirene/etablissements/{SIRET}"] = _json("etablissement_200.json")
    api.routes["/v3/infogreffe/rcs/unites_legales/512345679/extrait_kbis"] = _json("error_502.json", 502)
    info = entreprise.company_lookup(SIRET)
    assert info.name == "MENUISERIES DU DOUBS" and info.share_capital is None
