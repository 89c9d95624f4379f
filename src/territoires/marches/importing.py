"""Import of external notices (TED eForms XML, BOAMP open-data JSON) into `Notice`.

`notices_import(paths)` is what `territoires marches import-notices` runs; the
open-data adapters (`marches.opendata`) feed the same two paths with what they
fetched: `eforms_import(data, ...)` for one eForms XML notice and
`boamp_records_import(records, ...)` for BOAMP records.

Rules, in the order they apply:

- each file is read only after its size was checked (a 200 MB file is refused by
  `stat()`, never read), then sniffed: `<` is XML (eForms), `{` or `[` is JSON
  (BOAMP: one record, a list of records, or an Explore v2.1 answer
  `{"total_count": …, "results": […]}`);
- each file runs in its own transaction: a rejected file changes nothing, and
  the other files of the run go on. The error is the French sentence of the
  interop layer (`NoticeError`) or of this module (`NoticeImportError`);
- by default only notices performed in the region are kept (any NUTS code of
  the notice under FRC, or any BOAMP département of the region); the others
  count as "skipped". `keep_all=True` keeps everything;
- deduplication is `notice_upsert`'s: same (source, identifier) is only replaced
  by a strictly later version. eForms: the notice id (BT-701) and its version.
  BOAMP: `idweb`, with `dateparution` as the version. An idweb is one
  publication (a correction is another idweb, linked by `annonce_lie`), so a
  re-export of the same record is skipped, while a re-publication of the same
  idweb with a later date replaces it; ISO dates compare correctly as text;
- across sources, one eForms notice identifier (BT-701) is listed once: a copy
  of a notice the portal already lists from another source, or of one of our
  own consultations' notices, is "skipped" with a reason (`_listed_elsewhere`);
- an eForms change notice is not listed itself: when it cancels, the changed
  notice becomes "cancelled"; otherwise the changed notice takes the fields the
  change notice carries (it is a full notice). A BOAMP ANNULATION cancels the
  linked notices, a RECTIFICATIF moves their deadline. Changes about a notice
  we do not have are "skipped" with a reason (see `ImportReport.notes`).
"""

import json
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from territoires.core.files import stored_file_put
from territoires.interop.cpv import fold
from territoires.interop.eforms.data import NoticeSummary
from territoires.interop.eforms.errors import NoticeError
from territoires.interop.eforms.namespaces import NS
from territoires.interop.eforms.parse import parse_notice
from territoires.interop.eforms.schema import MAX_NOTICE_BYTES, parse_notice_xml, read_limited
from territoires.marches import search
from territoires.marches.models import (
    Consultation,
    Nature,
    Notice,
    NoticeKind,
    NoticeSource,
    NoticeState,
    Procedure,
)
from territoires.marches.notices import NoticeRecord, notice_set_state, notice_upsert, version_key
from territoires.marches.reference import nuts_catalogue

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
TED_NOTICE_URL = "https://ted.europa.eu/fr/notice/-/detail/{number}"
BOAMP_NOTICE_URL = "https://www.boamp.fr/avis/detail/{idweb}"
_MAX_VALUE = Decimal("1e14")  # Notice.estimated_value: 16 digits, 2 decimals
_CPV = re.compile(r"^\d{8}")


class NoticeImportError(ValueError):
    """A file that cannot be imported; `str()` is a French sentence for the user."""


@dataclass
class ImportReport:
    """What one run did. `as_json()` is the command's output; `notes` says why
    some notices were skipped (they are printed on stderr by the command)."""

    imported: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def skip(self, source: str, reason: str) -> None:
        self.skipped += 1
        self.notes.append({"file": source, "reason": reason})

    def reject(self, source: str, error: str) -> None:
        self.rejected.append({"file": source, "error": error})

    def merge(self, other: "ImportReport") -> None:
        self.imported += other.imported
        self.updated += other.updated
        self.skipped += other.skipped
        self.rejected += other.rejected
        self.notes += other.notes

    def as_json(self) -> dict:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "rejected": list(self.rejected),
        }


# --------------------------------------------------------------------------- files


