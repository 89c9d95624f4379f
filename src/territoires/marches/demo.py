"""Demo data of the Salle des marchés (`make run`): consultations in the states users meet,
the permanent test consultation, a few notices of other buyers, one company account.

Idempotent: every object is looked up by a natural key before it is created.
Everything goes through the services, as a buyer would do it.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from territoires.accounts.models import User
from territoires.core.pdf import text_pdf
from territoires.interop.siren import first_valid_siret
from territoires.marches import services
from territoires.marches.essential import decp_publish
from territoires.marches.models import Consultation, NoticeSource, Status
from territoires.marches.notices import NoticeRecord, notice_upsert
from territoires.marches.rehearsal import test_consultation_ensure
from territoires.tenancy.models import Body

VAL_DE_SAONE = "200070852"
BUYER_EMAIL = "acheteur@valdesaone.demo"
COMPANY_EMAIL = "contact@btp-cote-or.demo"
COMPANY_SIRET = "73282932000074"  # BTP COTE-D'OR in the API Entreprise simulator's directory


def _consultation(body: Body, buyer: User, reference: str, **fields) -> tuple[Consultation, bool]:
    existing = Consultation.objects.filter(body=body, reference=reference).first()
    if existing:
        return existing, False
    lots = fields.pop("lots", ())
    consultation = services.consultation_create(actor=buyer, body=body, reference=reference, **fields)
    for title, cpv in lots:
        services.lot_save(actor=buyer, consultation=consultation, title=title, cpv_main=cpv)
    for name, text in (("Règlement de consultation.pdf", "Règlement de la consultation " + reference),
                       ("CCTP.pdf", "Cahier des clauses techniques particulières : " + fields["object"])):
        services.dce_file_add(actor=buyer, consultation=consultation, name=name, data=text_pdf(name, text),
                              content_type="application/pdf")
    return consultation, True


def _common(now) -> dict:
    return {"nuts": "FRC11", "contact_name": "Service de la commande publique",
            "contact_email": "marches@valdesaone.demo", "closes_at": now + timedelta(days=35)}


def create_demo_consultations() -> None:
    body = Body.objects.get(siren=VAL_DE_SAONE)
    if not body.siret:
        body.siret = first_valid_siret(body.siren)
        body.departement = body.departement or "21"
        body.save(update_fields=["siret", "departement"])
    buyer = User.objects.get(email=BUYER_EMAIL)
    now = timezone.now()
    with transaction.atomic():
        works, created = _consultation(
            body, buyer, "2026-TRV-014", title="Réfection de la voirie communautaire – programme 2026",
            object="Travaux de réfection de chaussées, trottoirs et signalisation horizontale sur les voies "
                   "communautaires.", nature="works", procedure="mapa", cpv_main="45233140-2",
            cpv_additional=["45233221-4"], estimated_value=Decimal("480000"),
            lots=(("Chaussées", "45233140-2"), ("Signalisation horizontale", "45233221-4")), **_common(now))
        if created:
            services.consultation_publish(actor=buyer, consultation=works)
        meals, created = _consultation(
            body, buyer, "2026-FCS-003", title="Fourniture de repas pour les accueils de loisirs",
            object="Fourniture et livraison de repas en liaison froide pour les accueils de loisirs.",
            nature="supplies", procedure="open", cpv_main="55523100-3", estimated_value=Decimal("260000"),
            **_common(now))
        if created:
            services.consultation_publish(actor=buyer, consultation=meals)
        test_consultation_ensure(actor=buyer, body=body)
        _demo_awarded(body, buyer, now)
    _demo_external_notices(now)
    _demo_company()


def _demo_company() -> None:
    """A company account, registered by SIRET as any company would be."""
    from territoires.core.demo import DEMO_PASSWORD
    from territoires.marches.companies import company_register

    if not User.objects.filter(email=COMPANY_EMAIL).exists():
        company_register(email=COMPANY_EMAIL, password=DEMO_PASSWORD, siret=COMPANY_SIRET,
                         first_name="Hugo", last_name="Lambert")


def _demo_awarded(body: Body, buyer: User, now) -> None:
    cleaning, created = _consultation(
        body, buyer, "2025-SRV-021", title="Nettoyage des locaux communautaires",
        object="Nettoyage des bureaux et équipements sportifs de la communauté d'agglomération.",
        nature="services", procedure="open", cpv_main="90911200-8", estimated_value=Decimal("150000"),
        **_common(now))
    if not created:
        return
    services.consultation_publish(actor=buyer, consultation=cleaning)
    Consultation.objects.filter(pk=cleaning.pk).update(status=Status.CLOSED, closes_at=now - timedelta(days=20))
    cleaning.refresh_from_db()
    services.award_save(actor=buyer, consultation=cleaning, lot=None, winner_siret="81880035107603",
                        winner_name="NET'SAONE PROPRETE", winner_postal_code="71100",
                        winner_city="Chalon-sur-Saône",
                        amount=Decimal("138400"), contract_date=timezone.localdate() - timedelta(days=5),
                        tenders_received=5, duration_months=36)
    services.consultation_conclude(actor=buyer, consultation=cleaning, outcome=Status.AWARDED)
    for record in cleaning.decp.all():
        decp_publish(actor=buyer, record=record)


def _demo_external_notices(now) -> None:
    """Two notices of other buyers, as an import from BOAMP would leave them."""
    for source_id, title, buyer, cpv, nuts, days in (
        ("26-112233", "Construction d'une gendarmerie à Montbard", "Ministère de l'Intérieur – SGAMI Est",
         "45216111", "FRC11", 28),
        ("26-112290", "Maintenance des ascenseurs des lycées", "Région Bourgogne-Franche-Comté", "50750000",
         "FRC21", 21),
    ):
        notice_upsert(NoticeRecord(
            source=NoticeSource.BOAMP, source_id=source_id, title=title, buyer_name=buyer, cpv_main=cpv,
            nuts=nuts, procedure="open", nature="works" if cpv.startswith("45") else "services",
            published_on=timezone.localdate() - timedelta(days=3), deadline=now + timedelta(days=days),
            url=f"https://www.boamp.fr/pages/avis/?q=idweb:%22{source_id}%22",
        ))
