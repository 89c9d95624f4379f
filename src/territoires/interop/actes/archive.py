"""Flat .tar.gz archives, written deterministically and read defensively.

Deterministic: the same members and mtime give the same bytes (fixed owner,
mode and gzip header), so an archive can be rebuilt and compared, and its
SHA-256 stored. Defensive: archives come from the ministry's mailbox or from
users; we never extract to disk and refuse anything but plain files with
plain names, in bounded number and size.
"""

import gzip
import io
import tarfile

from territoires.interop.actes.errors import ArchiveError
from territoires.interop.actes.naming import file_name_error

MAX_MEMBERS = 500
# STELA caps an act at 150 Mo of files; leave room for the XML around them.
MAX_TOTAL_BYTES = 160 * 1024 * 1024


def pack(members: list[tuple[str, bytes]], mtime: int = 0) -> bytes:
    """A gzip'd ustar archive of `members` in the given order, all dated `mtime`."""
    if not members:
        raise ArchiveError("Une archive ACTES ne peut pas être vide.")
    seen: set[str] = set()
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, content in members:
            error = file_name_error(name)
            if error:
                raise ArchiveError(error)
            if name in seen:
                raise ArchiveError(f"Fichier en double dans l'archive : « {name} ».")
            seen.add(name)
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = int(mtime)
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.type = tarfile.REGTYPE
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), compresslevel=9, mtime=int(mtime))


def unpack(data: bytes, *, max_members: int = MAX_MEMBERS,
           max_total: int = MAX_TOTAL_BYTES) -> list[tuple[str, bytes]]:
    """The (name, content) pairs of a flat archive (gzip'd or not), or ArchiveError."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"Archive illisible : ce n'est pas un fichier .tar.gz valide ({exc}).") from None
    members: list[tuple[str, bytes]] = []
    total = 0
    try:
        with tar:
            while True:
                try:
                    info = tar.next()
                except (tarfile.TarError, OSError, EOFError) as exc:
                    raise ArchiveError(f"Archive illisible ou tronquée ({exc}).") from None
                if info is None:
                    break
                if len(members) >= max_members:
                    raise ArchiveError(f"Archive refusée : plus de {max_members} fichiers.")
                _check_member(info, {name for name, _ in members})
                total += info.size
                if total > max_total:
                    raise ArchiveError(
                        f"Archive refusée : contenu décompressé supérieur à {max_total // (1024 * 1024)} Mo."
                    )
                handle = tar.extractfile(info)
                content = handle.read() if handle else b""
                if len(content) != info.size:
                    raise ArchiveError(f"Archive tronquée : « {info.name} » est incomplet.")
                members.append((info.name, content))
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"Archive illisible ou tronquée ({exc}).") from None
    if not members:
        raise ArchiveError("L'archive est vide.")
    return members


def _check_member(info: tarfile.TarInfo, seen: set[str]) -> None:
    name = info.name
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise ArchiveError(f"Archive refusée : chemin interdit « {name} » (l'archive doit être plate).")
    if info.issym() or info.islnk():
        raise ArchiveError(f"Archive refusée : « {name} » est un lien.")
    if not info.isreg():
        raise ArchiveError(f"Archive refusée : « {name} » n'est pas un fichier ordinaire.")
    if not name:
        raise ArchiveError("Archive refusée : fichier sans nom.")
    if name in seen:
        raise ArchiveError(f"Archive refusée : fichier en double « {name} ».")
