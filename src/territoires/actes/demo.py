"""Demo data of e-actes (`make run`): classifications, and acts in the states users meet.

Idempotent. The demo bodies get the nomenclature the simulated prefecture
uses, as if their 7-1 had been answered; Fleurey-sur-Ouche gets a draft ready
to transmit and a délibération already acknowledged and published, so the
public register is not empty.
"""

import datetime as dt

from django.utils import timezone

from territoires.accounts.models import User
from territoires.actes import documents
from territoires.actes.inbound import classification_data
from territoires.actes.models import Acte, ActeFile, Classification, FileRole, Status
from territoires.actes.simulator import CLASSIFICATION_DATE
from territoires.core.files import stored_file_put
from territoires.core.pdf import text_pdf
from territoires.interop.actes.classification import default_classification
from territoires.interop.siren import first_valid_siret
from territoires.tenancy.models import Body, Service

FLEUREY = "212102313"


def _acte(body: Body, clerk: User, numero: str, objet: str, day: dt.date, **fields) -> Acte:
    acte, created = Acte.objects.get_or_create(
        body=body, numero_interne=numero,
        defaults={"nature": "DE", "objet": objet, "decision_date": day, "matiere_code": "7.1",
                  "classification": Classification.objects.get(body=body, date=CLASSIFICATION_DATE),
                  "created_by": clerk, **fields},
    )
    if created:
        stored = stored_file_put(text_pdf(f"Délibération {numero}", objet), content_type="application/pdf")
        ActeFile.objects.create(acte=acte, role=FileRole.MAIN, typology="99_DE", name=f"{numero}.pdf",
                                stored=stored, uploaded_by=clerk)
    return acte


def create_demo_actes() -> None:
    data = classification_data(default_classification(CLASSIFICATION_DATE))
    for body in Body.objects.filter(subscriptions__service=Service.ACTES):
        changed = []
        if not body.departement:
            body.departement = "21"
            changed.append("departement")
        if not body.arrondissement:
            body.arrondissement = "1"
            changed.append("arrondissement")
        if not body.siret:
            body.siret = first_valid_siret(body.siren)
            changed.append("siret")
        if changed:
            body.save(update_fields=changed)
        Classification.objects.get_or_create(body=body, date=CLASSIFICATION_DATE, defaults={"data": data})
    body = Body.objects.filter(siren=FLEUREY).first()
    clerk = User.objects.filter(email="secretaire@fleurey.demo").first()
    if body is None or clerk is None:
        return
    today = timezone.localdate()
    _acte(body, clerk, "DEL2026_012", "Tarifs de la cantine scolaire pour l'année 2026-2027",
          today - dt.timedelta(days=2))
    published = _acte(body, clerk, "DEL2026_008", "Vote du budget primitif 2026 de la commune",
                      today - dt.timedelta(days=30), status=Status.ACKNOWLEDGED,
                      sent_at=timezone.now() - dt.timedelta(days=29), received_on=today - dt.timedelta(days=29),
                      vote_effectif=15, vote_reel=13, vote_pour=12, vote_contre=0, vote_abstention=1)
    if published.published_on is None:
        published.published_on = today - dt.timedelta(days=28)
        published.publication_signatory, published.publication_signatory_title = "Jean Bernard", "maire"
        published.published_file = stored_file_put(documents.publication_pdf(published),
                                                    content_type="application/pdf")
        published.save(update_fields=["published_on", "publication_signatory", "publication_signatory_title",
                                      "published_file"])
