"""Rate limits shared by every process: so many uses of a key per window, counted in the database.

For what anonymous visitors can make the platform do at a cost: each SIRET looked
up at registration is a call to API Entreprise, whose quota the whole region
shares. Counters live in the database (not a per-process cache) so that several
web processes enforce one limit; fixed windows are enough for this purpose.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from territoires.core.models import ThrottleWindow


def _window_start(now: datetime, per: timedelta) -> datetime:
    seconds = int(per.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def throttle_hit(key: str, *, limit: int, per: timedelta, now: datetime | None = None) -> bool:
    """Count one use of `key`; whether it stays within `limit` uses per `per` window."""
    start = _window_start(now or timezone.now(), per)
    key = key[:200]
    for _attempt in range(2):
        if ThrottleWindow.objects.filter(key=key, start=start).update(count=F("count") + 1):
            break
        try:
            with transaction.atomic():
                ThrottleWindow.objects.create(key=key, start=start, count=1)
            break
        except IntegrityError:
            continue  # another process created the window meanwhile: count in it
    return ThrottleWindow.objects.get(key=key, start=start).count <= limit


def throttle_forget(now: datetime | None = None) -> int:
    """Delete windows older than a day (the longest window used); return how many."""
    deleted, _ = ThrottleWindow.objects.filter(start__lt=(now or timezone.now()) - timedelta(days=1)).delete()
    return deleted


def client_address(request) -> str:
    """The visitor's IP address: REMOTE_ADDR, or behind TRUSTED_PROXIES reverse proxies the address
    the outermost trusted proxy saw (X-Forwarded-For read from the right, never from the left,
    which the visitor writes)."""
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
