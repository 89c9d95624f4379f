"""TOTP arithmetic (RFC 6238) and the enrolment QR code; no database access here.

Codes are checked against explicit time-steps (counters) rather than with
`pyotp.TOTP.verify`, because the caller needs the matching counter to refuse
a code whose time-step was already used (replay within its 30 s window).
"""

import hmac
from datetime import datetime

import pyotp
import segno

ISSUER = "Territoires"
DIGITS = 6
# Accept the previous and the next time-step: phone clocks drift.
WINDOW = 1


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(*, secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI, usable in <img src> under the strict CSP."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    """The secret in blocks of four, easier to type into an application by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_counter(*, secret: str, code: str, at: datetime) -> int | None:
    """The time-step whose code equals `code` within the window, else None."""
    if not secret or len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at)
    for counter in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None
