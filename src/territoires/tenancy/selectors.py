"""Reads scoped to what the actor may see."""

from django.db.models import QuerySet

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
    """The user's active membership of the active body with this SIREN, with its roles.

    One query (plus the roles prefetch) resolves both the body and the
    permissions of body-scoped pages; Membership.DoesNotExist means 404.
    """
    if not getattr(user, "is_authenticated", False):
        raise Membership.DoesNotExist
    return (
        Membership.objects.select_related("body")
        .prefetch_related("roles")
        .get(user=user, is_active=True, body__is_active=True, body__siren=siren)
    )
