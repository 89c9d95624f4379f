"""What e-actes asks of an agent, for the home page (`tenancy.navigation.PENDING_PROVIDERS`)."""

from django.urls import reverse
from django.utils.translation import ngettext

from territoires.actes.correspondence import letters_awaiting_answer
from territoires.actes.models import Acte, Status
from territoires.tenancy import access


def pending_for(user, body) -> list[dict]:
    url = reverse("actes:dashboard", args=[body.siren])
    items = []
    if access.has_perm(user, body, "actes.sign"):
        count = Acte.objects.filter(body=body, status=Status.DRAFT, signature_requested_at__isnull=False).count()
        if count:
            items.append({"label": ngettext("%(n)s acte à signer", "%(n)s actes à signer", count) % {"n": count},
                          "url": url})
    if access.has_perm(user, body, "actes.transmit"):
        count = letters_awaiting_answer(body=body).count()
        if count:
            items.append({"label": ngettext("%(n)s courrier de la préfecture à traiter",
                                            "%(n)s courriers de la préfecture à traiter", count) % {"n": count},
                          "url": url})
        count = Acte.objects.filter(body=body, status__in=[Status.ANOMALY, Status.ERROR]).count()
        if count:
            items.append({"label": ngettext("%(n)s acte refusé ou en erreur", "%(n)s actes refusés ou en erreur",
                                            count) % {"n": count}, "url": url})
    return items
