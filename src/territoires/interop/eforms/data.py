"""Dataclasses in and out of the eForms package.

`ContractNoticeData` / `AwardNoticeData` are what the builders need (the
caller gathers them from the consultation); `NoticeSummary` is what the parser
gives back from any notice we read (ours, TED's, BOAMP's). Collections are
tuples so the frozen dataclasses stay truly immutable.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Organization:
    """An organisation of efac:Organizations (buyer, review body, winner)."""

    id: str  # technical id inside the notice: ORG-0001, ORG-0002…
    name: str
    city: str
    postal_code: str
    nuts: str  # NUTS3 of the address, e.g. FRC11
    email: str  # "" when unknown (a winner that is not registered here)
    company_id: str | None = None  # SIRET (14 digits) or SIREN (9 digits) for French bodies
    street: str | None = None
    phone: str | None = None
    website: str | None = None
    country: str = "FRA"  # ISO 3166-1 alpha-3, as eForms wants


@dataclass(frozen=True)
class Lot:
    id: str  # LOT-0001…
    title: str
    description: str
    cpv_main: str  # 8 digits, no check digit
    nuts: tuple[str, ...] = ()
    estimated_value: Decimal | None = None
    deadline: datetime | None = None  # tender receipt deadline; required in a contract notice
    duration_months: int | None = None
    cpv_additional: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContractNoticeData:
    """Everything a subtype 16 notice (open procedure, general directive) needs."""

    notice_id: str  # UUID chosen by us (the eSender)
    contract_folder_id: str  # UUID of the procedure, shared by all its notices
    issued_at: datetime  # aware
    buyer: Organization
    review_body: Organization  # BT-500 review organisation (tribunal administratif)
    title: str
    description: str
    nature: str  # contract-nature: works | supplies | services
    cpv_main: str
    lots: tuple[Lot, ...]
    documents_url: str  # where the DCE is, free and direct
    submission_url: str  # where tenders are deposited
    cpv_additional: tuple[str, ...] = ()
    nuts: tuple[str, ...] = ()
    estimated_value: Decimal | None = None
    currency: str = "EUR"
    procedure_code: str = "open"
    version: str = "01"
    reference: str | None = None  # buyer's internal reference (BT-22)
    buyer_legal_type: str = "la"  # buyer-legal-type: la = local authority
    buyer_activity: str = "gen-pub"  # authority-activity
    language: str = "FRA"
    subtype: str = "16"
    notice_type: str = "cn-standard"
    regulatory_domain: str = "32014L0024"
    variants_allowed: bool = False  # BT-63 variants: "allowed" / "not-allowed"


@dataclass(frozen=True)
class Award:
    """One awarded lot of a subtype 29 notice: the winner, the contract, the value."""

    lot_id: str
    winner: Organization
    amount: Decimal
    contract_id: str  # CON-0001…
    contract_title: str
    contract_date: date
    tenders_received: int | None = None


@dataclass(frozen=True)
class AwardNoticeData:
    """Everything a subtype 29 notice (contract award, general directive) needs."""

    notice_id: str
    contract_folder_id: str
    issued_at: datetime
    buyer: Organization
    review_body: Organization
    title: str
    description: str
    nature: str
    cpv_main: str
    lots: tuple[Lot, ...]
    awards: tuple[Award, ...]
    nuts: tuple[str, ...] = ()
    currency: str = "EUR"
    procedure_code: str = "open"
    version: str = "01"
    reference: str | None = None
    buyer_legal_type: str = "la"
    buyer_activity: str = "gen-pub"
    language: str = "FRA"
    subtype: str = "29"
    notice_type: str = "can-standard"
    regulatory_domain: str = "32014L0024"


@dataclass(frozen=True)
class NoticeSummary:
    """What the portal needs from any eForms notice; missing optional parts are None."""

    notice_id: str
    version: str | None
    kind: str  # "contract" | "award" | "prior" | "change"
    subtype: str | None
    notice_type: str | None
    title: str | None
    description: str | None
    buyer_name: str | None
    buyer_id: str | None  # SIRET or SIREN when the buyer's company id is one
    procedure_code: str | None
    nature: str | None
    cpv_main: str | None
    cpv_additional: tuple[str, ...]
    nuts: tuple[str, ...]
    deadline: datetime | None
    issue_date: date | None
    publication_date: date | None  # set by TED (efac:Publication), absent before publication
    estimated_value: Decimal | None
    currency: str | None
    lots: tuple[tuple[str, str | None], ...]
    changed_notice_id: str | None
    changed_notice_version: str | None
    cancelled: bool
    language: str | None
    contract_folder_id: str | None = None
    legal_basis: str | None = None
    awarded_value: Decimal | None = None
    winners: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
