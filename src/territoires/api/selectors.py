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
    This runs on every API call, so it is plain SQL (as the body pages'
    `body_access_for_user`): the ORM queryset cost about 1 ms of CPU.
    """
    tables = {
        "token": ApiToken._meta.db_table,
        "user": User._meta.db_table,
        "body": Body._meta.db_table,
        "membership": Membership._meta.db_table,
    }
    statement = (  # noqa: S608 (table names come from the models; values are parameters)
        "SELECT t.* FROM {token} t "
        "JOIN {user} u ON u.id = t.user_id "
        "JOIN {body} b ON b.id = t.body_id "
        "JOIN {membership} m ON m.user_id = t.user_id AND m.body_id = t.body_id "
        "WHERE t.token_hash = %s AND t.revoked_at IS NULL "
        "AND u.is_active AND b.is_active AND m.is_active"
    ).format(**tables)
    token = next(iter(ApiToken.objects.raw(statement, [secret_hash(secret)])), None)
    if token is None:
        return None
    token.user = sql.by_pk(User, token.user_id)
    token.body = sql.by_pk(Body, token.body_id)
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
