"""Rate limits counted in the database (`core.throttle`), and the visitor's address behind proxies."""

from datetime import UTC, datetime, timedelta

from django.test import RequestFactory

from territoires.core.models import ThrottleWindow
from territoires.core.throttle import client_address, throttle_forget, throttle_hit

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_uses_are_counted_per_key_and_window():
    hour = timedelta(hours=1)
    assert [throttle_hit("a", limit=2, per=hour, now=NOON + timedelta(minutes=m)) for m in (0, 10, 20)] == [
        True, True, False]
    assert throttle_hit("b", limit=2, per=hour, now=NOON)  # another key counts apart
    assert throttle_hit("a", limit=2, per=hour, now=NOON + timedelta(minutes=61))  # the next window
    assert ThrottleWindow.objects.get(key="a", start=NOON).count == 3


def test_old_windows_are_forgotten():
    throttle_hit("a", limit=1, per=timedelta(hours=1), now=NOON)
    throttle_hit("a", limit=1, per=timedelta(hours=1), now=NOON + timedelta(days=2))
    assert throttle_forget(now=NOON + timedelta(days=2)) == 1
    assert ThrottleWindow.objects.count() == 1


def test_client_address_trusts_only_the_configured_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_address(request) == "10.0.0.2"  # no proxy configured: the header is the visitor's
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.9"  # what our proxy saw, not what the visitor wrote
    settings.TRUSTED_PROXIES = 3  # fewer addresses than proxies: something is wrong, keep the socket's
    assert client_address(request) == "10.0.0.2"
