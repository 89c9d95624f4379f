"""Essential data (DECP v2) of awarded contracts: prefilled at award, completed by the buyer,
exported as the JSON data.gouv.fr consolidates.

`Decp.data` keeps the values in plain JSON types with the field names of
`interop.decp.Marche`, or of `interop.decp.ContratConcession` for a concession,
so the form, the export and the checks share one vocabulary; the conversion to
the dataclass happens in `decp_contract` only.
"""

from dataclasses import fields as dc_fields
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.interop.decp import data as decp
from territoires.interop.decp.checks import check_concession, check_marche
from territoires.interop.decp.export import decp_json
from territoires.journal.services import journal_record
from territoires.marches.models import Award, Consultation, Decp, Nature, Procedure, Status

# Our procedures → the DECP list of marchés. Concessions have their own shape (contrat-concession).
PROCEDURES = {
    Procedure.MAPA: decp.Procedure.ADAPTEE,
    Procedure.OPEN: decp.Procedure.APPEL_OFFRES_OUVERT,
    Procedure.RESTRICTED: decp.Procedure.APPEL_OFFRES_RESTREINT,
    Procedure.NEGOTIATED: decp.Procedure.NEGOCIATION,
    Procedure.NEGOTIATED_NO_CALL: decp.Procedure.SANS_PUBLICITE,
    Procedure.DIALOGUE: decp.Procedure.DIALOGUE_COMPETITIF,
    Procedure.INNOVATION: decp.Procedure.NEGOCIATION,
    Procedure.OTHER: decp.Procedure.ADAPTEE,
}
CCAG_BY_NATURE = {
    Nature.WORKS: decp.Ccag.TRAVAUX,
    Nature.SUPPLIES: decp.Ccag.FCS,
    Nature.SERVICES: decp.Ccag.FCS,
}
# Since 2024 only marchés of 40,000 € HT or more are published (D9); every concession is
# (article R3131-1 of the code de la commande publique has no threshold).
DECP_THRESHOLD = Decimal("40000")
LIST_FIELDS = ("price_types", "techniques", "execution_methods", "social_considerations",
               "environmental_considerations")


def _decp_id(consultation: Consultation, award: Award) -> str:
    """Buyer's number, 1-16 characters: year + consultation + lot, unique for the buyer."""
    lot = f"L{award.lot.number}" if award.lot_id else ""
    return f"{award.contract_date:%Y}{consultation.pk:07d}{lot}"[:16]


def decp_initial(consultation: Consultation, award: Award) -> dict:
    """Everything the consultation and the award already say; the buyer completes the rest."""
    body = consultation.body
    place_code, place_type = ((consultation.commune.insee_code, decp.PlaceCodeType.COMMUNE)
                              if consultation.commune_id else
                              (body.departement, decp.PlaceCodeType.DEPARTEMENT))
    subject = consultation.object if not award.lot_id else f"{consultation.title} – {award.lot.title}"
    return {
        "id": _decp_id(consultation, award),
        "buyer_siret": body.siret,
        "nature": decp.Nature.MARCHE,
        "subject": subject[:1000],
        "cpv": (award.lot.cpv_main if award.lot_id and award.lot.cpv_main else consultation.cpv_main),
        "procedure": PROCEDURES.get(consultation.procedure, decp.Procedure.ADAPTEE),
        "place_code": place_code,
        "place_type": place_type,
        "duration_months": award.duration_months or 12,
        "notified_on": award.contract_date.isoformat(),
        "amount": str(award.amount),
        "price_form": decp.PriceForm.FORFAITAIRE,
        "price_types": [decp.PriceType.REVISABLE],
        "holder_siret": award.winner_siret,
        "grouping": decp.Grouping.AUCUN,
        "offers_received": award.tenders_received or 1,
        "ccag": CCAG_BY_NATURE.get(consultation.nature, decp.Ccag.AUCUN),
        "techniques": [decp.Technique.SANS_OBJET],
        "execution_methods": [decp.ExecutionMethod.SANS_OBJET],
        "social_considerations": [decp.SocialConsideration.AUCUNE],
        "environmental_considerations": [decp.EnvironmentalConsideration.AUCUNE],
        "innovative": False,
        "advance_granted": False,
        "subcontracting_declared": False,
    }