def notices_import(paths: Iterable[str | Path], *, keep_all: bool = False) -> ImportReport:
    """Import every file of `paths` (eForms XML or BOAMP JSON), each in its own transaction."""
    report = ImportReport()
    for path in paths:
        label = str(path)
        partial = ImportReport()
        try:
            data = _read(Path(path))
            with transaction.atomic():
                _import_bytes(data, label=label, keep_all=keep_all, report=partial)
        except (NoticeError, NoticeImportError) as error:
            report.reject(label, str(error))
            continue
        except Exception as error:  # a bug must not stop the other files of the run
            logger.exception("Import of %s failed", label)
            report.reject(label, f"Erreur inattendue pendant l'import : {error.__class__.__name__}.")
            continue
        report.merge(partial)
    return report


def _read(path: Path, max_bytes: int = MAX_NOTICE_BYTES) -> bytes:
    """The file's bytes, refusing by its size (stat) before reading anything.

    One limit for XML and JSON (20 MB): a notice is far smaller, and a BOAMP
    Explore page of 100 records with their `donnees` stays under 5 MB; bigger
    BOAMP exports are to be split (json.loads holds the whole document).
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise NoticeImportError(
                f"Fichier trop volumineux ({size} octets, maximum {max_bytes} octets) : il n'a pas été lu."
            )
        with path.open("rb") as stream:
            # In chunks, never past the limit (a file may grow after stat()).
            return read_limited(stream, max_bytes=max_bytes)
    except OSError as error:
        raise NoticeImportError(f"Fichier illisible : {error.strerror or error}.") from None


def _import_bytes(data: bytes, *, label: str, keep_all: bool, report: ImportReport) -> None:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise NoticeImportError("Le fichier est vide.")
    if head.startswith(b"<"):
        eforms_import(data, label=label, keep_all=keep_all, report=report)
    elif head[:1] in (b"{", b"["):
        boamp_records_import(_boamp_records(data), label=label, keep_all=keep_all, report=report)
    else:
        raise NoticeImportError(
            "Format non reconnu : ni un avis eForms (XML) ni des annonces BOAMP (JSON)."
        )


# --------------------------------------------------------------------------- eForms


_PROCEDURES = {
    "open": Procedure.OPEN,
    "restricted": Procedure.RESTRICTED,
    "neg-w-call": Procedure.NEGOTIATED,
    "neg-wo-call": Procedure.NEGOTIATED_NO_CALL,
    "comp-dial": Procedure.DIALOGUE,
    "innovation": Procedure.INNOVATION,
    "comp-tend": Procedure.OTHER,
    "exp-int-rail": Procedure.OTHER,
    "oth-single": Procedure.OTHER,
    "oth-mult": Procedure.OTHER,
}
_CONCESSIONS = "32014L0023"


def eforms_procedure(summary: NoticeSummary) -> str:
    """Our `Procedure` for an eForms notice ('' when it says nothing).

    Concessions (directive 2014/23) are one value whatever their procedure;
    the French below-threshold notices (E1–E6) with a procedure "other" are
    MAPA, which is what eForms calls them.
    """
    if summary.legal_basis == _CONCESSIONS:
        return Procedure.CONCESSION
    code = (summary.procedure_code or "").strip()
    if not code:
        return ""
    if code.startswith("oth-") and (summary.subtype or "").upper().startswith("E"):
        return Procedure.MAPA
    return _PROCEDURES.get(code, Procedure.OTHER)


def _publication_number(data: bytes) -> str:
    """TED's publication number (efac:Publication), without its leading zeros, or ''."""
    try:
        root = parse_notice_xml(data)
    except NoticeError:
        return ""
    found = root.find(
        "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension/"
        "efac:Publication/efbc:NoticePublicationID",
        NS,
    )
    text = (found.text or "").strip() if found is not None else ""
    match = re.fullmatch(r"0*(\d+)-(\d{4})", text)
    return f"{match.group(1)}-{match.group(2)}" if match else ""


def _value(amount: Decimal | None, currency: str | None) -> Decimal | None:
    if amount is None or (currency and currency != "EUR"):
        return None
    try:
        amount = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return amount if 0 <= amount < _MAX_VALUE else None


