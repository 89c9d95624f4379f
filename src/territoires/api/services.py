"""Creating and revoking API tokens: the only writes on `ApiToken`."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.accounts.models import User
from territoires.api.models import ApiToken
from territoires.journal.services import journal_record
from territoires.tenancy import access
from territoires.tenancy.models import Body, Membership

SECRET_PREFIX = "trt"  # noqa: S105 (not a secret)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    """`trt_<prefix>_<random>`: the prefix lets agents recognise a token in lists and logs."""
    prefix = secrets.token_hex(4)
    return prefix, f"{SECRET_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def api_token_create(*, actor, body: Body, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token acting as `user` in `body`; returns it with its clear secret.

    `actor=None` is the operator's command. The secret leaves this function
    once: the database keeps its hash only.
    """
    if actor is not None:
        access.require_perm(actor, body, "body.manage_api_tokens")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au jeton, par exemple le logiciel qui l'utilise.")})
    if len(name) > 100:
        raise ValidationError({"name": _("Le nom du jeton ne doit pas dépasser 100 caractères.")})
    if not user.is_active or not Membership.objects.filter(
        user=user, body=body, is_active=True, body__is_active=True
    ).exists():
        raise ValidationError({"user": _("Cette personne n'est pas agent actif de l'organisme.")})
    with transaction.atomic():
        prefix, secret = _new_secret()
        token = ApiToken.objects.create(
            body=body,
            user=user,
            name=name,
            prefix=prefix,
            token_hash=secret_hash(secret),
            created_by=actor,
        )
        journal_record(
            actor=actor,
            action="api_token.create",
            body=body,
            target=token,
            summary=f"{name} ({prefix})",
            payload={"user": user.email, "name": name, "prefix": prefix},
        )
    return token, secret


def api_token_revoke(*, actor, token: ApiToken) -> None:
    """Revoke at once; revoking twice is harmless (idempotent for double clicks)."""
    if actor is not None:
        access.require_perm(actor, token.body, "body.manage_api_tokens")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            return
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        journal_record(
            actor=actor,
            action="api_token.revoke",
            body=token.body,
            target=token,
            summary=f"{token.name} ({token.prefix})",
        )


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute, so busy clients do not write on every call."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
