"""What the Salle des marchés asks of a buyer, for the home page (`PENDING_PROVIDERS`).

One aggregate query, and none at all for agents without `marches.manage`:
the home page is the platform's busiest page.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import ngettext

from territoires.marches.models import Consultation, Status
from territoires.tenancy import access


def pending_for(user, body) -> list[dict]:
    if not access.has_perm(user, body, "marches.manage"):
        return []
    counts = Consultation.objects.filter(body=body).aggregate(
        questions=Count("questions", filter=Q(questions__answered_at__isnull=True,
                                              status__in=[Status.PUBLISHED, Status.CLOSED])),
        closed=Count("pk", filter=Q(status=Status.CLOSED), distinct=True),
    )
    url = reverse("marches:list", args=[body.siren])
    items = []
    if counts["questions"]:
        items.append({"label": ngettext("%(n)s question d'entreprise sans réponse",
                                        "%(n)s questions d'entreprises sans réponse", counts["questions"])
                      % {"n": counts["questions"]}, "url": url})
    if counts["closed"]:
        items.append({"label": ngettext("%(n)s consultation clôturée à attribuer",
                                        "%(n)s consultations clôturées à attribuer", counts["closed"])
                      % {"n": counts["closed"]}, "url": f"{url}?status={Status.CLOSED}"})
    return items