def _region_nuts(codes: Iterable[str]) -> tuple[str, bool]:
    """(NUTS kept on the notice, any code in the region): the first regional code, else the first."""
    codes = [code.strip().upper() for code in codes if code and code.strip()]
    catalogue = nuts_catalogue()
    regional = [code for code in codes if catalogue.in_region(code)]
    chosen = (regional or codes or [""])[0]
    return chosen[:5], bool(regional)


def eforms_record(summary: NoticeSummary, *, publication_number: str = "") -> NoticeRecord:
    """The portal's `NoticeRecord` for a contract, award or prior information notice."""
    nuts, _regional = _region_nuts(summary.nuts)
    title = summary.title or next((lot_title for _id, lot_title in summary.lots if lot_title), None)
    return NoticeRecord(
        source=NoticeSource.EFORMS,
        source_id=summary.notice_id,
        eforms_id=summary.notice_id,
        version=(summary.version or "")[:20],
        kind=summary.kind if summary.kind in NoticeKind.values else NoticeKind.CONTRACT,
        title=title or "Avis sans intitulé",
        description=summary.description or "",
        buyer_name=(summary.buyer_name or "")[:300],
        buyer_id=summary.buyer_id or "",
        procedure=eforms_procedure(summary),
        nature=summary.nature if summary.nature in Nature.values else "",
        cpv_main=summary.cpv_main or "",
        cpv_additional=tuple(summary.cpv_additional),
        nuts=nuts,
        departement=(nuts_catalogue().departement_for_nuts3(nuts) or "") if nuts else "",
        published_on=summary.publication_date or summary.issue_date,
        deadline=summary.deadline,
        estimated_value=_value(summary.estimated_value, summary.currency),
        url=TED_NOTICE_URL.format(number=publication_number) if publication_number else "",
    )


def eforms_import(
    data: bytes,
    *,
    label: str,
    keep_all: bool = False,
    report: ImportReport,
    publication_number: str = "",
) -> None:
    """Import one eForms notice (bytes). Raises NoticeError (French) when it cannot be read.

    The caller holds the transaction; `publication_number` is TED's when the
    caller knows it (the search API gives it), else it is read from the XML.
    """
    summary = parse_notice(data)
    if len(summary.notice_id) > 100:
        raise NoticeImportError("Identifiant d'avis eForms trop long (plus de 100 caractères).")
    number = publication_number or _publication_number(data)
    if summary.kind == "change":
        _eforms_change(summary, data, label=label, report=report, publication_number=number)
        return
    _nuts, regional = _region_nuts(summary.nuts)
    if not keep_all and not regional:
        places = ", ".join(summary.nuts) or "aucun"
        report.skip(label, f"Avis {summary.notice_id} exécuté hors de la région (NUTS : {places}).")
        return
    record = eforms_record(summary, publication_number=number)
    _save(record, data, content_type="application/xml", report=report, label=label)


def _save(record: NoticeRecord, data: bytes, *, content_type: str, report: ImportReport, label: str) -> None:
    """notice_upsert, keeping a cancelled notice cancelled and storing the original file;
    a notice the portal already lists from elsewhere is skipped (`_listed_elsewhere`)."""
    existing = Notice.objects.filter(source=record.source, source_id=record.source_id).only("state").first()
    if existing is None and (elsewhere := _listed_elsewhere(record)):
        report.skip(label, f"Avis {record.source_id} déjà sur le portail : {elsewhere} (même avis eForms "
                           f"{record.eforms_id}).")
        return
    if existing is not None and existing.state == NoticeState.CANCELLED:
        record = replace(record, state=NoticeState.CANCELLED)
    notice, outcome = notice_upsert(record)
    if outcome != "skipped":
        notice.source_file = stored_file_put(data, content_type=content_type)
        notice.save(update_fields=["source_file", "updated_at"])
    report.count(outcome)


