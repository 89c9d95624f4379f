"""The one write path into the portal's notice index (`Notice`).

Our consultations and imported TED/BOAMP notices both arrive here as a
`NoticeRecord`; `notice_upsert` applies the deduplication rule (same source and
identifier: keep the highest version) and recomputes the search document.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from territoires.marches import search
from territoires.marches.models import Notice, NoticeKind, NoticeState
from territoires.marches.reference import nuts_catalogue


@dataclass(frozen=True)
class NoticeRecord:
    source: str
    source_id: str
    title: str
    eforms_id: str = ""  # the eForms notice identifier (BT-701), when the source gives one
    version: str = ""
    kind: str = NoticeKind.CONTRACT
    state: str = NoticeState.ACTIVE
    description: str = ""
    buyer_name: str = ""
    buyer_id: str = ""
    procedure: str = ""
    nature: str = ""
    cpv_main: str = ""
    cpv_additional: tuple[str, ...] = ()
    nuts: str = ""
    departement: str = ""
    published_on: date | None = None
    deadline: datetime | None = None
    estimated_value: Decimal | None = None
    url: str = ""
    extra: dict = field(default_factory=dict)  # not stored; for callers' bookkeeping


def version_key(version: str) -> tuple:
    """'02' > '01' > '' ; numeric parts compare as numbers, the rest as text."""
    version = (version or "").strip()
    return (1, int(version), "") if version.isdigit() else (0 if not version else 1, -1, version)


def _fields(record: NoticeRecord) -> dict:
    values = asdict(record)
    values.pop("extra")
    values["cpv_additional"] = list(record.cpv_additional)
    values["cpv_main"] = (record.cpv_main or "")[:8]
    values["cpv_division"] = values["cpv_main"][:2]
    if not values["departement"] and record.nuts:
        values["departement"] = nuts_catalogue().departement_for_nuts3(record.nuts) or ""
    values["title"] = (record.title or "")[:500]
    values["eforms_id"] = record.eforms_id or None
    return values


def notice_upsert(record: NoticeRecord, *, consultation=None, source_file=None) -> tuple[Notice, str]:
    """Insert or update one notice; returns (notice, "imported" | "updated" | "skipped").

    An imported notice is only replaced by a strictly later version; our own
    consultations (no version) always overwrite their notice.
    """
    values = _fields(record)
    with transaction.atomic():
        existing = (
            Notice.objects.select_for_update()
            .filter(source=record.source, source_id=record.source_id)
            .first()
        )
        if existing and consultation is None and version_key(record.version) <= version_key(existing.version):
            return existing, "skipped"
        notice = existing or Notice(source=record.source, source_id=record.source_id)
        for name, value in values.items():
            setattr(notice, name, value)
        if consultation is not None:
            notice.consultation = consultation
        if source_file is not None:
            notice.source_file = source_file
        notice.search_document = search.notice_document(notice)
        notice.save()
    return notice, "updated" if existing else "imported"


def notice_set_state(*, source: str, source_id: str, state: str, version: str = "") -> Notice | None:
    """Cancel (or reactivate) a notice, e.g. from an eForms change notice; None if unknown."""
    notice = Notice.objects.filter(source=source, source_id=source_id).first()
    if notice is None:
        return None
    notice.state = state
    if version and version_key(version) > version_key(notice.version):
        notice.version = version
    notice.save(update_fields=["state", "version", "updated_at"])
    return notice
