"""API Entreprise adapter: a company's identity and attestations from its SIRET.

Two backends behind one interface, chosen by `API_ENTREPRISE_BACKEND`:

- "simulator" (default, demo and tests): a demo directory of fictional companies
  of the region shipped in `data/entreprises_demo.json`; attestations are small
  PDFs stamped "SIMULATION". The UI says so (`is_simulation()`).
- "http": API Entreprise v3 (entreprise.api.gouv.fr) with a bearer token and the
  mandatory `context`, `recipient` and `object` query parameters.

Callers get a `CompanyInfo` or a `CompanyLookupError` whose message is French and
can be shown as is; technical detail stays in the exception chain and the logs.
Nothing here touches the database: storing what we learn is `marches.companies`'s job.
"""

import json
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from territoires.core.pdf import latin1
from territoires.interop.siren import normalize, siret_error

logger = logging.getLogger(__name__)

DEMO_DIRECTORY = Path(__file__).resolve().parent / "data" / "entreprises_demo.json"

DEFAULT_URL = "https://entreprise.api.gouv.fr"
DEFAULT_CONTEXT = "Marchés publics"
DEFAULT_TIMEOUT = 10

# How long buyers accept an attestation: the URSSAF attestation de vigilance is
# asked for every six months (Code du travail D8243-15, R2143-7 CCP); buyers
# apply the same age limit to the fiscal attestation.
ATTESTATION_VALIDITY = timedelta(days=182)

FISCAL = "fiscal"
SOCIAL = "social"


class CompanyLookupError(Exception):
    """The company cannot be looked up; `str(error)` is a French message for users."""

    def __init__(self, message: str, *, info: "CompanyInfo | None" = None, temporary: bool = False):
        super().__init__(message)
        self.message = message
        self.info = info  # set when the establishment exists but is closed
        self.temporary = temporary  # the service failed; trying later may work


@dataclass(frozen=True)
class CompanyInfo:
    siret: str
    siren: str
    name: str
    legal_form_code: str = ""
    legal_form_label: str = ""
    naf_code: str = ""
    naf_label: str = ""
    address_lines: tuple[str, ...] = ()
    postal_code: str = ""
    city: str = ""
    created_on: date | None = None
    headcount_band: str = ""
    is_active: bool = True
    is_sme: bool | None = None  # None: the source does not say
    share_capital: int | None = None  # euros; None when unknown
    source: str = "simulator"  # "simulator" | "api_entreprise"

    def to_data(self) -> dict:
        """JSON-safe dict, kept in `CompanyProfile.data`."""
        data = asdict(self)
        data["address_lines"] = list(self.address_lines)
        data["created_on"] = self.created_on.isoformat() if self.created_on else None
        return data

    @classmethod
    def from_data(cls, data: dict) -> "CompanyInfo":
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["address_lines"] = tuple(values.get("address_lines") or ())
        created = values.get("created_on")
        values["created_on"] = date.fromisoformat(created) if created else None
        return cls(**values)

    @property
    def address(self) -> str:
        return ", ".join([*self.address_lines, f"{self.postal_code} {self.city}".strip()])


@dataclass(frozen=True)
class Attestation:
    """One attestation obtained from the administration, ready for the document safe."""

    kind: str  # FISCAL | SOCIAL (marches.models.DocumentKind values)
    name: str
    data: bytes = field(repr=False)
    content_type: str
    valid_until: date


def backend_name() -> str:
    return getattr(settings, "API_ENTREPRISE_BACKEND", "simulator")


def is_simulation() -> bool:
    return backend_name() != "http"


def _checked_siret(siret: str) -> str:
    siret = normalize(siret or "")
    if error := siret_error(siret):
        raise CompanyLookupError(error)
    return siret