def _listed_elsewhere(record: NoticeRecord) -> str:
    """Where the portal already lists the eForms notice `record` carries, in French, or "".

    A tender above the EU thresholds is published in BOAMP, which forwards the same
    eForms notice to TED, and our buyers send theirs to both: one notice identifier
    (BT-701) reaches us two or three times. The first copy listed stays (ours always:
    our consultations carry their contract and award notices' identifiers); the
    later copies are skipped, so the portal lists each tender once. The copy kept
    follows its own source's later versions and cancellations.
    """
    if not record.eforms_id:
        return ""
    try:
        notice_uuid = uuid.UUID(record.eforms_id)
    except ValueError:
        notice_uuid = None
    if notice_uuid and Consultation.objects.filter(Q(notice_id=notice_uuid) | Q(award_notice_id=notice_uuid)).exists():
        return "consultation publiée sur Territoires"
    other = Notice.objects.filter(eforms_id=record.eforms_id).exclude(source=record.source).first()
    return f"avis {other.get_source_display()} {other.source_id}" if other else ""


# Fields a modifying change notice may carry over to the changed notice.
_CHANGE_FIELDS = (
    "title", "description", "buyer_name", "buyer_id", "procedure", "nature", "cpv_main",
    "cpv_additional", "nuts", "departement", "deadline", "estimated_value", "url",
)


def _eforms_change(
    summary: NoticeSummary, data: bytes, *, label: str, report: ImportReport, publication_number: str
) -> None:
    target_id = summary.changed_notice_id
    if not target_id:
        report.skip(label, f"Avis de changement {summary.notice_id} sans identifiant de l'avis modifié.")
        return
    notice = (
        Notice.objects.select_for_update()
        .filter(source=NoticeSource.EFORMS, source_id=target_id)
        .first()
    )
    if notice is None:
        report.skip(label, f"Avis de changement {summary.notice_id} : l'avis modifié {target_id} est inconnu.")
        return
    version = summary.changed_notice_version or ""
    if summary.cancelled:
        if notice.state == NoticeState.CANCELLED:
            report.skip(label, f"L'avis {target_id} est déjà annulé.")
            return
        notice_set_state(
            source=NoticeSource.EFORMS, source_id=target_id, state=NoticeState.CANCELLED, version=version
        )
        report.count("updated")
        return
    record = eforms_record(summary, publication_number=publication_number)
    values = {
        name: getattr(record, name) for name in _CHANGE_FIELDS if getattr(record, name) not in ("", None, ())
    }
    if "title" in values and values["title"] == "Avis sans intitulé":
        del values["title"]
    if "cpv_additional" in values:
        values["cpv_additional"] = list(values["cpv_additional"])
    if "cpv_main" in values:
        values["cpv_main"] = values["cpv_main"][:8]
        values["cpv_division"] = values["cpv_main"][:2]
    changed = [name for name, value in values.items() if getattr(notice, name) != value]
    if version and version_key(version) > version_key(notice.version):
        notice.version = version
        changed.append("version")
    if not changed:
        report.skip(label, f"Avis de changement {summary.notice_id} déjà appliqué à l'avis {target_id}.")
        return
    for name in changed:
        if name != "version":
            setattr(notice, name, values[name])
    # The change notice is a full notice: it becomes the file the portal offers.
    notice.source_file = stored_file_put(data, content_type="application/xml")
    notice.search_document = search.notice_document(notice)
    notice.save(update_fields=[*set(changed), "source_file", "search_document", "updated_at"])
    report.count("updated")


# --------------------------------------------------------------------------- BOAMP


