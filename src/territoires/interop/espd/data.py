"""Dataclasses in and out of the ESPD (DUME) package.

`EspdResponseData` is what the builder needs: the procedure (from the
consultation), the economic operator (pre-filled from its SIRET by API
Entreprise / SIRENE, corrected by the company) and its answers. `EspdSummary`
is what the parser gives back from any ESPD response, ours or another
platform's. Collections are tuples so the frozen dataclasses stay immutable.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Procedure:
    """The consultation the candidature answers."""

    buyer_name: str
    buyer_id: str  # SIRET (14 digits) or SIREN (9 digits) of the buyer
    title: str
    description: str
    reference: str  # our reference of the consultation (buyer's file number)
    buyer_country: str = "FRA"  # ISO 3166-1 alpha-3, as the EU country list wants
    contract_folder_id: str | None = None  # eForms procedure UUID, when a notice was published
    notice_id: str | None = None  # eForms notice id (UUID) or TED publication number
    lots: tuple[str, ...] = ()  # lots applied for (LOT-0001…); () = no lots
    procedure_code: str | None = None  # procurement-procedure-type: open, restricted, neg-w-call…


@dataclass(frozen=True)
class Turnover:
    """One financial year of general turnover."""

    year: int
    amount: Decimal
    currency: str = "EUR"


@dataclass(frozen=True)
class Operator:
    """The economic operator, as pre-filled from its SIRET and checked by the company."""

    name: str
    siret: str
    street: str | None
    postal_code: str
    city: str
    contact_name: str
    email: str
    phone: str | None = None
    country: str = "FRA"
    vat_number: str | None = None  # FR + 11 characters
    size: str | None = None  # economic-operator-size: micro (TPE), small / medium (PME), large
    naf: str | None = None  # NAF rév. 2 activity code, e.g. 43.21A
    legal_form: str | None = None  # e.g. « Société par actions simplifiée »
    legal_form_code: str | None = None  # INSEE catégorie juridique, e.g. 5710
    created_on: date | None = None
    share_capital: Decimal | None = None
    capital_currency: str = "EUR"
    headcount_band: str | None = None  # INSEE tranche d'effectif salarié, e.g. 11 (10 to 19)
    turnovers: tuple[Turnover, ...] = ()  # may be empty: financial data is often missing
    website: str | None = None

    @property
    def is_sme(self) -> bool | None:
        """True for a TPE/PME, False for a large company, None when unknown."""
        if self.size is None:
            return None
        return self.size != "large"


@dataclass(frozen=True)
class ExclusionAnswer:
    """The answer to one exclusion ground, by its code in the EU criterion list (crime-org…).

    Grounds not listed are answered "no". A "yes" must say why (`description`);
    `measures` describes the steps taken to restore reliability (self-cleaning,
    payment schedule for taxes and contributions), where the ground allows it.
    """

    code: str
    breached: bool = False
    description: str = ""
    measures: str = ""


@dataclass(frozen=True)
class EspdResponseData:
    """Everything an ESPD response (structured DUME) needs."""

    id: str  # document identifier, shown to the buyer
    uuid: str  # UUID of this instance, chosen by the caller
    issued_at: datetime  # aware
    procedure: Procedure
    operator: Operator
    sworn_statement: bool  # the operator certifies the concluding statements (part VI)
    exclusions: tuple[ExclusionAnswer, ...] = ()
    all_selection_criteria_satisfied: bool = True  # global indicator (α) of part IV
    role: str = "sole-tenderer"  # eo-role-type: sole-tenderer, group-lead, group-mem…
    agency_id: str = "TERRITOIRES"  # schemeAgencyID of our identifiers
    language: str = "FRA"


@dataclass(frozen=True)
class ExclusionSummary:
    """One exclusion ground as read back from a response."""

    code: str | None
    criterion_id: str | None
    name: str | None
    breached: bool | None  # None when the answer is missing
    description: str | None
    measures: str | None


@dataclass(frozen=True)
class EspdSummary:
    """What the portal shows of any ESPD response; missing optional parts are None."""

    id: str | None
    uuid: str | None
    profile: str | None  # cbc:ProfileExecutionID, e.g. ESPD-EDMv4.1.0
    contract_folder_id: str | None
    issue_date: date | None
    buyer_name: str | None
    operator_name: str | None
    siret: str | None
    vat_number: str | None
    size: str | None
    email: str | None
    exclusions: tuple[ExclusionSummary, ...]
    all_selection_criteria_satisfied: bool | None
    turnovers: tuple[Turnover, ...]
    lots: tuple[str, ...]
    warnings: tuple[str, ...] = field(default=())