def company_lookup(siret: str, *, purpose: str = "") -> CompanyInfo:
    """The establishment `siret`, or CompanyLookupError (invalid, unknown, closed, API failure).

    `purpose` becomes the `object` parameter API Entreprise asks for each call.
    """
    siret = _checked_siret(siret)
    info = _backend().lookup(siret, purpose or _("Inscription d'une entreprise sur la salle des marchés"))
    if not info.is_active:
        raise CompanyLookupError(
            _(
                "L'établissement %(siret)s (%(name)s) est fermé selon le répertoire Sirene : "
                "inscrivez-vous avec le SIRET d'un établissement en activité."
            )
            % {"siret": siret, "name": info.name},
            info=info,
        )
    return info


def attestations_fetch(siret: str, *, purpose: str = "") -> list[Attestation]:
    """The fiscal and social attestations the administrations deliver for this company.

    An attestation the administration does not deliver (unknown to the URSSAF,
    not up to date…) is simply missing from the list; a service failure raises
    CompanyLookupError.
    """
    siret = _checked_siret(siret)
    return _backend().attestations(siret, purpose or _("Coffre-fort : attestations de régularité"))


def _backend():
    name = backend_name()
    if name == "http":
        return HttpBackend()
    if name == "simulator":
        return SimulatorBackend()
    raise CompanyLookupError(_("Le service API Entreprise est mal configuré sur la plateforme."))


# --- Simulator ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def demo_directory() -> dict[str, dict]:
    """The demo companies by SIRET (read once)."""
    with DEMO_DIRECTORY.open(encoding="utf-8") as handle:
        rows = json.load(handle)["companies"]
    return {row["siret"]: row for row in rows}


def simulation_pdf(*, title: str, lines: list[str]) -> bytes:
    """A one-page PDF marked SIMULATION, standing in for an administration's document."""
    pdf = FPDF(format="A4")
    pdf.set_title(latin1(title))
    pdf.set_author(latin1(_("Simulateur API Entreprise")))
    pdf.set_creation_date(datetime(2000, 1, 1, tzinfo=UTC))  # stable bytes for the same lines
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "B", 28)
    pdf.set_text_color(200, 0, 0)
    pdf.cell(0, 16, "SIMULATION", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 9, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for line in lines:
        pdf.multi_cell(0, 7, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0, 5,
        latin1(_("Document fictif produit par le simulateur de la plateforme Territoires. "
                 "Il n'a aucune valeur juridique.")),
        new_x="LMARGIN", new_y="NEXT",
    )
    return bytes(pdf.output())


class SimulatorBackend:
    def lookup(self, siret: str, purpose: str) -> CompanyInfo:
        row = demo_directory().get(siret)
        if row is None:
            raise CompanyLookupError(
                _(
                    "Le SIRET %(siret)s est inconnu de l'annuaire de démonstration (simulation "
                    "d'API Entreprise). Utilisez l'un des SIRET de démonstration."
                )
                % {"siret": siret}
            )
        return CompanyInfo.from_data({**row, "siren": siret[:9], "source": "simulator"})

    def attestations(self, siret: str, purpose: str) -> list[Attestation]:
        info = self.lookup(siret, purpose)
        row = demo_directory()[siret]
        today = timezone.localdate()
        valid_until = today + ATTESTATION_VALIDITY
        titles = {
            FISCAL: _("Attestation de régularité fiscale"),
            SOCIAL: _("Attestation de vigilance URSSAF"),
        }
        found = []
        for kind in (FISCAL, SOCIAL):
            if kind not in row.get("attestations", []):
                continue
            data = simulation_pdf(
                title=titles[kind],
                lines=[
                    f"{info.name}",
                    _("SIRET : %(siret)s") % {"siret": siret},
                    _("Délivrée le %(date)s") % {"date": today.strftime("%d/%m/%Y")},
                    _("Valable jusqu'au %(date)s") % {"date": valid_until.strftime("%d/%m/%Y")},
                    _("L'entreprise est à jour de ses obligations déclaratives et de paiement."),
                ],
            )
            found.append(Attestation(
                kind=kind, name=f"attestation-{kind}-{siret}-simulation.pdf", data=data,
                content_type="application/pdf", valid_until=valid_until,
            ))
        return found


# --- API Entreprise v3 --------------------------------------------------------------------

UNAVAILABLE = (
    "Le service API Entreprise ne répond pas pour le moment. Réessayez dans quelques minutes ; "
    "si le problème persiste, contactez l'assistance."
)


def _epoch_date(value) -> date | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC).astimezone(
        timezone.get_default_timezone()
    ).date()