def _boamp_records(data: bytes) -> list[dict]:
    """The records of a BOAMP JSON file: one record, a list, or an Explore answer."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NoticeImportError("Fichier JSON illisible : il n'est pas encodé en UTF-8.") from None
    except ValueError as error:
        raise NoticeImportError(f"Fichier JSON mal formé ou tronqué : {error}.") from None
    return boamp_records(document)


def boamp_records(document) -> list[dict]:
    """Records of a decoded BOAMP document; NoticeImportError when it is not one."""
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        items = document["results"]  # Explore v2.1
    elif isinstance(document, dict) and isinstance(document.get("records"), list):
        items = document["records"]  # Explore v2.0 / records API v1
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict):
        items = [document]
    else:
        raise NoticeImportError("Ce fichier JSON n'est pas un export BOAMP (objet ou liste attendu).")
    records = []
    for item in items:
        # v2.0 wraps each record in {"record": {"fields": …}}, v1 in {"fields": …}.
        if isinstance(item, dict) and isinstance(item.get("record"), dict):
            item = item["record"]
        if isinstance(item, dict) and isinstance(item.get("fields"), dict):
            item = item["fields"]
        if not isinstance(item, dict):
            raise NoticeImportError("Ce fichier JSON n'est pas un export BOAMP : un enregistrement n'est pas un objet.")
        records.append(item)
    if records and not any("idweb" in record or "objet" in record for record in records):
        raise NoticeImportError(
            "Ce fichier JSON n'est pas un export BOAMP : aucun enregistrement n'a de champ « idweb »."
        )
    return records


def _as_list(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value.startswith("["):
        try:
            decoded = json.loads(value)
        except ValueError:
            return [value]
        return decoded if isinstance(decoded, list) else [decoded]
    return [value]


def _text(value) -> str:
    """Lenient text of a field (lists joined); NUL removed, PostgreSQL refuses it."""
    if isinstance(value, list):
        text = ", ".join(str(item) for item in value if item not in (None, ""))
    else:
        text = "" if value is None else str(value)
    return text.replace("\x00", "").strip()


def _departement(value) -> str:
    value = str(value).strip().upper()
    return value.zfill(2) if value.isdigit() and len(value) == 1 else value


def _boamp_date(value) -> date | None:
    text = _text(value)[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _boamp_deadline(value) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        day = _boamp_date(text)
        if day is None:
            return None
        moment = datetime.combine(day, time(23, 59, 59))  # date only: end of that day, Paris time
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)


_NATURES = {"TRAVAUX": Nature.WORKS, "FOURNITURES": Nature.SUPPLIES, "SERVICES": Nature.SERVICES}
# (words of type_procedure / procedure_libelle, folded) → Procedure, first match wins.
_BOAMP_PROCEDURES = (
    (("adapt",), Procedure.MAPA),
    (("sans publicite", "sans mise en concurrence"), Procedure.NEGOTIATED_NO_CALL),
    (("restreint",), Procedure.RESTRICTED),
    (("ouvert",), Procedure.OPEN),
    (("dialogue",), Procedure.DIALOGUE),
    (("innovation",), Procedure.INNOVATION),
    (("concession", "delegation de service"), Procedure.CONCESSION),
    (("negoci",), Procedure.NEGOTIATED),
)


def _fold(value: str) -> str:
    return fold(value.replace("_", " "))


def boamp_procedure(record: dict) -> str:
    text = _fold(" ".join(_text(record.get(key)) for key in ("type_procedure", "procedure_libelle")))
    if not text.strip():
        return ""
    for words, procedure in _BOAMP_PROCEDURES:
        if any(word in text for word in words):
            return procedure
    return Procedure.OTHER


def boamp_nature(record: dict) -> str:
    for value in _as_list(record.get("type_marche")):
        found = _NATURES.get(_fold(str(value)).upper().strip())
        if found:
            return found
    return ""


def boamp_event(record: dict) -> str:
    """'cancel', 'correct', 'award', 'prior' or 'contract' from `nature` / `nature_libelle`."""
    code = _fold(_text(record.get("nature"))).upper().replace(" ", "_")
    label = _fold(" ".join(_text(record.get(key)) for key in ("nature_libelle", "nature_categorise_libelle")))
    if "ANNUL" in code or "annulation" in label:
        return "cancel"
    if "RECTIF" in code or "rectificatif" in label:
        return "correct"
    if code in ("ATTRIBUTION", "RESULTAT") or "resultat" in label or "attribution" in label:
        return "award"
    if "PRE_INFO" in code or "PREINFO" in code or "information" in label:
        return "prior"
    return "contract"


def _walk(node, depth: int = 0):
    """(key, value, depth) of every dict entry of a decoded JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value, depth
            yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, depth)


def _leaf_text(value) -> str:
    """'45000000' from 45000000, "45000000", {"#text": "45000000", …} or {"@…": …, "$": …}."""
    if isinstance(value, dict):
        value = value.get("#text", value.get("$", value.get("valeur")))
    return "" if isinstance(value, dict | list) or value is None else str(value).strip()


