"""Named leases: one process at a time does a job, and a dead holder's lease expires.

Used where two workers doing the same thing at once would only waste work
(reading the same mailbox, say); correctness never depends on a lease alone.
"""

from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from territoires.core.models import Lease


def lease_acquire(name: str, ttl: timedelta) -> bool:
    now = timezone.now()
    if Lease.objects.filter(name=name, until__lt=now).update(until=now + ttl):
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, until=now + ttl)
    except IntegrityError:
        return False  # someone holds it
    return True


def lease_release(name: str) -> None:
    Lease.objects.filter(name=name).update(until=timezone.now() - timedelta(seconds=1))


@contextmanager
def leased(name: str, ttl: timedelta):
    """Yield True while holding the lease, False (without waiting) when another process holds it."""
    held = lease_acquire(name, ttl)
    try:
        yield held
    finally:
        if held:
            lease_release(name)
