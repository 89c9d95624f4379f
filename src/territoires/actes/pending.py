"""What e-actes asks of an agent, for the home page (`tenancy.navigation.PENDING_PROVIDERS`).

One plain SQL query: the home page is the platform's busiest page, and the
three counts through the ORM cost more CPU than the rest of the page (the
same choice as `tenancy.selectors.body_access_for_user`). The letters'
definition comes from `correspondence` (LETTERS awaiting a CLOSING answer),
so the count and the dashboard cannot disagree.
"""

from django.db import connection
from django.urls import reverse
from django.utils.translation import ngettext

from territoires.actes.correspondence import CLOSING
from territoires.actes.models import Status
from territoires.tenancy import access

ANSWERED = sorted(set().union(*CLOSING.values()))
AWAITING = sorted(CLOSING)


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


# Only "%s" placeholders are formatted in; every value is a query parameter.
COUNTS_SQL = f"""
SELECT
  (SELECT COUNT(*) FROM actes_acte
    WHERE body_id = %s AND status = %s AND signature_requested_at IS NOT NULL),
  (SELECT COUNT(*) FROM actes_acte WHERE body_id = %s AND status IN (%s, %s)),
  (SELECT COUNT(*) FROM actes_incomingmessage m
    WHERE m.body_id = %s AND m.acte_id IS NOT NULL AND m.code IN ({_placeholders(AWAITING)})
      AND NOT EXISTS (SELECT 1 FROM actes_outgoingmessage o
                      WHERE o.answers_id = m.id AND o.code IN ({_placeholders(ANSWERED)})))
"""  # noqa: S608


def pending_counts(body_id: int) -> tuple[int, int, int]:
    """(acts to sign, refused or failed acts, prefecture letters awaiting an answer)."""
    params = [body_id, Status.DRAFT, body_id, Status.ANOMALY, Status.ERROR, body_id, *AWAITING, *ANSWERED]
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, params)
        return cursor.fetchone()


def pending_for(user, body) -> list[dict]:
    can_sign = access.has_perm(user, body, "actes.sign")
    can_transmit = access.has_perm(user, body, "actes.transmit")
    if not (can_sign or can_transmit):
        return []
    to_sign, refused, letters = pending_counts(body.pk)
    url = reverse("actes:dashboard", args=[body.siren])
    items = []
    if can_sign and to_sign:
        items.append({"label": ngettext("%(n)s acte à signer", "%(n)s actes à signer", to_sign) % {"n": to_sign},
                      "url": url})
    if can_transmit and letters:
        items.append({"label": ngettext("%(n)s courrier de la préfecture à traiter",
                                        "%(n)s courriers de la préfecture à traiter", letters) % {"n": letters},
                      "url": url})
    if can_transmit and refused:
        items.append({"label": ngettext("%(n)s acte refusé ou en erreur", "%(n)s actes refusés ou en erreur",
                                        refused) % {"n": refused}, "url": url})
    return items
