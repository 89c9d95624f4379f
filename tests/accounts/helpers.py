"""Small helpers for the accounts tests (login through the real pages, TOTP codes)."""

from datetime import datetime

import pyotp
from django.urls import reverse

from tests.factories import PASSWORD


def password_login(client, user, *, password=PASSWORD, next_url=None):
    data = {"email": user.email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def code_at(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def enable_totp(user, at: datetime) -> str:
    """Give `user` a confirmed TOTP secret, as if enrolled long ago; returns the secret."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_confirmed_at = at
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return secret
