"""Putting files into the content-addressed store (`core.StoredFile`).

Uploads are hashed chunk by chunk, so a 150 MB act never sits whole in
memory on its way in; the storage API (filesystem or S3) receives the
original stream. The same bytes uploaded twice give the same row.
"""

import hashlib
from typing import IO

from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.http import FileResponse

from territoires.core.models import StoredFile

CHUNK = 1024 * 1024


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


def stored_file_put(data: bytes | IO[bytes], *, content_type: str) -> StoredFile:
    """Store `data` (bytes or a seekable binary stream) once; return its row."""
    stream = ContentFile(data) if isinstance(data, bytes) else data
    sha256, size = _digest(stream)
    existing = StoredFile.objects.filter(sha256=sha256).first()
    if existing is not None:
        return existing
    row = StoredFile(sha256=sha256, size=size, content_type=content_type)
    row.content.save(f"{sha256[:2]}/{sha256}", File(stream), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Another process stored the same content meanwhile: same bytes, same name.
        return StoredFile.objects.get(sha256=sha256)
    return row


def stored_file_response(stored: StoredFile, name: str, *, content_type: str = "",
                         inline: bool = False) -> FileResponse:
    """`stored` sent under `name`, streamed from storage (a 150 MB file never sits in memory).

    A download (`Content-Disposition: attachment`) unless `inline`; the type is the one
    recorded with the file unless `content_type` says otherwise, and never guessed from `name`.
    """
    return FileResponse(stored.content.open("rb"), as_attachment=not inline, filename=name,
                        content_type=content_type or stored.content_type or "application/octet-stream")
