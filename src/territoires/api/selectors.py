"""Reads of API tokens, and the bodies an API caller may see."""

from django.db.models import F, QuerySet

from territoires.accounts.models import User
from territoires.api.models import ApiToken
from territoires.api.services import secret_hash
from territoires.tenancy.models import Body
from territoires.tenancy.selectors import bodies_for_user


def api_tokens_of_body(*, body: Body) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(body=body).select_related("user", "created_by")


def api_token_resolve(*, secret: str) -> ApiToken | None:
    """The usable token for this secret, or None (one query: it runs on every API call).

    Usable means: not revoked, its user active, and still an active member
    of an active body — removing an agent silences their tokens too.
    """
    return (
        ApiToken.objects.select_related("user", "body")
        .filter(
            token_hash=secret_hash(secret),
            revoked_at__isnull=True,
            user__is_active=True,
            body__is_active=True,
            body__memberships__user=F("user"),
            body__memberships__is_active=True,
        )
        .first()
    )


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
