"""Our consultations as eForms notices (UBL XML) for TED and BOAMP.

Above the EU thresholds a contract notice is subtype 16 (general directive);
below them it is the voluntary E3 notice, which BOAMP accepts for national
publication. Award notices are subtype 29. The review body (BT-500) is the
administrative court of the buyer's département.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from territoires.interop.eforms.build import build_award_notice, build_contract_notice
from territoires.interop.eforms.data import (
    Award as EformsAward,
)
from territoires.interop.eforms.data import (
    AwardNoticeData,
    ContractNoticeData,
    Organization,
)
from territoires.interop.eforms.data import (
    Lot as EformsLot,
)
from territoires.marches.models import Consultation, Nature, Procedure

# EU thresholds (€ HT) for sub-central contracting authorities, 2026-2027
# (Commission delegated regulations of 2025): supplies and services, works.
EU_THRESHOLDS = {Nature.WORKS: Decimal("5404000"), Nature.SUPPLIES: Decimal("216000"),
                 Nature.SERVICES: Decimal("216000")}

# eForms procurement-procedure-type for our procedures; MAPA and concessions are "oth-single".
EFORMS_PROCEDURES = {
    Procedure.MAPA: "oth-single", Procedure.OPEN: "open", Procedure.RESTRICTED: "restricted",
    Procedure.NEGOTIATED: "neg-w-call", Procedure.NEGOTIATED_NO_CALL: "neg-wo-call",
    Procedure.DIALOGUE: "comp-dial", Procedure.INNOVATION: "innovation",
    Procedure.CONCESSION: "oth-single", Procedure.OTHER: "oth-single",
}

# Tribunaux administratifs of the region, by département.
_TA_DIJON = Organization(id="ORG-0002", name="Tribunal administratif de Dijon", city="Dijon",
                         postal_code="21000", nuts="FRC11", email="greffe.ta-dijon@juradm.fr",
                         street="22 rue d'Assas", website="https://dijon.tribunal-administratif.fr")
_TA_BESANCON = Organization(id="ORG-0002", name="Tribunal administratif de Besançon", city="Besançon",
                            postal_code="25000", nuts="FRC21", email="greffe.ta-besancon@juradm.fr",
                            street="30 rue Charles Nodier", website="https://besancon.tribunal-administratif.fr")
REVIEW_BODIES = {"21": _TA_DIJON, "58": _TA_DIJON, "71": _TA_DIJON, "89": _TA_DIJON,
                 "25": _TA_BESANCON, "39": _TA_BESANCON, "70": _TA_BESANCON, "90": _TA_BESANCON}


def is_above_threshold(consultation: Consultation) -> bool:
    value = consultation.estimated_value
    return value is not None and value >= EU_THRESHOLDS[consultation.nature]


def _buyer(consultation: Consultation) -> Organization:
    body = consultation.body
    postal = re.search(r"\b(\d{5})\b", body.address or "")
    city = body.commune.name if body.commune_id else body.name
    return Organization(
        id="ORG-0001", name=body.name, city=city,
        postal_code=postal.group(1) if postal else f"{body.departement or '21'}000",
        nuts=consultation.nuts, email=consultation.contact_email or settings.DEFAULT_FROM_EMAIL,
        company_id=body.siret or body.siren, phone=consultation.contact_phone or None,
    )


def _review_body(consultation: Consultation) -> Organization:
    from territoires.marches.reference import nuts_catalogue

    departement = nuts_catalogue().departement_for_nuts3(consultation.nuts) or consultation.body.departement
    return REVIEW_BODIES.get(departement, _TA_DIJON)


def _lots(consultation: Consultation, *, with_deadline: bool) -> tuple[EformsLot, ...]:
    deadline = consultation.closes_at if with_deadline else None
    lots = list(consultation.lots.all())
    if not lots:
        return (EformsLot(id="LOT-0001", title=consultation.title, description=consultation.object,
                          cpv_main=consultation.cpv_main, nuts=(consultation.nuts,),
                          estimated_value=consultation.estimated_value, deadline=deadline,
                          cpv_additional=tuple(consultation.cpv_additional)),)
    return tuple(
        EformsLot(id=f"LOT-{lot.number:04d}", title=lot.title, description=lot.description or lot.title,
                  cpv_main=lot.cpv_main or consultation.cpv_main, nuts=(consultation.nuts,),
                  estimated_value=lot.estimated_value, deadline=deadline)
        for lot in lots
    )


def contract_notice_xml(consultation: Consultation) -> bytes:
    """The contract notice (16 above the thresholds, E3 below), valid against the eForms XSD."""
    above = is_above_threshold(consultation)
    url = settings.PUBLIC_URL + reverse("marches_public:consultation", args=[consultation.pk])
    data = ContractNoticeData(
        notice_id=str(consultation.notice_id), contract_folder_id=str(consultation.folder_id),
        issued_at=consultation.published_at or timezone.now(), buyer=_buyer(consultation),
        review_body=_review_body(consultation), title=consultation.title, description=consultation.object,
        nature=consultation.nature, cpv_main=consultation.cpv_main,
        cpv_additional=tuple(consultation.cpv_additional), lots=_lots(consultation, with_deadline=True),
        documents_url=url, submission_url=url, nuts=(consultation.nuts,),
        estimated_value=consultation.estimated_value,
        procedure_code=EFORMS_PROCEDURES.get(consultation.procedure, "oth-single"),
        version=f"{max(consultation.dce_versions.count(), 1):02d}", reference=consultation.reference,
        subtype="16" if above else "E3", regulatory_domain="32014L0024" if above else "other",
        variants_allowed=consultation.variants_allowed,
    )
    return build_contract_notice(data)


def award_notice_xml(consultation: Consultation) -> bytes:
    """The contract award notice (29), from the recorded awards."""
    lots = _lots(consultation, with_deadline=False)
    awards = []
    for index, award in enumerate(consultation.awards.select_related("lot").order_by("lot__number"), start=1):
        winner = Organization(id=f"ORG-{index + 2:04d}", name=award.winner_name, city=award.winner_city,
                              postal_code=award.winner_postal_code, nuts=consultation.nuts, email="",
                              company_id=award.winner_siret)
        awards.append(EformsAward(
            lot_id=f"LOT-{award.lot.number:04d}" if award.lot_id else "LOT-0001", winner=winner,
            amount=award.amount, contract_id=f"CON-{index:04d}",
            contract_title=award.lot.title if award.lot_id else consultation.title,
            contract_date=award.contract_date, tenders_received=award.tenders_received,
        ))
    data = AwardNoticeData(
        notice_id=str(consultation.award_notice_id), contract_folder_id=str(consultation.folder_id),
        issued_at=consultation.status_changed_at, buyer=_buyer(consultation),
        review_body=_review_body(consultation), title=consultation.title, description=consultation.object,
        nature=consultation.nature, cpv_main=consultation.cpv_main, lots=lots, awards=tuple(awards),
        nuts=(consultation.nuts,), procedure_code=EFORMS_PROCEDURES.get(consultation.procedure, "oth-single"),
        reference=consultation.reference,
    )
    return build_award_notice(data)
