"""Simplified candidature from a SIRET (the successor of MPS): the company's identity, legal
and financial data come prefilled from API Entreprise; the company checks them, answers
the exclusion grounds (« non » by default) and certifies; the platform writes the
structured DUME (an ESPD response, validated against the official XSD) for the buyer.

Confidentiality (C7): a candidature is the company's until the deadline. Afterwards only
agents holding `marches.open_bids` in the buyer's body may read it, and each reading is
journalled. The sealed deposit of candidatures and offers comes with the next issue and
will carry this DUME in the pli.
"""

import re
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.core.files import stored_file_put
from territoires.interop.espd import data as espd
from territoires.interop.espd.build import build_espd_request, build_espd_response
from territoires.interop.espd.criteria import EXCLUSION_GROUNDS, EXCLUSIONS_BY_CODE
from territoires.interop.espd.schema import validate_espd
from territoires.journal.services import journal_record
from territoires.marches import companies
from territoires.marches.eforms_notices import EFORMS_PROCEDURES
from territoires.marches.models import Candidature, Consultation, Status
from territoires.tenancy import access


def _size(info) -> str | None:
    """ESPD size from the INSEE headcount band (« 10 à 19 salariés »…), as API Entreprise gives no
    size category: fewer than 10 employees is micro, 50 small, 250 medium (EU recommendation
    2003/361 on headcount alone, the only criterion we hold)."""
    band = (info.headcount_band or "").lower()
    numbers = [int(n) for n in re.findall(r"\d[\d ]*", band.replace("\u202f", " ").replace(" ", ""))]
    if "non employeuse" in band or numbers == [0]:
        return "micro"
    if numbers:
        top = max(numbers)
        return "micro" if top < 10 else "small" if top < 50 else "medium" if top < 250 else "large"
    return "sme" if info.is_sme else None


def _company(actor):
    membership = companies.membership_for_user(actor)
    if membership is None:
        raise PermissionDenied(_("Seul un compte entreprise peut candidater."))
    return membership.company


def _prefill(actor, company) -> dict:
    info = companies.company_info(company)
    if info is None:
        companies.company_refresh(actor=actor, company=company)
        info = companies.company_info(company)
    return {
        "operator": {
            "name": info.name, "siret": info.siret, "street": ", ".join(info.address_lines) or None,
            "postal_code": info.postal_code, "city": info.city, "naf": info.naf_code or None,
            "legal_form": info.legal_form_label or None, "legal_form_code": info.legal_form_code or None,
            "created_on": info.created_on.isoformat() if info.created_on else None,
            "share_capital": str(info.share_capital) if info.share_capital is not None else None,
            "size": _size(info),
        },
        "contact_name": actor.get_full_name() or actor.email, "email": actor.email, "phone": "",
        "turnovers": [], "exclusions": {}, "lots": [], "sworn_statement": False,
        "espd_uuid": str(uuid.uuid4()), "source": info.source,
    }


def candidature_start(*, actor, consultation: Consultation) -> Candidature:
    """The company's candidature for this consultation, prefilled on first use."""
    company = _company(actor)
    if not consultation.is_open():
        raise ValidationError(_("La consultation est close : il n'est plus possible de candidater."))
    existing = Candidature.objects.filter(consultation=consultation, company=company).first()
    if existing:
        return existing
    with transaction.atomic():
        candidature, created = Candidature.objects.get_or_create(
            consultation=consultation, company=company,
            defaults={"data": _prefill(actor, company), "created_by": actor})
        if created:
            journal_record(actor=actor, action="marches.candidature.start", body=consultation.body,
                           target=consultation, summary=f"{consultation.reference} {company.siret}")
    return candidature


def candidature_of(*, actor, candidature_id: int) -> Candidature:
    """A candidature of one of the actor's companies; DoesNotExist otherwise (views: 404)."""
    company = _company(actor)
    return Candidature.objects.select_related("consultation__body", "company").get(
        pk=candidature_id, company=company)


def _turnovers(rows) -> tuple[list[dict], dict]:
    result, errors = [], {}
    for year, amount in rows:
        if not year and amount in (None, ""):
            continue
        try:
            value = Decimal(str(amount))
            if not 1900 < int(year) <= timezone.localdate().year or value < 0:
                raise ValueError
        except (InvalidOperation, ValueError, TypeError):
            errors["turnovers"] = _("Chiffre d'affaires : indiquez une année passée et un montant positif.")
            continue
        result.append({"year": int(year), "amount": str(value)})
    return result, errors


