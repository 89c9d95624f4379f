"""Platform-wide models that belong to no single service."""

import uuid

from django.conf import settings
from django.db import models


class StoredFile(models.Model):
    """An immutable file, stored once under the SHA-256 of its content.

    Acts, archives, notices and bids all reference files through this table,
    so a document's integrity can be proven later (the hash is kept beside
    the bytes) and identical uploads share one copy. Rows are never updated.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=100)
    content = models.FileField(upload_to="files/", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]} ({self.size} o)"

    def read(self) -> bytes:
        with self.content.open("rb") as handle:
            return handle.read()


class PeriodicJob(models.Model):
    """When a periodic task (`core.schedule.periodic`) is next due.

    Several workers run the clock; a conditional UPDATE on this row decides
    which of them enqueues a due job, so it is enqueued once per period.
    """

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)


class Lease(models.Model):
    """A named, expiring lock shared by every process (`core.leases`)."""

    name = models.CharField(max_length=100, primary_key=True)
    until = models.DateTimeField()


class Upload(models.Model):
    """A file arriving in pieces, so that an interrupted upload resumes where it stopped
    (`core.uploads`, the tus 1.0 protocol's core): large DCE files, later bids.

    Pieces are kept in the file storage (shared by every web process) under the names
    in `chunks`, written in the same transaction as `offset`; the finished file is
    claimed once by the form it was sent for, then the row and its pieces go.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=50)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    chunks = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["updated_at"])]

    @property
    def complete(self) -> bool:
        return self.offset == self.length


class ThrottleWindow(models.Model):
    """How many times `key` was used in the window starting at `start` (`core.throttle`)."""

    key = models.CharField(max_length=200)
    start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "start"], name="throttle_window_unique")]
        indexes = [models.Index(fields=["start"])]
