"""What e-actes asks of an agent, for the home page (`tenancy.navigation.PENDING_PROVIDERS`).

Two queries at most: the home page is the platform's busiest page.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from territoires.actes.correspondence import letters_awaiting_answer
from territoires.actes.models import Acte, Status
from territoires.tenancy import access


def pending_for(user, body) -> list[dict]:
    can_sign = access.has_perm(user, body, "actes.sign")
    can_transmit = access.has_perm(user, body, "actes.transmit")
    if not (can_sign or can_transmit):
        return []
    counts = Acte.objects.filter(body=body).aggregate(
        to_sign=Count("pk", filter=Q(status=Status.DRAFT, signature_requested_at__isnull=False)),
        refused=Count("pk", filter=Q(status__in=[Status.ANOMALY, Status.ERROR])),
    )
    url = reverse("actes:dashboard", args=[body.siren])
    items = []
    if can_sign and counts["to_sign"]:
        n = counts["to_sign"]
        items.append({"label": ngettext("%(n)s acte à signer", "%(n)s actes à signer", n) % {"n": n}, "url": url})
    if can_transmit:
        n = letters_awaiting_answer(body=body).count()
        if n:
            items.append({"label": ngettext("%(n)s courrier de la préfecture à traiter",
                                            "%(n)s courriers de la préfecture à traiter", n) % {"n": n}, "url": url})
        if n := counts["refused"]:
            items.append({"label": ngettext("%(n)s acte refusé ou en erreur", "%(n)s actes refusés ou en erreur",
                                            n) % {"n": n}, "url": url})
    return items
