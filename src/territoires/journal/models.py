"""Append-only, hash-chained audit journal.

Each entry stores the hash of the previous one; `entry_hash` covers every
field, so altering, inserting or deleting a row breaks the chain, which
`territoires journal verify` detects. Rows are never updated by the ORM.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the chain stays verifiable even if the user row goes.
    actor_label = models.CharField(max_length=254, blank=True)
    body = models.ForeignKey(
        "tenancy.Body", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=100, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    payload_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name = _("entrée du journal")
        indexes = [models.Index(fields=["body", "seq"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Journal entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Journal entries are append-only")


class JournalHead(models.Model):
    """One row locked while appending, so concurrent writers chain in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
