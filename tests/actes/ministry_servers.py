"""Real local stand-ins for the ministry (@CTES), for end-to-end tests of the `ministry` transport.

- `pki_create`: a throw-away certificate authority with a server certificate
  for 127.0.0.1 and a client certificate, written as PEM files (nothing is
  committed; each test session makes its own).
- `MinistryServer`: an HTTPS server on 127.0.0.1 that demands a client
  certificate signed by its CA, like the DGCL's upload URL. It records the
  multipart files it receives and answers 200, or what the test tells it to.
- `Dovecot`: Debian's dovecot (`make test-deps` installs it) on 127.0.0.1,
  one user, a Maildir, IMAP over TLS and IMAP with STARTTLS: the return
  mailbox the ministry e-mails its answers to.

Standard library, `cryptography` and the dovecot binary only.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import getpass
import grp
import imaplib
import ipaddress
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Fixed dates: the certificates do not depend on the clock, which tests may freeze.
NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
READY_TIMEOUT = 15.0


# --- Certificates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    """PEM files of one certificate authority and the two certificates it signed."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Territoires (tests)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _leaf(common_name: str, key, ca_cert: x509.Certificate, ca_key, *, usage,
          san: list[x509.GeneralName] | None = None) -> x509.Certificate:
    """A certificate fit for OpenSSL's strict checks (Python 3.13 turns them on by default)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name)).issuer_name(ca_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def pki_create(folder: Path, label: str) -> Pki:
    """A new CA named `label`, a server certificate for 127.0.0.1/localhost and a client certificate."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"AC {label}")).issuer_name(_name(f"AC {label}"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, key_encipherment=False, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = _leaf(f"serveur {label}", server_key, ca_cert, ca_key, usage=ExtendedKeyUsageOID.SERVER_AUTH,
                        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")])
    client_key = ec.generate_private_key(ec.SECP256R1())
    client_cert = _leaf(f"client {label}", client_key, ca_cert, ca_key, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
    pki = Pki(ca_cert=folder / "ca.pem", server_cert=folder / "serveur.pem", server_key=folder / "serveur.key",
              client_cert=folder / "client.pem", client_key=folder / "client.key")
    for cert, path in ((ca_cert, pki.ca_cert), (server_cert, pki.server_cert), (client_cert, pki.client_cert)):
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(server_key, pki.server_key)
    _write_key(client_key, pki.client_key)
    return pki


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- The ministry's HTTPS upload URL ----------------------------------------------------


@dataclass(frozen=True)
class ReceivedFile:
    field: str
    filename: str
    content_type: str
    data: bytes
    client: str  # common name of the client certificate that sent it


def multipart_files(body: bytes, content_type: str) -> list[tuple[str, str, str, bytes]]:
    """(field name, file name, content type, bytes) of each part of a multipart/form-data body.

    Split on the delimiter itself (RFC 2046: CRLF "--" boundary), so the
    content comes back byte for byte, whatever bytes a gzip stream holds.
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise ValueError(f"not multipart/form-data: {content_type!r}")
    delimiter = b"\r\n--" + match.group(1).encode("ascii")
    chunks = (b"\r\n" + body).split(delimiter)
    found = []
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):  # the close delimiter
            break
        head, separator, content = chunk.partition(b"\r\n\r\n")
        if not separator:
            raise ValueError("part without a blank line after its headers")
        headers = email.message_from_bytes(head.lstrip(b"\r\n") + b"\r\n\r\n", policy=email.policy.HTTP)
        found.append((headers.get_param("name", header="content-disposition") or "",
                      headers.get_filename() or "", headers.get_content_type(), content))
    return found


class _UploadHandler(BaseHTTPRequestHandler):
    server: _TLSServer
    timeout = 10  # a client that never finishes its handshake does not hold a thread forever

    def setup(self) -> None:
        # The handshake runs here, in the request's thread, before any file object
        # holds the socket open: a client without an acceptable certificate fails
        # it, never reaches do_POST, and the socket is closed at once.
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        owner: MinistryServer = self.server.owner
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        subject = dict(item[0] for item in self.request.getpeercert()["subject"])
        status, answer = owner.status, owner.body
        try:
            for name, filename, ctype, data in multipart_files(body, self.headers.get("Content-Type", "")):
                received = ReceivedFile(name, filename, ctype, data, subject.get("commonName", ""))
                owner.received.append(received)
                if status == 200 and owner.on_receive is not None:
                    owner.on_receive(received)
        except Exception as error:  # recorded for the test, answered as a server error
            owner.errors.append(error)
            status, answer = 500, f"erreur du serveur de test : {error}"
        payload = answer.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


class _TLSServer(ThreadingMixIn, HTTPServer):
    daemon_threads = False  # server_close() joins the request threads: nothing outlives the test
    allow_reuse_address = False
    owner: MinistryServer

    def get_request(self):
        raw, address = self.socket.accept()
        try:
            return self.owner.context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False), address
        except BaseException:
            raw.close()
            raise

    def handle_error(self, request, client_address) -> None:
        import sys

        self.owner.errors.append(sys.exc_info()[1])


@dataclass
class MinistryServer:
    """The DGCL's upload URL: HTTPS, client certificate required, one archive per multipart POST.

    Set `status`/`body` to answer something else than 200; `on_receive` is
    called with each file received (when answering 200), before the answer.
    """

    pki: Pki
    status: int = 200
    body: str = "OK"
    on_receive: Callable[[ReceivedFile], None] | None = None
    received: list[ReceivedFile] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(self.pki.server_cert, self.pki.server_key)
        self.context.load_verify_locations(self.pki.ca_cert)
        self.context.verify_mode = ssl.CERT_REQUIRED
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._server.server_port}/actes/depot"

    def start(self) -> MinistryServer:
        self._server = _TLSServer(("127.0.0.1", 0), _UploadHandler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="ministere-https")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)


# --- The return mailbox: dovecot ----------------------------------------------------------


@dataclass
class Dovecot:
    """A private dovecot: its own config, sockets, Maildir and log under `folder`.

    Run as the current user when it is not root. As root (containers, CI),
    dovecot refuses root for login and mail processes: logins run as
    `dovenull` and mail as `dovecot` (users of the Debian package), the mail
    process chrooted into `folder/mail` so it needs no access to the
    (private) folders above it.
    """

    folder: Path
    ca: Path
    user: str = "actes"
    password: str = "mot-de-passe-imap"
    imaps_port: int = 0
    imap_port: int = 0
    process: subprocess.Popen | None = None

    @property
    def conf(self) -> Path:
        return self.folder / "dovecot.conf"

    @property
    def log(self) -> Path:
        return self.folder / "dovecot.log"

    def _users(self) -> tuple[str, str, str, int, int]:
        """(internal user, its group, login user, mail uid, mail gid)."""
        if os.geteuid() != 0:
            me, group = getpass.getuser(), grp.getgrgid(os.getegid()).gr_name
            return me, group, me, os.geteuid(), os.getegid()
        login = "dovenull" if _user_exists("dovenull") else "nobody"
        mail = pwd.getpwnam("dovecot" if _user_exists("dovecot") else "nobody")
        return "root", "root", login, mail.pw_uid, mail.pw_gid

    def write_config(self, pki: Pki) -> None:
        internal, internal_group, login, uid, gid = self._users()
        mail_root = self.folder / "mail"
        home = mail_root / self.user
        home.mkdir(parents=True, exist_ok=True)
        (self.folder / "run").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            os.chown(home, uid, gid)
            home_field, chroot = f"{mail_root}/./{self.user}", f"valid_chroot_dirs = {mail_root}"
        else:
            home_field, chroot = str(home), ""
        passwd = self.folder / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{home_field}::\n")
        passwd.chmod(0o600)
        self.conf.write_text(f"""\
# Written by tests/actes/ministry_servers.py; no system configuration is read.
protocols = imap
listen = 127.0.0.1
base_dir = {self.folder / "run"}
state_dir = {self.folder / "run"}
instance_name = territoires-tests-{self.folder.name}
log_path = {self.log}
info_log_path = {self.log}
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
first_valid_gid = 1
{chroot}
ssl = yes
ssl_cert = <{pki.server_cert}
ssl_key = <{pki.server_key}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
# A test logs in with a wrong password on purpose: no delay for it, and no
# penalty for the next logins (the anvil-auth-penalty listener is off below).
auth_failure_delay = 0
disable_plaintext_auth = yes
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {passwd}
}}
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
""")

    def start(self, pki: Pki) -> Dovecot:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("dovecot introuvable : lancez `make test-deps` (paquet Debian dovecot-imapd).")
        for _attempt in range(3):  # a free port may be taken between the probe and dovecot's bind
            self.imaps_port, self.imap_port = free_port(), free_port()
            self.write_config(pki)
            with (self.folder / "stderr").open("ab") as err:
                self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                    [binary, "-F", "-c", str(self.conf)], stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                )
            if self._wait_ready():
                return self
            self.stop()
        raise RuntimeError(f"dovecot n'a pas démarré.\n{self.diagnostics()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            if all(_listening(port) for port in (self.imaps_port, self.imap_port)):
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its children before exiting
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def diagnostics(self) -> str:
        texts = [path.read_text(errors="replace") for path in (self.folder / "stderr", self.log) if path.exists()]
        return "\n".join(texts)

    # Client side, as the ministry's mail server (delivery) and as a person looking at the box.

    def connect(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.ca))
        imap = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=context, timeout=10)
        try:
            imap.login(self.user, self.password)
            imap.select("INBOX")
        except BaseException:
            imap.shutdown()
            raise
        return imap

    def deliver(self, raw: bytes) -> None:
        """Put one e-mail into the INBOX (IMAP APPEND), as the mail server would."""
        imap = self.connect()
        try:
            status, data = imap.append("INBOX", None, None, raw)
            assert status == "OK", data
        finally:
            imap.logout()

    def messages(self) -> list[tuple[str, set[str], bytes]]:
        """(uid, flags, raw) of every message still in the INBOX, deleted-flagged ones included."""
        imap = self.connect()
        try:
            _status, data = imap.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _status, parts = imap.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                head, raw = next(part for part in parts if isinstance(part, tuple))
                flags = set(re.search(rb"FLAGS \(([^)]*)\)", head).group(1).decode().split())
                found.append((uid.decode(), flags, raw))
            return found
        finally:
            imap.logout()

    def empty(self) -> None:
        imap = self.connect()
        try:
            _status, data = imap.uid("SEARCH", None, "ALL")
            if data[0]:
                imap.uid("STORE", b",".join(data[0].split()), "+FLAGS.SILENT", "(\\Deleted)")
                imap.expunge()
        finally:
            imap.logout()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


# --- What the prefecture answers ----------------------------------------------------------


def answer_mails(name: str, data: bytes, *, today: dt.date, reference_dir: Path, to: str) -> list[bytes]:
    """The e-mails (RFC 822 bytes) the prefecture sends back for archive `name`.

    The built-in simulator's pure functions decide the answer and pack it;
    only the way it travels differs (here: e-mail into a real IMAP box).
    """
    from territoires.actes import simulator

    emitter, answers = simulator.answers(name, data, today=today, reference_dir=reference_dir)
    mails = []
    for answer in answers:
        archive_name, archive = simulator._answer_archive(answer, emitter, today)
        sent_at = dt.datetime.combine(today, dt.time(12), tzinfo=dt.UTC)
        mails.append(simulator._mail(archive_name, archive, to, sent_at).as_bytes())
    return mails
