"""Posting an archive to the ministry, or to the built-in simulator.

Both speak the same HTTP: a multipart POST whose single file field is named
after the archive (as S²LOW's `ActesMinistereClient` does), success being
HTTP 200. The ministry additionally requires a client certificate. Answers
never come back on this connection: they arrive later by e-mail (see
`actes.inbox`).
"""

import ssl

import requests
from django.conf import settings
from django.utils.translation import gettext as _

CONNECT_TIMEOUT = 60
READ_TIMEOUT = 180


class TransportError(Exception):
    """The archive was not accepted; `str()` is the message to show, word for word."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


def _target() -> tuple[str, dict]:
    if settings.ACTES_TRANSPORT == "ministry":
        if not (settings.ACTES_MINISTRY_URL and settings.ACTES_CLIENT_CERT and settings.ACTES_CLIENT_KEY):
            raise TransportError(
                _("La télétransmission vers le ministère n'est pas configurée (URL ou certificat client manquant)."),
                retryable=False,
            )
        _check_tls_files()
        options = {"cert": (settings.ACTES_CLIENT_CERT, settings.ACTES_CLIENT_KEY)}
        options["verify"] = settings.ACTES_SERVER_CA or True
        return settings.ACTES_MINISTRY_URL, options
    return settings.ACTES_SIMULATOR_URL, {}


def _check_tls_files() -> None:
    """Load the certificate files before any connection: a wrong path or file is a final, clear error.

    (Given to requests as they are, a missing file raises a bare `OSError`
    that no caller expects, and an encrypted key would prompt on a terminal.)
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_cert_chain(settings.ACTES_CLIENT_CERT, settings.ACTES_CLIENT_KEY, password=lambda: b"")
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        raise TransportError(
            _("Certificat client ou clé privée illisible (%(cert)s, %(key)s) : %(detail)s")
            % {"cert": settings.ACTES_CLIENT_CERT, "key": settings.ACTES_CLIENT_KEY, "detail": error},
            retryable=False,
        ) from error
    if settings.ACTES_SERVER_CA:
        try:
            context.load_verify_locations(settings.ACTES_SERVER_CA)
        except (OSError, ValueError) as error:
            raise TransportError(
                _("Autorité de certification du ministère illisible (%(path)s) : %(detail)s")
                % {"path": settings.ACTES_SERVER_CA, "detail": error},
                retryable=False,
            ) from error


# TLS alerts by which a server turns down the certificate we presented.
CLIENT_CERTIFICATE_REFUSED = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED", "TLSV1_ALERT_UNKNOWN_CA", "TLSV1_ALERT_ACCESS_DENIED",
    "SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "SSLV3_ALERT_CERTIFICATE_EXPIRED",
    "SSLV3_ALERT_CERTIFICATE_REVOKED", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
}


def _ssl_cause(error: BaseException) -> ssl.SSLError | None:
    """The `ssl.SSLError` under requests' and urllib3's wrappers, if any."""
    seen, todo = set(), [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return current
        links = (getattr(current, "reason", None), current.__cause__, current.__context__, *current.args)
        todo.extend(link for link in links if isinstance(link, BaseException))
    return None


def _tls_message(error: requests.exceptions.SSLError) -> str:
    cause = _ssl_cause(error)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return _("Connexion sécurisée refusée : le certificat du serveur n'est pas reconnu (%(detail)s).") % {
            "detail": cause.verify_message or cause.reason}
    if cause is not None and cause.reason in CLIENT_CERTIFICATE_REFUSED:
        return _("Connexion sécurisée refusée : le serveur du ministère a refusé notre certificat client "
                 "(%(detail)s).") % {"detail": cause.reason}
    return _("Connexion sécurisée refusée : %(detail)s") % {"detail": cause or error}


def archive_post(name: str, data: bytes) -> None:
    """POST one archive; raise `TransportError` unless the other side took it."""
    url, options = _target()
    try:
        response = requests.post(
            url,
            files={name: (name, data, "application/x-gzip")},
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            **options,
        )
    except requests.exceptions.SSLError as error:
        raise TransportError(_tls_message(error)) from error
    except requests.RequestException as error:
        raise TransportError(_("Serveur de la préfecture injoignable : %(detail)s") % {"detail": error}) from error
    if response.status_code != 200:
        detail = response.text.strip()[:2000] or response.reason
        # 4xx means the archive itself is refused: sending it again changes nothing.
        raise TransportError(
            _("Refus du serveur (HTTP %(code)s) : %(detail)s") % {"code": response.status_code, "detail": detail},
            retryable=response.status_code >= 500 or response.status_code == 429,
        )
