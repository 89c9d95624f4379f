"""Reads of acts, scoped to one body the actor may read (`actes.view`)."""

from django.db.models import Q, QuerySet

from territoires.actes.models import Acte, IncomingMessage
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service


def _require_view(actor, body: Body) -> None:
    access.require_service(body, Service.ACTES)
    access.require_perm(actor, body, "actes.view")


def actes_of_body(*, actor, body: Body, q: str = "", status: str = "", nature: str = "") -> QuerySet[Acte]:
    _require_view(actor, body)
    qs = Acte.objects.filter(body=body).select_related("body")
    if q:
        qs = qs.filter(Q(objet__icontains=q) | Q(numero_interne__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if nature:
        qs = qs.filter(nature=nature)
    return qs


def acte_of_body(*, actor, body: Body, acte_id: int) -> Acte:
    """The act, if it belongs to `body`; else `Acte.DoesNotExist` (a 404 for views)."""
    _require_view(actor, body)
    return Acte.objects.select_related("body", "classification", "created_by").get(pk=acte_id, body=body)


def acte_messages(*, acte: Acte) -> QuerySet[IncomingMessage]:
    return acte.incoming.order_by("received_at", "pk")