def concession_initial(consultation: Consultation, award: Award) -> dict:
    """What a concession's award already says (`ContratConcession` names); the buyer completes it."""
    subject = consultation.object if not award.lot_id else f"{consultation.title} – {award.lot.title}"
    return {
        "id": _decp_id(consultation, award),
        "authority_siret": consultation.body.siret,
        "nature": (decp.ConcessionNature.TRAVAUX if consultation.nature == Nature.WORKS
                   else decp.ConcessionNature.SERVICE),
        "subject": subject[:1000],
        "procedure": decp.ConcessionProcedure.NEGOCIEE_OUVERTE,
        "duration_months": award.duration_months or 12,
        "signed_on": award.contract_date.isoformat(),
        "execution_start": award.contract_date.isoformat(),
        "total_value": str(award.amount),
        "public_subsidy": "0",
        "concessionaire_siret": award.winner_siret,
        "social_considerations": [decp.ConcessionSocialConsideration.AUCUNE],
        "environmental_considerations": [decp.EnvironmentalConsideration.AUCUNE],
    }


def is_concession(record: Decp) -> bool:
    return record.consultation.procedure == Procedure.CONCESSION


def decp_prefill(consultation: Consultation) -> list[Decp]:
    """One DECP record per award (of 40,000 € HT or more for a marché); existing ones are left alone."""
    concession = consultation.procedure == Procedure.CONCESSION
    made = []
    for award in consultation.awards.select_related("lot", "consultation__body", "consultation__commune"):
        if (award.amount < DECP_THRESHOLD and not concession) or Decp.objects.filter(award=award).exists():
            continue
        initial = (concession_initial if concession else decp_initial)(consultation, award)
        made.append(Decp.objects.create(consultation=consultation, award=award, decp_id=initial["id"],
                                        data=initial, year=award.contract_date.year))
    return made


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def decp_marche(record: Decp, published_on: date | None = None) -> decp.Marche:
    """The stored values as the interop dataclass; raises ValueError/KeyError on broken data."""
    values = record.data
    rate = values.get("advance_rate")
    return decp.Marche(
        id=values["id"], buyer_siret=values["buyer_siret"], nature=decp.Nature(values["nature"]),
        subject=values["subject"], cpv=values["cpv"], procedure=decp.Procedure(values["procedure"]),
        place=decp.Place(code=values["place_code"], code_type=decp.PlaceCodeType(values["place_type"])),
        duration_months=int(values["duration_months"]), notified_on=_date(values["notified_on"]),
        published_on=published_on or _date(values.get("published_on") or timezone.localdate()),
        amount=Decimal(values["amount"]), price_form=decp.PriceForm(values["price_form"]),
        price_types=tuple(decp.PriceType(v) for v in values["price_types"]),
        holders=(decp.Operator(id=values["holder_siret"]),),
        grouping=decp.Grouping(values["grouping"]), offers_received=int(values["offers_received"]),
        ccag=decp.Ccag(values["ccag"]),
        techniques=tuple(decp.Technique(v) for v in values["techniques"]),
        execution_methods=tuple(decp.ExecutionMethod(v) for v in values["execution_methods"]),
        social_considerations=tuple(decp.SocialConsideration(v) for v in values["social_considerations"]),
        environmental_considerations=tuple(
            decp.EnvironmentalConsideration(v) for v in values["environmental_considerations"]),
        innovative=bool(values.get("innovative")), advance_granted=bool(values.get("advance_granted")),
        advance_rate=Decimal(str(rate)) if rate not in (None, "") else None,
        subcontracting_declared=bool(values.get("subcontracting_declared")),
    )


