"""Resumable uploads: a large file goes in pieces, and an interrupted upload resumes where it stopped.

A buyer's DCE file may weigh hundreds of megabytes, sent from a town hall's
ADSL line: a single POST that fails at 90 % starts again from zero. Here the
browser (`ui/uploads.js`) sends pieces; after a cut, it asks how much arrived
and sends the rest, even after the page is reloaded and the file chosen again.

The protocol is the core of tus 1.0 (creation, HEAD for the offset, PATCH to
append, DELETE), so any tus client works too. The form the file is for then
claims the finished upload by its id (`upload_claim`) instead of receiving the
bytes; without JavaScript the form's plain file field still works.

What a piece of the platform accepts is declared once with `register_purpose`:
who may upload, and how large a file may be. Unfinished or unclaimed uploads
are deleted after UPLOAD_EXPIRY (`uploads_expire`, hourly).
"""

import contextlib
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.core.models import Upload

CHUNK_MAX_BYTES = 8 * 1024 * 1024  # largest piece one PATCH may carry
OPEN_PER_USER = 10  # unfinished uploads one person may have at once
UPLOAD_EXPIRY = timedelta(hours=24)
_READ_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Purpose:
    max_bytes: Callable[[], int]
    allowed: Callable[[object], bool]  # user → may they upload for this purpose at all


PURPOSES: dict[str, Purpose] = {}


def register_purpose(name: str, *, max_bytes: Callable[[], int], allowed: Callable[[object], bool]) -> None:
    """Declare what a service accepts (called from its AppConfig.ready)."""
    PURPOSES[name] = Purpose(max_bytes=max_bytes, allowed=allowed)


class UploadError(Exception):
    """A refusal with its HTTP status and a French message; `offset` when the client must resync."""

    def __init__(self, status: int, message: str, *, offset: int | None = None):
        super().__init__(message)
        self.status, self.message, self.offset = status, message, offset


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def upload_create(user, *, purpose: str, filename: str, content_type: str, length: int) -> Upload:
    """Open an upload of `length` bytes; refused beyond the purpose's limit or the open uploads' cap."""
    spec = PURPOSES.get(purpose)
    if spec is None:
        raise UploadError(400, _("Type de téléversement inconnu."))
    if not spec.allowed(user):
        raise UploadError(403, _("Vous n'avez pas le droit de téléverser ce document."))
    filename = (filename or "").replace("/", "_").replace("\\", "_").strip()[:200]
    if not filename:
        raise UploadError(400, _("Le fichier n'a pas de nom."))
    if length <= 0:
        raise UploadError(400, _("Le fichier est vide."))
    if length > spec.max_bytes():
        raise UploadError(413, _("Le fichier dépasse la taille maximale de %(n)s Mo.")
                          % {"n": _megabytes(spec.max_bytes())})
    if Upload.objects.filter(owner=user, updated_at__gte=timezone.now() - UPLOAD_EXPIRY).count() >= OPEN_PER_USER:
        raise UploadError(429, _("Trop de téléversements en cours : terminez-les ou attendez demain."))
    return Upload.objects.create(owner=user, purpose=purpose, filename=filename,
                                 content_type=(content_type or "application/octet-stream")[:100], length=length)


def upload_get(user, upload_id) -> Upload:
    """The user's own upload; anyone else's is « not found », like an id that never existed."""
    try:
        return Upload.objects.get(pk=uuid.UUID(str(upload_id)), owner=user)
    except (ValueError, Upload.DoesNotExist):
        raise UploadError(404, _("Ce téléversement n'existe pas ou a expiré.")) from None


def upload_append(user, upload_id, *, offset: int, stream, size: int) -> int:
    """Append `size` bytes read from `stream` at `offset`; return the new offset.

    A piece sent for another offset than the one reached (a retry of a piece that
    did arrive, a second tab) is refused with the true offset (409), never stored
    twice. The piece is read whole before the row is locked, so a slow line holds
    no lock; two pieces racing for one offset: the first wins, the other gets 409.
    """
    upload = upload_get(user, upload_id)
    if offset != upload.offset:
        raise UploadError(409, _("Reprise à un autre endroit que celui atteint."), offset=upload.offset)
    if size > CHUNK_MAX_BYTES:
        raise UploadError(413, _("Morceau trop grand (%(n)s Mo au plus).") % {"n": _megabytes(CHUNK_MAX_BYTES)})
    if offset + size > upload.length:
        raise UploadError(413, _("Le fichier envoyé est plus long que celui annoncé."))
    with tempfile.SpooledTemporaryFile(max_size=CHUNK_MAX_BYTES) as piece:
        received = 0
        while received < size:
            block = stream.read(min(_READ_BLOCK, size - received))
            if not block:
                break
            piece.write(block)
            received += len(block)
        if received != size:
            raise UploadError(400, _("Morceau incomplet : la connexion a été coupée, il sera renvoyé."),
                              offset=upload.offset)
        piece.seek(0)
        name = default_storage.save(f"uploads/{upload.pk}/{offset:016d}-{uuid.uuid4().hex[:8]}", File(piece))
    try:
        with transaction.atomic():
            locked = Upload.objects.select_for_update().get(pk=upload.pk)
            if locked.offset != offset:
                raise UploadError(409, _("Reprise à un autre endroit que celui atteint."), offset=locked.offset)
            locked.chunks = [*locked.chunks, name]
            locked.offset = offset + size
            locked.save(update_fields=["chunks", "offset", "updated_at"])
    except BaseException:
        default_storage.delete(name)  # the row does not name it: it would never be read
        raise
    return offset + size


def upload_delete(user, upload_id) -> None:
    _discard(upload_get(user, upload_id))


def _discard(upload: Upload) -> None:
    for name in upload.chunks:
        default_storage.delete(name)
    upload.delete()


@contextlib.contextmanager
def upload_claim(user, upload_id, *, purpose: str) -> Iterator[File]:
    """The finished file (a seekable temporary copy with `.name`, `.size`, `.content_type`).

    The upload is deleted when the block ends without an exception; after one, it
    stays until it expires (the form may be sent again).
    """
    upload = upload_get(user, upload_id)
    if upload.purpose != purpose:
        raise UploadError(404, _("Ce téléversement n'existe pas ou a expiré."))
    if not upload.complete:
        raise UploadError(409, _("Le fichier « %(name)s » n'est pas encore entièrement envoyé.")
                          % {"name": upload.filename}, offset=upload.offset)
    with tempfile.TemporaryFile() as whole:
        for name in upload.chunks:
            with default_storage.open(name, "rb") as piece:
                while block := piece.read(_READ_BLOCK):
                    whole.write(block)
        if whole.tell() != upload.length:
            raise UploadError(409, _("Le fichier reçu est incomplet : envoyez-le de nouveau."))
        whole.seek(0)
        file = File(whole, name=upload.filename)
        file.content_type = upload.content_type
        yield file
    _discard(upload)


def uploads_expire(now=None) -> int:
    """Delete uploads untouched for UPLOAD_EXPIRY, finished or not; return how many."""
    now = now or timezone.now()
    count = 0
    for upload in Upload.objects.filter(updated_at__lt=now - UPLOAD_EXPIRY).iterator():
        _discard(upload)
        count += 1
    return count