def _name(unite_legale: dict, etablissement: dict) -> str:
    morale = unite_legale.get("personne_morale_attributs") or {}
    if morale.get("raison_sociale"):
        return morale["raison_sociale"]
    physique = unite_legale.get("personne_physique_attributs") or {}
    person = " ".join(
        filter(None, [physique.get("prenom_usuel") or physique.get("prenom_1"),
                      physique.get("nom_usage") or physique.get("nom_naissance")])
    )
    return person or etablissement.get("enseigne") or ""


def info_from_etablissement(payload: dict) -> CompanyInfo:
    """Map the JSON of `/v3/insee/sirene/etablissements/{siret}` to a CompanyInfo."""
    data = payload["data"]
    unite = data.get("unite_legale") or {}
    adresse = data.get("adresse") or {}
    postal = adresse.get("acheminement_postal") or {}
    lines = tuple(line for line in (postal.get(k) for k in ("l2", "l3", "l4", "l5")) if line)
    if not lines:
        street = " ".join(filter(None, [adresse.get("numero_voie"), adresse.get("indice_repetition_voie"),
                                        adresse.get("type_voie"), adresse.get("libelle_voie")]))
        lines = tuple(filter(None, [adresse.get("complement_adresse"), street]))
    legal_form = unite.get("forme_juridique") or {}
    activity = data.get("activite_principale") or unite.get("activite_principale") or {}
    headcount = data.get("tranche_effectif_salarie") or {}
    category = unite.get("categorie_entreprise")
    return CompanyInfo(
        siret=data["siret"],
        siren=unite.get("siren") or data["siret"][:9],
        name=_name(unite, data),
        legal_form_code=legal_form.get("code") or "",
        legal_form_label=legal_form.get("libelle") or "",
        naf_code=activity.get("code") or "",
        naf_label=activity.get("libelle") or "",
        address_lines=lines,
        postal_code=adresse.get("code_postal") or "",
        city=adresse.get("libelle_commune") or adresse.get("libelle_commune_etranger") or "",
        created_on=_epoch_date(data.get("date_creation") or unite.get("date_creation")),
        headcount_band=headcount.get("intitule") or "",
        is_active=data.get("etat_administratif") == "A" and unite.get("etat_administratif", "A") != "C",
        is_sme={"PME": True, "ETI": False, "GE": False}.get(category),
        share_capital=None,  # not in Sirene: see HttpBackend.capital (Infogreffe)
        source="api_entreprise",
    )


