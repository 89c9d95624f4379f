"""Reads of API tokens, and the bodies an API caller may see."""

from django.db.models import QuerySet

from territoires.accounts.models import User
from territoires.api.models import ApiToken
from territoires.api.services import secret_hash
from territoires.tenancy.models import Body, Membership
from territoires.tenancy.selectors import bodies_for_user


def api_tokens_of_body(*, body: Body) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(body=body).select_related("user", "created_by")


def api_token_resolve(*, secret: str) -> ApiToken | None:
    """The usable token for this secret, or None.

    Usable means: not revoked, its user active, and still an active member
    of an active body — removing an agent silences their tokens too.
    """
    token = (
        ApiToken.objects.select_related("user", "body")
        .filter(token_hash=secret_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or not token.body.is_active:
        return None
    if not Membership.objects.filter(user=token.user, body=token.body, is_active=True).exists():
        return None
    return token


def api_bodies(*, user, token: ApiToken | None) -> QuerySet[Body]:
    """Bodies visible to an API caller: the token's body only, or the session user's bodies."""
    bodies = bodies_for_user(user=user)
    if token is not None:
        bodies = bodies.filter(pk=token.body_id)
    return bodies.prefetch_related("subscriptions")


def body_members(*, body: Body) -> QuerySet[User]:
    """Active agents of a body, candidates for a token's user."""
    return User.objects.filter(
        is_active=True, memberships__body=body, memberships__is_active=True
    ).order_by("last_name", "email")
