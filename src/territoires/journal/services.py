"""Writing and verifying the journal. Service functions call `journal_record`."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from territoires.journal.models import JournalEntry, JournalHead

GENESIS = "0" * 64


def payload_digest(payload: Any) -> str:
    """SHA-256 of the canonical JSON of a payload (sorted keys, no spaces)."""
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


def _entry_digest(entry: JournalEntry) -> str:
    fields = [
        str(entry.seq),
        entry.at.isoformat(),
        str(entry.actor_id or ""),
        entry.actor_label,
        str(entry.body_id or ""),
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.summary,
        entry.payload_hash,
        entry.prev_hash,
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def journal_record(
    *,
    actor: Any,
    action: str,
    body: Any = None,
    target: Any = None,
    summary: str = "",
    payload: Any = None,
) -> JournalEntry:
    """Append one entry; must run inside the caller's transaction.

    No savepoint of its own: if the entry fails, the caller's whole change
    must fail with it (a change without its journal entry is not allowed).
    """
    with transaction.atomic(savepoint=False):
        head, _ = JournalHead.objects.select_for_update().get_or_create(id=1)
        entry = JournalEntry(
            seq=head.seq + 1,
            at=timezone.now().replace(microsecond=0),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=getattr(actor, "email", "") or (str(actor) if actor else "système"),
            body=body,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            summary=summary[:300],
            payload_hash=payload_digest(payload or {}),
            prev_hash=head.last_hash,
        )
        entry.entry_hash = _entry_digest(entry)
        entry.save()
        JournalHead.objects.filter(id=1).update(seq=entry.seq, last_hash=entry.entry_hash)
    return entry


@dataclass(frozen=True)
class VerifyProblem:
    seq: int
    message: str


def journal_verify() -> list[VerifyProblem]:
    """Walk the chain; report altered rows, gaps (deleted rows) and a bad head."""
    problems: list[VerifyProblem] = []
    prev_hash = GENESIS
    expected_seq = 1
    for entry in JournalEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            problems.append(
                VerifyProblem(entry.seq, f"entrées {expected_seq} à {entry.seq - 1} manquantes")
            )
        if entry.prev_hash != prev_hash:
            problems.append(VerifyProblem(entry.seq, "chaînage rompu (entrée précédente modifiée ou supprimée)"))
        if _entry_digest(entry) != entry.entry_hash:
            problems.append(VerifyProblem(entry.seq, "contenu modifié"))
        prev_hash = entry.entry_hash
        expected_seq = entry.seq + 1
    head = JournalHead.objects.filter(id=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq != last_seq or head.last_hash != prev_hash):
        problems.append(VerifyProblem(head.seq, "dernières entrées supprimées"))
    return problems