class HttpBackend:
    def __init__(self):
        self.url = getattr(settings, "API_ENTREPRISE_URL", DEFAULT_URL).rstrip("/")
        self.token = getattr(settings, "API_ENTREPRISE_TOKEN", "")
        self.recipient = getattr(settings, "API_ENTREPRISE_RECIPIENT", "")
        self.context = getattr(settings, "API_ENTREPRISE_CONTEXT", DEFAULT_CONTEXT)
        self.timeout = getattr(settings, "API_ENTREPRISE_TIMEOUT", DEFAULT_TIMEOUT)
        # The RCS extract (share capital) needs its own habilitation: off unless granted.
        self.with_rcs = getattr(settings, "API_ENTREPRISE_RCS", False)

    def _get(self, path: str, purpose: str) -> tuple[int, dict]:
        if not self.token or not self.recipient:
            logger.error("API_ENTREPRISE_TOKEN or API_ENTREPRISE_RECIPIENT is not set")
            raise CompanyLookupError(_("Le service API Entreprise est mal configuré sur la plateforme."))
        try:
            response = requests.get(
                f"{self.url}{path}",
                params={"context": self.context, "recipient": self.recipient, "object": purpose[:255]},
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            logger.warning("API Entreprise unreachable: %s", error)
            raise CompanyLookupError(_(UNAVAILABLE), temporary=True) from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code >= 500 or response.status_code == 429:
            logger.warning("API Entreprise %s answered %s: %s", path, response.status_code, body)
            raise CompanyLookupError(_(UNAVAILABLE), temporary=True)
        if response.status_code in (401, 403):
            logger.error("API Entreprise refused our token (%s) on %s: %s", response.status_code, path, body)
            raise CompanyLookupError(
                _("La plateforme n'est pas autorisée à interroger API Entreprise pour le moment : "
                  "contactez l'assistance.")
            )
        if response.status_code not in (200, 404, 422):
            logger.warning("API Entreprise %s answered %s: %s", path, response.status_code, body)
            raise CompanyLookupError(_(UNAVAILABLE), temporary=True)
        return response.status_code, body

    def lookup(self, siret: str, purpose: str) -> CompanyInfo:
        status, body = self._get(f"/v3/insee/sirene/etablissements/{siret}", purpose)
        if status == 404:
            raise CompanyLookupError(
                _("Le SIRET %(siret)s est inconnu du répertoire Sirene de l'Insee : vérifiez sa saisie.")
                % {"siret": siret}
            )
        if status == 422:
            raise CompanyLookupError(_("Ce SIRET n'est pas accepté par API Entreprise : vérifiez sa saisie."))
        try:
            info = info_from_etablissement(body)
        except (KeyError, TypeError, ValueError) as error:
            logger.warning("Unexpected API Entreprise answer for %s: %s", siret, body)
            raise CompanyLookupError(_(UNAVAILABLE), temporary=True) from error
        if self.with_rcs and info.is_active:
            info = replace(info, share_capital=self.capital(info.siren, purpose))
        return info

    def capital(self, siren: str, purpose: str) -> int | None:
        """Share capital in euros from the Infogreffe RCS extract; None when it cannot be had
        (not registered at the RCS, sole trader, service failure): it is optional."""
        try:
            status, body = self._get(f"/v3/infogreffe/rcs/unites_legales/{siren}/extrait_kbis", purpose)
        except CompanyLookupError:
            return None
        capital = ((body.get("data") or {}).get("capital") or {}) if status == 200 else {}
        if capital.get("code_devise", "EUR") != "EUR" or capital.get("montant") is None:
            return None
        try:
            return int(round(float(capital["montant"])))
        except (TypeError, ValueError):
            return None

    def attestations(self, siret: str, purpose: str) -> list[Attestation]:
        siren = siret[:9]
        endpoints = [
            (FISCAL, f"/v3/dgfip/unites_legales/{siren}/attestation_fiscale"),
            (SOCIAL, f"/v3/urssaf/unites_legales/{siren}/attestation_vigilance"),
        ]
        today = timezone.localdate()
        found = []
        for kind, path in endpoints:
            status, body = self._get(path, purpose)
            if status != 200:
                continue  # not delivered for this company (unknown, not up to date…)
            try:
                url = body["data"]["document_url"]
                document = requests.get(url, timeout=self.timeout)
            except (KeyError, TypeError) as error:
                raise CompanyLookupError(_(UNAVAILABLE), temporary=True) from error
            except requests.RequestException as error:
                raise CompanyLookupError(_(UNAVAILABLE), temporary=True) from error
            if document.status_code != 200 or not document.content.startswith(b"%PDF-"):
                logger.warning("Attestation %s of %s: download answered %s", kind, siren, document.status_code)
                raise CompanyLookupError(_(UNAVAILABLE), temporary=True)
            found.append(Attestation(
                kind=kind, name=f"attestation-{kind}-{siren}-{today.isoformat()}.pdf",
                data=document.content, content_type="application/pdf",
                valid_until=today + ATTESTATION_VALIDITY,
            ))
        return found
