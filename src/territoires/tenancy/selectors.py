"""Reads scoped to what the actor may see."""

import json
from dataclasses import dataclass

from django.db.models import QuerySet

from territoires.core import sql
from territoires.tenancy.models import Body, Membership, Notification, Role, Subscription


def bodies_for_user(*, user) -> QuerySet[Body]:
    """The active bodies where the user has an active membership."""
    if not getattr(user, "is_authenticated", False):
        return Body.objects.none()
    return Body.objects.filter(
        is_active=True, memberships__user=user, memberships__is_active=True
    ).order_by("name")


def memberships_of_body(*, body: Body) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(body=body)
        .select_related("user")
        .prefetch_related("roles")
        .order_by("user__last_name", "user__email")
    )


@dataclass(frozen=True)
class BodyAccess:
    """What a body-scoped page needs about the user's place in the body."""

    body: Body
    permissions: frozenset[str]
    services: list[str]


def body_access_for_user(*, user, siren: str) -> BodyAccess:
    """The body with this SIREN if the user is an active member; Body.DoesNotExist otherwise.

    Every body-scoped page starts here, so it is one plain SQL statement
    (`core.sql`) rather than ORM querysets: the body, its active services and
    the permissions of the user's roles (the two joins multiply rows; values
    are de-duplicated here). Building the equivalent querysets cost about
    1.5 ms of CPU per request, this about 0.1 ms (bench/pages.py).
    """
    if not getattr(user, "is_authenticated", False):
        raise Body.DoesNotExist
    fields = sql.reader(Body)
    tables = {
        "body": fields.table,
        "membership": Membership._meta.db_table,
        "membership_roles": Membership.roles.through._meta.db_table,
        "role": Role._meta.db_table,
        "subscription": Subscription._meta.db_table,
    }
    rows = sql.fetch_joined((fields,), (
        "JOIN {membership} m ON m.body_id = {body}.id "
        "LEFT JOIN {membership_roles} mr ON mr.membership_id = m.id "
        "LEFT JOIN {role} r ON r.id = mr.role_id "
        "LEFT JOIN {subscription} s ON s.body_id = {body}.id AND s.is_active "
        "WHERE m.user_id = %s AND m.is_active AND {body}.is_active AND {body}.siren = %s"
    ).format(**tables), [user.pk, siren], extra=("r.permissions", "s.service"))
    if not rows:
        raise Body.DoesNotExist
    permissions: set[str] = set()
    services: dict[str, None] = {}
    for _body, role_permissions, service in rows:
        if role_permissions is not None:
            permissions.update(json.loads(role_permissions) if isinstance(role_permissions, str)
                               else role_permissions)
        if service is not None:
            services[service] = None
    return BodyAccess(body=rows[0][0], permissions=frozenset(permissions), services=list(services))


def unread_notifications(*, user, body: Body, limit: int = 10) -> list[Notification]:
    """The user's newest unread notifications about this body or about no body (agent home).

    Plain SQL (`core.sql`), as every body page's `body_access_for_user`: the
    queryset cost more CPU than the statement and its ten rows.
    """
    table = Notification._meta.db_table
    user_id, read_at, body_id, created_at = (
        sql.quote(table, name) for name in ("user_id", "read_at", "body_id", "created_at"))
    return sql.reader(Notification).fetch(
        f"WHERE {user_id} = %s AND {read_at} IS NULL AND ({body_id} = %s OR {body_id} IS NULL) "
        f"ORDER BY {created_at} DESC LIMIT {int(limit)}",
        [user.pk, body.pk],
    )
