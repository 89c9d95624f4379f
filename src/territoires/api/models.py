"""API tokens: a machine client acting as one agent, in one body only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from territoires.tenancy.models import Body


class ApiToken(models.Model):
    """A bearer token; the secret is shown once and only its SHA-256 is kept.

    The token acts as `user`, with that user's roles in `body` and nowhere
    else: a token leaked from one town hall cannot reach another body.
    """

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("préfixe"), max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("jeton d'API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