def decp_concession(record: Decp, published_on: date | None = None) -> decp.ContratConcession:
    """The stored values of a concession as the interop dataclass (see `decp_marche`)."""
    values = record.data
    return decp.ContratConcession(
        id=values["id"], authority_siret=values["authority_siret"], nature=decp.ConcessionNature(values["nature"]),
        subject=values["subject"], procedure=decp.ConcessionProcedure(values["procedure"]),
        duration_months=int(values["duration_months"]), signed_on=_date(values["signed_on"]),
        execution_start=_date(values["execution_start"]),
        published_on=published_on or _date(values.get("published_on") or timezone.localdate()),
        total_value=Decimal(values["total_value"]), public_subsidy=Decimal(values["public_subsidy"]),
        concessionaires=(decp.Operator(id=values["concessionaire_siret"]),),
        social_considerations=tuple(decp.ConcessionSocialConsideration(v) for v in values["social_considerations"]),
        environmental_considerations=tuple(
            decp.EnvironmentalConsideration(v) for v in values["environmental_considerations"]),
    )


def decp_contract(record: Decp) -> decp.Marche | decp.ContratConcession:
    """The record as the interop dataclass of its kind."""
    return decp_concession(record) if is_concession(record) else decp_marche(record)


def decp_problems(record: Decp) -> list[str]:
    """French problems that block publication, from the interop checks."""
    try:
        contract = decp_contract(record)
        return check_concession(contract) if is_concession(record) else check_marche(contract)
    except (KeyError, ValueError, InvalidOperation, TypeError) as error:
        return [_("Donnée incomplète ou invalide : %(e)s") % {"e": error}]


def _require_buyer(actor, record: Decp) -> None:
    from territoires.marches.services import require

    require(actor, record.consultation.body)


def decp_update(*, actor, record: Decp, values: dict) -> Decp:
    """Save the buyer's completed values (until publication, the data stay editable)."""
    _require_buyer(actor, record)
    if record.published_at is not None:
        raise ValidationError(_("Les données essentielles publiées ne se modifient que par une modification "
                                "du marché."))
    known = ({f.name for f in dc_fields(decp.ContratConcession)} | {"concessionaire_siret"} if is_concession(record)
             else {f.name for f in dc_fields(decp.Marche)} | {"place_code", "place_type", "holder_siret"})
    data = dict(record.data)
    for name, value in values.items():
        if name in known or name in data:
            data[name] = [str(v) for v in value] if name in LIST_FIELDS else (
                value.isoformat() if isinstance(value, date) else
                str(value) if isinstance(value, Decimal) else value)
    with transaction.atomic():
        record.data = data
        record.decp_id = str(data["id"])[:16]
        record.save()
        journal_record(actor=actor, action="marches.decp.update", body=record.consultation.body,
                       target=record.consultation, summary=record.decp_id, payload=data)
    return record


def decp_publish(*, actor, record: Decp) -> Decp:
    """Freeze the record and stamp its publication date; refused while a check fails."""
    _require_buyer(actor, record)
    if record.published_at is not None:
        return record
    if problems := decp_problems(record):
        raise ValidationError(problems)
    with transaction.atomic():
        record.data = {**record.data, "published_on": timezone.localdate().isoformat()}
        record.published_at = timezone.now()
        record.save()
        journal_record(actor=actor, action="marches.decp.publish", body=record.consultation.body,
                       target=record.consultation, summary=record.decp_id, payload=record.data)
    return record


def decp_export(records) -> bytes:
    """DECP v2 JSON of published records, marchés and concessions (the schema wants at least
    one record: callers check there is one)."""
    records = list(records)
    return decp_json([decp_marche(r) for r in records if not is_concession(r)],
                     [decp_concession(r) for r in records if is_concession(r)])


def decp_published(*, body=None, year: int | None = None):
    qs = Decp.objects.filter(published_at__isnull=False).select_related("consultation__body")
    if body is not None:
        qs = qs.filter(consultation__body=body)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("consultation__body__name", "decp_id")


def awarded_public():
    """Awarded contracts for the public portal (B4/B11): awards of awarded consultations."""
    return (Award.objects.filter(consultation__status=Status.AWARDED, consultation__is_test=False)
            .select_related("consultation__body", "lot").order_by("-contract_date", "pk"))

