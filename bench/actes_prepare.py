"""Data for bench/actes.py: bodies with their classification, N posted acts, their tasks queued.

    python -m bench.actes_prepare OUT.json --acts 10000 --bodies 100

Runs with the bench's environment (bench.settings, a fresh database). Each
act gets its own one-page PDF (a template whose placeholder is replaced, so
the contents differ and are stored separately). Acts are created directly in
the "posted" state, as `acte_post` leaves them, and one `transmit_acte` task
is queued per act; what the benchmark times is everything after that.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--acts", type=int, default=10000)
    parser.add_argument("--bodies", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()

    from django.core.management import call_command
    from django.utils import timezone
    from fpdf import FPDF

    from territoires.accounts.models import User
    from territoires.actes.inbound import classification_data
    from territoires.actes.models import Acte, ActeFile, Classification, FileRole, Status
    from territoires.actes.simulator import CLASSIFICATION_DATE
    from territoires.actes.tasks import transmit_acte
    from territoires.core.files import stored_file_put
    from territoires.interop.actes.classification import default_classification
    from territoires.interop.siren import luhn_valid
    from territoires.tenancy.models import Body, Membership, Role, Subscription

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started

    started = time.perf_counter()
    data = classification_data(default_classification(CLASSIFICATION_DATE))
    bodies = []
    n = 0
    while len(bodies) < args.bodies:
        n += 1
        siren = f"21{n:06d}"
        siren += next(str(c) for c in range(10) if luhn_valid(siren + str(c)))
        bodies.append(Body(siren=siren, name=f"Commune du banc d'essai {len(bodies) + 1}", kind="commune",
                           departement="21", arrondissement="1", population=800))
    Body.objects.bulk_create(bodies)
    bodies = list(Body.objects.order_by("pk"))
    Subscription.objects.bulk_create([Subscription(body=b, service="actes") for b in bodies])
    classifications = {c.body_id: c for c in Classification.objects.bulk_create(
        [Classification(body=b, date=CLASSIFICATION_DATE, data=data) for b in bodies])}
    clerk = User.objects.create_user(email="secretaire@banc.example", password=None)
    agent_role = Role.objects.get(code="agent")
    for body in bodies:
        Membership.objects.create(user=clerk, body=body).roles.add(agent_role)

    template = FPDF()
    template.set_compression(False)
    template.add_page()
    template.set_font("helvetica", size=14)
    template.cell(text="Deliberation ACTE-0000000 du conseil municipal")
    pdf = bytes(template.output())
    now = timezone.now()
    actes, files = [], []
    for index in range(args.acts):
        body = bodies[index % len(bodies)]
        actes.append(Acte(
            body=body, nature="DE", numero_interne=f"BENCH_{index:07d}", objet=f"Délibération de test n° {index}",
            decision_date=dt.date(2026, 3, 2), matiere_code="7.1", classification=classifications[body.pk],
            status=Status.POSTED, created_by=clerk, posted_at=now, status_changed_at=now,
        ))
    Acte.objects.bulk_create(actes, batch_size=1000)
    for index, acte in enumerate(Acte.objects.order_by("pk")):
        stored = stored_file_put(pdf.replace(b"ACTE-0000000", f"ACTE-{index:07d}".encode()),
                                 content_type="application/pdf")
        files.append(ActeFile(acte=acte, role=FileRole.MAIN, typology="99_DE", name="deliberation.pdf",
                              stored=stored, uploaded_by=clerk))
    ActeFile.objects.bulk_create(files, batch_size=1000)
    timings["data"] = time.perf_counter() - started

    started = time.perf_counter()
    for acte_id in Acte.objects.order_by("pk").values_list("pk", flat=True):
        transmit_acte.enqueue(acte_id)
    timings["enqueue"] = time.perf_counter() - started

    with open(args.out, "w") as handle:
        json.dump({"timings": timings, "acts": args.acts, "bodies": len(bodies), "pdf_bytes": len(pdf)}, handle)


if __name__ == "__main__":
    sys.exit(main())
