"""Reads scoped to what the actor may see."""

from django.db.models import Q, QuerySet, StringAgg, TextField, Value
from django.db.models.functions import Cast

from territoires.tenancy.models import Body, Membership


def bodies_for_user(*, user) -> QuerySet[Body]:
    """The active bodies where the user has an active membership."""
    if not getattr(user, "is_authenticated", False):
        return Body.objects.none()
    return Body.objects.filter(
        is_active=True, memberships__user=user, memberships__is_active=True
    ).order_by("name")


def body_for_user(*, user, siren: str) -> Body:
    """The body with this SIREN if the user belongs to it; Body.DoesNotExist otherwise.

    Views turn DoesNotExist into a 404, so an outsider cannot even learn
    whether a body uses the platform.
    """
    return bodies_for_user(user=user).get(siren=siren)


def memberships_of_body(*, body: Body) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(body=body)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__last_name", "user__email")
    )


def membership_for_user(*, user, siren: str) -> Membership:
    """The user's active membership of the active body with this SIREN, ready to use.

    Every body-scoped page starts here, so it is one query: the membership and
    its body, plus two aggregates — the permission lists of its roles and the
    body's active services — which `access.prime` caches for the request.
    (Both joins multiply rows, so values repeat; `prime` de-duplicates them:
    SQLite's GROUP_CONCAT has no DISTINCT with a custom separator.)
    Membership.DoesNotExist means 404.
    """
    if not getattr(user, "is_authenticated", False):
        raise Membership.DoesNotExist
    membership = (
        Membership.objects.select_related("body")
        .filter(user=user, is_active=True, body__is_active=True, body__siren=siren)
        .annotate(
            role_permissions=StringAgg(
                Cast("roles__permissions", TextField()), Value("|")
            ),
            body_services=StringAgg(
                "body__subscriptions__service",
                Value(","),
                filter=Q(body__subscriptions__is_active=True),
            ),
        )
        .get()
    )
    return membership
