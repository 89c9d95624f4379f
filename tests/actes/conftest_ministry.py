"""Fixtures for the `ministry` transport: a real HTTPS upload server and a real IMAP mailbox.

Import them by name in the test module (they are not registered globally).
See `tests/actes/ministry_servers.py` for the servers themselves.
"""

import pytest

from tests.actes.ministry_servers import Dovecot, MinistryServer, pki_create


@pytest.fixture(scope="session")
def ministry_pki(tmp_path_factory):
    """The DGCL's CA: it signs the upload server, the IMAP server and our client certificate."""
    return pki_create(tmp_path_factory.mktemp("pki-ministere"), "ministère (tests)")


@pytest.fixture(scope="session")
def foreign_pki(tmp_path_factory):
    """Another CA, unknown to the servers and to us."""
    return pki_create(tmp_path_factory.mktemp("pki-inconnue"), "inconnue (tests)")


@pytest.fixture
def ministry_server(ministry_pki, settings):
    """The upload URL, with the platform configured to post there with its client certificate."""
    server = MinistryServer(ministry_pki).start()
    settings.ACTES_TRANSPORT = "ministry"
    settings.ACTES_MINISTRY_URL = server.url
    settings.ACTES_CLIENT_CERT = str(ministry_pki.client_cert)
    settings.ACTES_CLIENT_KEY = str(ministry_pki.client_key)
    settings.ACTES_SERVER_CA = str(ministry_pki.ca_cert)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dovecot_server(tmp_path_factory, ministry_pki):
    """One dovecot for the session (it takes about a second to start); stopped at the end."""
    server = Dovecot(folder=tmp_path_factory.mktemp("dovecot"), ca=ministry_pki.ca_cert)
    server.start(ministry_pki)
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot_server, settings):
    """The return mailbox, empty, and the platform configured to read it over IMAP (TLS)."""
    dovecot_server.empty()
    settings.ACTES_TRANSPORT = "ministry"
    settings.ACTES_IMAP_HOST = "127.0.0.1"
    settings.ACTES_IMAP_PORT = dovecot_server.imaps_port
    settings.ACTES_IMAP_SSL = True
    settings.ACTES_IMAP_USER = dovecot_server.user
    settings.ACTES_IMAP_PASSWORD = dovecot_server.password
    settings.ACTES_IMAP_MAILBOX = "INBOX"
    settings.ACTES_IMAP_CA = str(dovecot_server.ca)
    yield dovecot_server
    assert dovecot_server.process.poll() is None, dovecot_server.diagnostics()
