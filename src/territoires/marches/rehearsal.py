"""The permanent test consultation (arrêté of 22 March 2019, B6): companies rehearse the
download, the questions, the candidature and (next issue) the deposit on the same code paths
as a real consultation. It never closes and is marked « TEST » on every page.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from territoires.core.pdf import text_pdf
from territoires.marches import services
from territoires.marches.models import Consultation

REFERENCE = "TEST-PERMANENTE"
TEXT = ("Cette consultation est fictive. Elle sert à vérifier votre poste et à vous entraîner : "
        "téléchargement du dossier, questions à l'acheteur, candidature simplifiée et dépôt.")


def test_consultation_ensure(*, actor, body) -> Consultation:
    """The body's test consultation, created and published on first call (idempotent)."""
    existing = Consultation.objects.filter(body=body, reference=REFERENCE).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        consultation = services.consultation_create(
            actor=actor, body=body, reference=REFERENCE, title="Consultation de test – entraînez-vous",
            object=TEXT, nature="services", procedure="mapa", cpv_main="79000000-4",
            nuts=body_nuts(body), closes_at=timezone.now() + timedelta(days=3650),
            contact_name="Assistance Territoires", contact_email=actor.email)
        Consultation.objects.filter(pk=consultation.pk).update(is_test=True)
        consultation.refresh_from_db()
        services.dce_file_add(actor=actor, consultation=consultation, name="Règlement de consultation (test).pdf",
                              data=text_pdf("Consultation de test – règlement", TEXT), content_type="application/pdf")
        services.consultation_publish(actor=actor, consultation=consultation)
    return consultation


def body_nuts(body) -> str:
    from territoires.tenancy.nuts import nuts3_for_departement

    return nuts3_for_departement(body.departement) or "FRC11"