class BoampDonnees(NamedTuple):
    cpv_main: str = ""
    cpv_additional: tuple[str, ...] = ()
    value: Decimal | None = None
    eforms_id: str = ""  # the eForms notice identifier (BT-701), see `_listed_elsewhere`


def boamp_donnees(record: dict) -> BoampDonnees:
    """What the `donnees` JSON string tells beyond the record's own fields.

    `donnees` holds the notice as published: eForms converted to JSON since
    2024 (`cac:MainCommodityClassification/cbc:ItemClassificationCode`,
    `cbc:EstimatedOverallContractAmount`, `cbc:ID schemeName="notice-id"`), the
    older French schema before (`CPV: {PRINCIPAL, SUPPLEMENTAIRE}`, no eForms
    identifier). Anything unreadable gives nothing.
    """
    raw = record.get("donnees")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return BoampDonnees()
    if not isinstance(raw, dict | list):
        return BoampDonnees()
    main: list[tuple[int, str]] = []
    additional: list[str] = []
    values: list[tuple[int, Decimal]] = []
    notice_ids: list[tuple[int, str]] = []
    for key, value, depth in _walk(raw):
        name = key.split(":")[-1].upper()
        if name == "ID" and isinstance(value, dict) and value.get("@schemeName") == "notice-id":
            if 0 < len(notice_id := _leaf_text(value)) <= 100:
                notice_ids.append((depth, notice_id))
        elif name in ("MAINCOMMODITYCLASSIFICATION", "ADDITIONALCOMMODITYCLASSIFICATION"):
            target = main if name.startswith("MAIN") else None
            for item in _as_list(value):
                code = _leaf_text(item.get("cbc:ItemClassificationCode") if isinstance(item, dict) else None)
                if _CPV.match(code):
                    if target is not None:
                        target.append((depth, code[:8]))
                    else:
                        additional.append(code[:8])
        elif name == "CPV" and isinstance(value, dict):
            for item in _as_list(value.get("PRINCIPAL") or value.get("OBJET_PRINCIPAL")):
                code = _leaf_text(item)
                if _CPV.match(code):
                    main.append((depth, code[:8]))
            for item in _as_list(value.get("SUPPLEMENTAIRE") or value.get("OBJET_COMPLEMENTAIRE")):
                code = _leaf_text(item)
                if _CPV.match(code):
                    additional.append(code[:8])
        elif name in ("ESTIMATEDOVERALLCONTRACTAMOUNT", "VALEUR_TOTALE", "VALEURESTIMEE"):
            currency = value.get("@currencyID", value.get("@devise", "EUR")) if isinstance(value, dict) else "EUR"
            try:
                amount = Decimal(_leaf_text(value).replace(" ", "").replace(",", "."))
            except InvalidOperation:
                continue
            amount = _value(amount, currency)
            if amount:
                values.append((depth, amount))
    main.sort(key=lambda item: item[0])
    cpv_main = main[0][1] if main else ""
    others = tuple(dict.fromkeys(code for code in additional + [code for _d, code in main[1:]] if code != cpv_main))
    values.sort(key=lambda item: item[0])
    notice_ids.sort(key=lambda item: item[0])  # the notice's own, not a changed notice's deeper down
    return BoampDonnees(cpv_main, others, values[0][1] if values else None, notice_ids[0][1] if notice_ids else "")


def _boamp_places(record: dict) -> list[str]:
    codes = [*_as_list(record.get("code_departement")), *_as_list(record.get("code_departement_prestation"))]
    return list(dict.fromkeys(_departement(code) for code in codes if str(code).strip()))


