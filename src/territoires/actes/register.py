"""Public reads of the register of acts (registre des actes), for anyone, without an actor.

Since 1 July 2022 (ordonnance 2021-1310, décret 2021-1311) acts are published
electronically with free and permanent access, so these reads take no user:
they take one body and only ever return that body's *published* acts
(`published_on` set). This module is the one place where that public scoping
happens; the public views and the open-data export never query `Acte` directly,
so an unpublished draft or another body's act cannot leak through a forgotten filter.
"""

import re
from datetime import date

from django.db.models import Count, F, Q, QuerySet

from territoires.actes.models import Acte, Nature
from territoires.tenancy.models import Body, Service


def register_body(siren: str) -> Body:
    """The active body with this SIREN that subscribes to the acts service.

    A body that left the service, or was deactivated, has no public register
    here; `Body.DoesNotExist` is a 404 for views.
    """
    return Body.objects.filter(
        is_active=True,
        subscriptions__service=Service.ACTES,
        subscriptions__is_active=True,
    ).get(siren=siren)


def _published(body: Body) -> QuerySet[Acte]:
    return Acte.objects.filter(body=body, published_on__isnull=False)


def matiere_filter(code: str) -> Q:
    """The act's matière is `code` or below it: "7" matches 7.1 and 7.1.2, not 71."""
    return Q(matiere_code=code) | Q(matiere_code__startswith=f"{code}.")


def published_actes(
    body: Body,
    *,
    q: str = "",
    nature: str = "",
    matiere: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Acte]:
    """The body's published acts, newest publication first; dates filter on `published_on`.

    The register is ordered and searched by publication date because that is
    the date the register itself records (and the one that starts deadlines
    for third parties); the decision date is shown beside it.
    """
    qs = _published(body)
    if q:
        qs = qs.filter(Q(objet__icontains=q) | Q(numero_interne__icontains=q))
    if nature:
        qs = qs.filter(nature=nature)
    if matiere:
        qs = qs.filter(matiere_filter(matiere))
    if date_from:
        qs = qs.filter(published_on__gte=date_from)
    if date_to:
        qs = qs.filter(published_on__lte=date_to)
    return qs.order_by("-published_on", "-decision_date", "-pk")


def published_acte(body: Body, pk: int) -> Acte:
    """One published act of the body; `Acte.DoesNotExist` otherwise (a 404 for views)."""
    return _published(body).select_related("body", "classification", "published_file").get(pk=pk)


def published_deliberations(body: Body, *, year: int | None = None) -> QuerySet[Acte]:
    """Published délibérations, oldest first, for the SCDL open-data export."""
    qs = _published(body).filter(nature=Nature.DE)
    if year is not None:
        qs = qs.filter(decision_date__year=year)
    return qs.select_related("body", "classification").order_by("decision_date", "numero_interne", "pk")


def sessions(body: Body) -> QuerySet:
    """Council sessions, newest first: the decision dates of published délibérations.

    We do not model sessions; a délibération's decision date is the day of the
    session that adopted it, which is all the list of L2121-25 needs.
    Rows are dicts `{"day": date, "count": int}`.
    """
    return (
        _published(body)
        .filter(nature=Nature.DE)
        .values(day=F("decision_date"))
        .annotate(count=Count("pk"))
        .order_by("-day")
    )


def _natural_key(numero: str) -> tuple:
    """DEL_2 before DEL_10: numbers inside a numéro interne compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", numero)
        if part
    )


def session_deliberations(body: Body, day: date) -> list[Acte]:
    """The published délibérations of one session, in the order of their numéro interne.

    R2121-9 numbers deliberations in order within each session; bodies number
    them DEL2026_2, DEL2026_10…, so the order is natural, not alphabetical.
    """
    actes = list(_published(body).filter(nature=Nature.DE, decision_date=day))
    return sorted(actes, key=lambda acte: (_natural_key(acte.numero_interne), acte.pk))