def candidature_update(*, actor, candidature: Candidature, contact_name: str, email: str, phone: str = "",
                       lots: list[int] | None = None, turnovers=(), exclusions: dict | None = None,
                       sworn_statement: bool = False) -> Candidature:
    """Save what the company checked and answered, then (re)write the DUME when it is certified."""
    if candidature.company_id != _company(actor).pk:
        raise PermissionDenied
    consultation = candidature.consultation
    if not consultation.is_open():
        raise ValidationError(_("La consultation est close : la candidature ne peut plus être modifiée."))
    errors = {}
    numbers = set(consultation.lots.values_list("number", flat=True))
    lots = sorted(set(lots or []))
    if numbers and not lots:
        errors["lots"] = _("Choisissez au moins un lot.")
    elif not set(lots) <= numbers:
        errors["lots"] = _("Lot inconnu.")
    rows, turnover_errors = _turnovers(turnovers)
    errors.update(turnover_errors)
    answers = {}
    for code, (breached, description) in (exclusions or {}).items():
        if code not in EXCLUSIONS_BY_CODE:
            continue
        if breached and not (description or "").strip():
            errors[f"exclusion_{code}"] = _("Vous avez répondu « oui » : expliquez la situation.")
        answers[code] = {"breached": bool(breached), "description": (description or "").strip()}
    if not (contact_name or "").strip():
        errors["contact_name"] = _("Indiquez la personne à contacter.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        candidature.lots = lots
        candidature.data = {**candidature.data, "contact_name": contact_name.strip(), "email": email.strip(),
                            "phone": (phone or "").strip(), "turnovers": rows, "exclusions": answers,
                            "lots": lots, "sworn_statement": bool(sworn_statement)}
        candidature.espd = _espd_store(candidature) if sworn_statement else None
        candidature.save()
        journal_record(actor=actor, action="marches.candidature.update", body=consultation.body,
                       target=consultation, summary=f"{consultation.reference} {candidature.company.siret}",
                       payload={"lots": lots, "certified": bool(sworn_statement),
                                "breached": sorted(c for c, a in answers.items() if a["breached"])})
    return candidature


def espd_response_data(candidature: Candidature) -> espd.EspdResponseData:
    consultation, values = candidature.consultation, candidature.data
    operator = values["operator"]
    return espd.EspdResponseData(
        id=f"DUME-{consultation.pk}-{candidature.company.siret}", uuid=values["espd_uuid"],
        issued_at=timezone.now().replace(microsecond=0),
        procedure=_procedure(consultation, lots=tuple(f"LOT-{n:04d}" for n in values.get("lots", []))),
        operator=espd.Operator(
            name=operator["name"], siret=operator["siret"], street=operator.get("street"),
            postal_code=operator.get("postal_code") or "", city=operator.get("city") or "",
            contact_name=values["contact_name"], email=values["email"], phone=values.get("phone") or None,
            size=operator.get("size"), naf=operator.get("naf"), legal_form=operator.get("legal_form"),
            legal_form_code=operator.get("legal_form_code"),
            share_capital=Decimal(operator["share_capital"]) if operator.get("share_capital") else None,
            turnovers=tuple(espd.Turnover(year=t["year"], amount=Decimal(t["amount"]))
                            for t in values.get("turnovers", [])),
        ),
        sworn_statement=bool(values.get("sworn_statement")),
        exclusions=tuple(espd.ExclusionAnswer(code=code, breached=a["breached"], description=a["description"])
                         for code, a in values.get("exclusions", {}).items()),
    )


def _procedure(consultation: Consultation, lots: tuple[str, ...] = ()) -> espd.Procedure:
    body = consultation.body
    return espd.Procedure(
        buyer_name=body.name, buyer_id=body.siret or body.siren, title=consultation.title,
        description=consultation.object, reference=consultation.reference,
        contract_folder_id=str(consultation.folder_id), notice_id=str(consultation.notice_id), lots=lots,
        procedure_code=EFORMS_PROCEDURES.get(consultation.procedure),
    )


def _espd_store(candidature: Candidature):
    """The DUME as stored: built, checked against the XSD (a DUME the buyer cannot read is worse
    than none), then kept content-addressed."""
    xml = build_espd_response(espd_response_data(candidature))
    validate_espd(xml, settings.REFERENCE_DATA_DIR)
    return stored_file_put(xml, content_type="application/xml")


def espd_request_xml(consultation: Consultation) -> bytes:
    """The buyer's DUME request (QualificationApplicationRequest) for the consultation."""
    return build_espd_request(id_=f"DUME-A-{consultation.pk}", uuid_=str(consultation.folder_id),
                              issued_at=consultation.published_at or timezone.now(),
                              procedure=_procedure(consultation), with_turnover=True)


def candidatures_for_opening(*, actor, consultation: Consultation):
    """The certified candidatures, for the buyer's commission, once the deadline has passed."""
    access.require_perm(actor, consultation.body, "marches.open_bids")
    if consultation.status == Status.PUBLISHED and not consultation.is_test and \
            consultation.closes_at > timezone.now():
        raise PermissionDenied(_("Les candidatures restent confidentielles jusqu'à la date limite."))
    return (Candidature.objects.filter(consultation=consultation, espd__isnull=False)
            .select_related("company", "espd").order_by("company__name"))


def exclusion_grounds() -> list:
    """The grounds the company answers, in the order of the ESPD."""
    return list(EXCLUSION_GROUNDS)


def candidature_dume_for_buyer(*, actor, consultation: Consultation, candidature_id: int):
    """One DUME, read by the commission after the deadline; every reading is journalled."""
    candidature = candidatures_for_opening(actor=actor, consultation=consultation).get(pk=candidature_id)
    journal_record(actor=actor, action="marches.candidature.read", body=consultation.body, target=consultation,
                   summary=f"{consultation.reference} {candidature.company.siret}")
    return candidature