def boamp_record(record: dict) -> NoticeRecord:
    """The portal's `NoticeRecord` for one BOAMP record (notice of contract, award, PIN)."""
    idweb = _text(record.get("idweb"))
    catalogue = nuts_catalogue()
    places = _boamp_places(record)
    regional = [code for code in places if catalogue.in_region(code)]
    departement = (regional or places or [""])[0][:3]
    donnees = boamp_donnees(record)
    event = boamp_event(record)
    kind = {"award": NoticeKind.AWARD, "prior": NoticeKind.PRIOR}.get(event, NoticeKind.CONTRACT)
    state = NoticeState.CANCELLED if "ANNUL" in _text(record.get("etat")).upper() else NoticeState.ACTIVE
    published = _boamp_date(record.get("dateparution"))
    url = _text(record.get("url_avis"))
    return NoticeRecord(
        source=NoticeSource.BOAMP,
        source_id=idweb,
        eforms_id=donnees.eforms_id,
        version=published.isoformat() if published else "",
        kind=kind,
        state=state,
        title=_text(record.get("objet")) or "Avis sans intitulé",
        description=_text(record.get("descripteur_libelle")),
        buyer_name=_text(record.get("nomacheteur"))[:300],
        procedure=boamp_procedure(record),
        nature=boamp_nature(record),
        cpv_main=donnees.cpv_main,
        cpv_additional=donnees.cpv_additional,
        nuts=(catalogue.nuts3_for_departement(departement) or "") if departement else "",
        departement=departement,
        published_on=published,
        deadline=_boamp_deadline(record.get("datelimitereponse")),
        estimated_value=donnees.value,
        url=url if url.startswith(("https://", "http://")) and len(url) <= 500 else BOAMP_NOTICE_URL.format(idweb=idweb),
    )


def boamp_records_import(
    records: list[dict], *, label: str, keep_all: bool = False, report: ImportReport
) -> None:
    """Import BOAMP records; the caller holds the transaction."""
    catalogue = nuts_catalogue()
    for record in records:
        idweb = _text(record.get("idweb"))
        if not idweb or len(idweb) > 100:
            report.skip(label, "Annonce BOAMP sans identifiant « idweb » ignorée.")
            continue
        event = boamp_event(record)
        if event in ("cancel", "correct"):
            _boamp_change(record, idweb, event, label=label, report=report)
            continue
        places = _boamp_places(record)
        if not keep_all and not any(catalogue.in_region(code) for code in places):
            report.skip(
                label, f"Annonce BOAMP {idweb} hors de la région (départements : {', '.join(places) or 'aucun'})."
            )
            continue
        data = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
        _save(boamp_record(record), data, content_type="application/json", report=report, label=label)


def _boamp_change(record: dict, idweb: str, event: str, *, label: str, report: ImportReport) -> None:
    """ANNULATION cancels the linked notices; RECTIFICATIF carries a new deadline over to them."""
    targets = [_text(item) for item in _as_list(record.get("annonce_lie")) if _text(item)]
    if not targets:
        report.skip(label, f"Annonce BOAMP {idweb} ({event}) sans annonce liée.")
        return
    published = _boamp_date(record.get("dateparution"))
    version = published.isoformat() if published else ""
    deadline = _boamp_deadline(record.get("datelimitereponse"))
    for target in targets:
        notice = Notice.objects.select_for_update().filter(source=NoticeSource.BOAMP, source_id=target).first()
        if notice is None:
            report.skip(label, f"Annonce BOAMP {idweb} : l'annonce liée {target} est inconnue.")
        elif event == "cancel":
            if notice.state == NoticeState.CANCELLED:
                report.skip(label, f"L'annonce BOAMP {target} est déjà annulée.")
            else:
                notice_set_state(
                    source=NoticeSource.BOAMP, source_id=target, state=NoticeState.CANCELLED, version=version
                )
                report.count("updated")
        elif deadline is not None and notice.deadline != deadline:
            notice.deadline = deadline
            fields = ["deadline", "updated_at"]
            if version and version_key(version) > version_key(notice.version):
                notice.version = version
                fields.append("version")
            notice.save(update_fields=fields)
            report.count("updated")
        else:
            report.skip(label, f"Rectificatif BOAMP {idweb} sans nouvelle date limite pour {target}.")


__all__ = [
    "ImportReport",
    "NoticeImportError",
    "boamp_record",
    "boamp_records",
    "boamp_records_import",
    "eforms_import",
    "eforms_record",
    "notices_import",
]
