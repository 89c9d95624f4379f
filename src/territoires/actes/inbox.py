"""Reading the ministry's answers from a mailbox.

The ministry e-mails its archives (AR, anomalies, letters) to the operator's
return address. In production that mailbox is read over IMAP; the simulator
"e-mails" its answers into a local Maildir instead. Both yield the same raw
RFC 822 messages to the same inbound path (`actes.inbound`), so the code that
handles a real AR is the code the demo and the tests run.

A message is deleted from the mailbox only after its archives are stored
(`done`), so a crash between reading and storing loses nothing: the message
is read again next time, and storing is idempotent.

An e-mail without any archive attached (a notice written by a person, a
bounce) is not the platform's to handle: the IMAP box leaves it where it is,
undeleted and unread, for whoever looks after the mailbox, and logs a
warning at each poll until someone removes it. (The simulator's box only
ever holds archives.)
"""

import email
import email.policy
import imaplib
import logging
import mailbox
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

AVAILABLE_HEADER = "X-Simulateur-Disponible"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz")


def archive_attachments(raw: bytes) -> list[tuple[str, bytes]]:
    """The .tar.gz attachments of an e-mail, with their file names."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found = []
    for part in message.walk():
        name = part.get_filename() or ""
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            found.append((Path(name).name, part.get_payload(decode=True) or b""))
    return found


def maildir_open(path: Path) -> mailbox.Maildir:
    """The Maildir at `path`, created whole if needed.

    `mailbox.Maildir(create=True)` only creates tmp/new/cur along with a
    missing folder: a folder that exists but is empty stays unusable.
    """
    for sub in ("tmp", "new", "cur"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(path, create=False)


class MaildirInbox:
    """The simulator's mailbox; a message becomes visible at its `X-Simulateur-Disponible` time."""

    def __init__(self, path: Path) -> None:
        self.box = maildir_open(path)
        # The earliest time a message still hidden becomes available, after `messages()`.
        self.next_available: datetime | None = None

    def messages(self) -> Iterator[tuple[str, bytes]]:
        now = timezone.now()
        for key in sorted(self.box.keys()):
            try:
                raw = self.box.get_bytes(key)
            except KeyError:  # another worker took it meanwhile
                continue
            available = email.message_from_bytes(raw).get(AVAILABLE_HEADER)
            if available and (due := datetime.fromisoformat(available)) > now:
                self.next_available = min(due, self.next_available or due)
                continue
            yield key, raw

    def done(self, key: str) -> None:
        self.box.discard(key)

    def close(self) -> None:
        self.box.close()


class ImapInbox:
    """The operator's return mailbox at the ministry's side, over IMAP (TLS or STARTTLS)."""

    next_available = None  # the ministry's mail is there when it is there

    def __init__(self) -> None:
        # The mailbox's own CA when set (a private mail server), else the system's.
        context = ssl.create_default_context(cafile=settings.ACTES_IMAP_CA or None)
        if settings.ACTES_IMAP_SSL:
            self.imap = imaplib.IMAP4_SSL(settings.ACTES_IMAP_HOST, settings.ACTES_IMAP_PORT,
                                          ssl_context=context, timeout=60)
        else:
            self.imap = imaplib.IMAP4(settings.ACTES_IMAP_HOST, settings.ACTES_IMAP_PORT, timeout=60)
        try:
            if not settings.ACTES_IMAP_SSL:
                self.imap.starttls(ssl_context=context)
            self.imap.login(settings.ACTES_IMAP_USER, settings.ACTES_IMAP_PASSWORD)
            status, detail = self.imap.select(settings.ACTES_IMAP_MAILBOX)
            if status != "OK":
                raise imaplib.IMAP4.error(f"Dossier IMAP {settings.ACTES_IMAP_MAILBOX!r} inaccessible : {detail}")
        except BaseException:
            # A refused login or an unknown folder must not leave the connection open
            # (`inbox_open` only closes boxes that opened).
            with suppress(OSError):  # a failed STARTTLS already took the socket
                self.imap.shutdown()
            raise

    def messages(self) -> Iterator[tuple[str, bytes]]:
        _status, data = self.imap.uid("SEARCH", None, "UNDELETED")
        for uid in data[0].split():
            _status, parts = self.imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
            if raw is None:
                continue
            if not archive_attachments(raw):
                logger.warning("E-mail %s of the return mailbox has no archive: left there for a person.",
                               uid.decode())
                continue
            yield uid.decode(), raw

    def done(self, key: str) -> None:
        self.imap.uid("STORE", key, "+FLAGS", "(\\Deleted)")

    def close(self) -> None:
        try:
            self.imap.expunge()
            self.imap.close()
        finally:
            self.imap.logout()


@contextmanager
def inbox_open():
    """The configured mailbox: the simulator's Maildir, or IMAP for the ministry."""
    if settings.ACTES_TRANSPORT == "ministry":
        box = ImapInbox()
    else:
        box = MaildirInbox(settings.ACTES_SIMULATOR_DIR / "courriels")
    try:
        yield box
    finally:
        box.close()
