"""Reads of API tokens, and the bodies an API caller may see."""

from django.db.models import QuerySet

from territoires.accounts.models import User
from territoires.api.models import ApiToken
from territoires.api.services import secret_hash
from territoires.core import sql
from territoires.tenancy.models import Body, Membership
from territoires.tenancy.selectors import bodies_for_user


def api_tokens_of_body(*, body: Body) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(body=body).select_related("user", "created_by")


def api_token_resolve(*, secret: str) -> ApiToken | None:
    """The usable token for this secret, with its user and body, or None.

    Usable means: not revoked, its user active, and still an active member
    of an active body — removing an agent silences their tokens too.
    This runs on every API call, so it is one plain statement (`core.sql`)
    reading the token, its user and its body together: the ORM querysets
    cost about 1 ms of CPU.
    """
    readers = (sql.reader(ApiToken), sql.reader(User), sql.reader(Body))
    tables = {
        "token": readers[0].table,
        "user": readers[1].table,
        "body": readers[2].table,
        "membership": Membership._meta.db_table,
    }
    found = sql.fetch_joined(readers, (
        "JOIN {user} ON {user}.id = {token}.user_id "
        "JOIN {body} ON {body}.id = {token}.body_id "
        "JOIN {membership} m ON m.user_id = {token}.user_id AND m.body_id = {token}.body_id "
        "WHERE {token}.token_hash = %s AND {token}.revoked_at IS NULL "
        "AND {user}.is_active AND {body}.is_active AND m.is_active"
    ).format(**tables), [secret_hash(secret)])
    if not found:
        return None
    token, user, body = found[0]
    token.user, token.body = user, body
    return token


def api_bodies(*, user, token: ApiToken | None) -> QuerySet[Body]:
    """Bodies visible to an API caller: the token's body only, or the session user's bodies."""
    if token is not None:  # api_token_resolve checked the membership and the body
        bodies = Body.objects.filter(pk=token.body_id)
    else:
        bodies = bodies_for_user(user=user)
    return bodies.prefetch_related("subscriptions")


def body_members(*, body: Body) -> QuerySet[User]:
    """Active agents of a body, candidates for a token's user."""
    return User.objects.filter(
        is_active=True, memberships__body=body, memberships__is_active=True
    ).order_by("last_name", "email")
