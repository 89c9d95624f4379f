"""Read any eForms notice (contract, award, PIN, change) into a `NoticeSummary`.

Lenient on purpose: notices come from TED, BOAMP and other eSenders with every
optional part present or not, so a missing element gives None (and, when it
matters for the portal, a French line in `warnings`), never an exception. What
is refused, with a French `NoticeError`, is what is not an eForms notice at
all, and unsafe XML (see schema.parse_notice_xml).
"""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from territoires.interop.eforms.data import NoticeSummary
from territoires.interop.eforms.errors import NoticeError
from territoires.interop.eforms.namespaces import NS
from territoires.interop.eforms.schema import (
    MAX_NOTICE_BYTES,
    XmlSource,
    notice_root_info,
    parse_notice_xml,
)
from territoires.interop.eforms.schema import validate_notice as _validate

PARIS = ZoneInfo("Europe/Paris")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")
_VERSIONED_ID = re.compile(r"^(?P<id>[0-9a-fA-F-]{36})-(?P<version>\d{2})$")
# Lots of a contract/award notice, parts of a PIN; lot groups (GLO-) are left out.
_LOT_SCHEMES = {"Lot", "Part"}
_SIREN_SIRET = re.compile(r"^(\d{9}|\d{14})$")


def _text(node, path: str) -> str | None:
    found = node.find(path, NS)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _texts(node, path: str) -> list[str]:
    return [e.text.strip() for e in node.findall(path, NS) if e.text and e.text.strip()]


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _split_offset(value: str) -> tuple[str, timezone | None]:
    match = _OFFSET.search(value)
    if not match:
        return value, None
    raw = match.group(1)
    if raw == "Z":
        return value[: match.start()], UTC
    sign = 1 if raw[0] == "+" else -1
    hours, minutes = int(raw[1:3]), int(raw[4:6])
    return value[: match.start()], timezone(sign * timedelta(hours=hours, minutes=minutes))


def _parse_date(value: str | None, warnings: list[str], what: str) -> tuple[date | None, timezone | None]:
    if not value:
        return None, None
    raw, tz = _split_offset(value)
    try:
        return date.fromisoformat(raw), tz
    except ValueError:
        warnings.append(f"Date illisible pour « {what} » : {value!r}.")
        return None, None


def _parse_time(value: str | None, warnings: list[str], what: str) -> tuple[time | None, timezone | None]:
    if not value:
        return None, None
    raw, tz = _split_offset(value)
    try:
        return time.fromisoformat(raw), tz
    except ValueError:
        warnings.append(f"Heure illisible pour « {what} » : {value!r}.")
        return None, None


def _deadline(period, warnings: list[str], what: str) -> datetime | None:
    """Aware datetime from cbc:EndDate + cbc:EndTime, each possibly carrying an offset.

    eForms writes "2025-03-14+01:00" and "12:00:00+01:00"; the time's offset wins.
    Without any offset we assume Paris time and say so, rather than guess UTC.
    """
    day, date_tz = _parse_date(_text(period, "cbc:EndDate"), warnings, what)
    if day is None:
        return None
    moment, time_tz = _parse_time(_text(period, "cbc:EndTime"), warnings, what)
    if moment is None:
        warnings.append(f"Heure absente pour « {what} » : fin de journée retenue.")
        moment = time(23, 59, 59)
    tz = time_tz or date_tz
    naive = datetime.combine(day, moment.replace(tzinfo=None))
    if tz is None:
        warnings.append(f"Fuseau horaire absent pour « {what} » : heure de Paris retenue.")
        return naive.replace(tzinfo=PARIS)
    return naive.replace(tzinfo=tz)


def _decimal(value: str | None, warnings: list[str], what: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        warnings.append(f"Montant illisible pour « {what} » : {value!r}.")
        return None


def _organizations(extension) -> dict[str, etree._Element]:
    if extension is None:
        return {}
    companies = {}
    for company in extension.findall("efac:Organizations/efac:Organization/efac:Company", NS):
        org_id = _text(company, "cac:PartyIdentification/cbc:ID")
        if org_id:
            companies[org_id] = company
    return companies


def parse_notice(
    xml: XmlSource,
    *,
    reference_dir: Path | None = None,
    max_bytes: int = MAX_NOTICE_BYTES,
) -> NoticeSummary:
    """Summary of an eForms notice given as bytes, a file path or a binary stream.

    With `reference_dir` (the `marches` reference folder) the notice is first
    validated against its XSD and a non-conforming notice is refused
    (NoticeSchemaError); without it, only the root and namespaces are checked.
    """
    root = parse_notice_xml(xml, max_bytes=max_bytes)
    kind, _xsd = notice_root_info(root)
    if reference_dir is not None:
        _validate(root, reference_dir)
    warnings: list[str] = []

    customization = _text(root, "cbc:CustomizationID")
    if not customization or not customization.startswith("eforms-sdk-"):
        warnings.append(f"Version du SDK eForms non reconnue : {customization!r}.")
    notice_id = _text(root, "cbc:ID")
    if not notice_id:
        raise NoticeError("Avis eForms sans identifiant (cbc:ID).")

    extension = root.find("ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension", NS)
    companies = _organizations(extension)

    changed_notice_id = changed_version = None
    cancelled = False
    changes = extension.find("efac:Changes", NS) if extension is not None else None
    if changes is not None:
        kind = "change"
        identifier = _text(changes, "efbc:ChangedNoticeIdentifier")
        if identifier:
            match = _VERSIONED_ID.match(identifier)
            changed_notice_id, changed_version = (
                (match.group("id"), match.group("version")) if match else (identifier, None)
            )
        else:
            warnings.append("Avis de changement sans identifiant de l'avis modifié.")
        cancelled = _text(changes, "efac:ChangeReason/cbc:ReasonCode") == "cancel"

    subtype = _text(extension, "efac:NoticeSubType/cbc:SubTypeCode") if extension is not None else None
    if subtype is None:
        warnings.append("Sous-type d'avis absent (efac:NoticeSubType).")

    buyer_ref = _text(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID")
    buyer = companies.get(buyer_ref) if buyer_ref else None
    buyer_name = buyer_id = None
    if buyer is not None:
        buyer_name = _text(buyer, "cac:PartyName/cbc:Name")
        company_id = _text(buyer, "cac:PartyLegalEntity/cbc:CompanyID")
        if company_id:
            compact = re.sub(r"\s", "", company_id)
            if _SIREN_SIRET.match(compact):
                buyer_id = compact
    elif buyer_ref:
        warnings.append(f"Acheteur {buyer_ref} absent de la liste des organisations.")
    else:
        warnings.append("Acheteur absent (cac:ContractingParty).")

    project = root.find("cac:ProcurementProject", NS)
    lots_elements = [
        lot for lot in root.findall("cac:ProcurementProjectLot", NS)
        if (lot.find("cbc:ID", NS) is not None and lot.find("cbc:ID", NS).get("schemeName", "Lot") in _LOT_SCHEMES)
    ]
    title = description = nature = cpv_main = None
    cpv_additional: list[str] = []
    nuts: list[str] = []
    estimated = currency = None
    if project is not None:
        title = _text(project, "cbc:Name")
        description = _text(project, "cbc:Description")
        nature = _text(project, "cbc:ProcurementTypeCode")
        cpv_main = _text(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")
        cpv_additional = _texts(project, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")
        nuts = _texts(project, "cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode")
        amount = project.find("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", NS)
        if amount is not None:
            estimated = _decimal(amount.text, warnings, "valeur estimée")
            currency = amount.get("currencyID")
    else:
        warnings.append("Objet du marché absent (cac:ProcurementProject).")

    lots = []
    deadlines = []
    lot_values = []
    for lot in lots_elements:
        lot_id = _text(lot, "cbc:ID")
        lot_project = lot.find("cac:ProcurementProject", NS)
        lot_title = _text(lot_project, "cbc:Name") if lot_project is not None else None
        lots.append((lot_id, lot_title))
        if lot_project is not None:
            nuts += _texts(lot_project, "cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode")
            cpv_additional += _texts(
                lot_project, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode"
            )
            amount = lot_project.find("cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", NS)
            lot_values.append(
                (_decimal(amount.text, warnings, f"valeur du lot {lot_id}"), amount.get("currencyID"))
                if amount is not None else (None, None)
            )
        period = lot.find("cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod", NS)
        if period is not None:
            found = _deadline(period, warnings, f"date limite du lot {lot_id}")
            if found is not None:
                deadlines.append(found)
    if estimated is None and lot_values and all(value is not None for value, _c in lot_values):
        currencies = {c for _v, c in lot_values}
        if len(currencies) == 1:
            estimated = sum((value for value, _c in lot_values), Decimal(0))
            currency = currencies.pop()
    if cpv_main in cpv_additional:
        cpv_additional = [code for code in cpv_additional if code != cpv_main]
    root_period = root.find("cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod", NS)
    if root_period is not None:
        found = _deadline(root_period, warnings, "date limite")
        if found is not None:
            deadlines.append(found)

    issue_date, _tz = _parse_date(_text(root, "cbc:IssueDate"), warnings, "date d'émission")
    publication_date = None
    if extension is not None:
        publication_date, _tz = _parse_date(
            _text(extension, "efac:Publication/efbc:PublicationDate"), warnings, "date de publication"
        )

    awarded_value = None
    winners: list[str] = []
    result = extension.find("efac:NoticeResult", NS) if extension is not None else None
    if result is not None:
        awarded_value = _decimal(_text(result, "cbc:TotalAmount"), warnings, "montant total attribué")
        party_names = {}
        for party in result.findall("efac:TenderingParty", NS):
            names = []
            for tenderer in _texts(party, "efac:Tenderer/cbc:ID"):
                company = companies.get(tenderer)
                name = _text(company, "cac:PartyName/cbc:Name") if company is not None else None
                names.append(name or tenderer)
            party_names[_text(party, "cbc:ID")] = names
        winning_tenders = set()
        for lot_result in result.findall("efac:LotResult", NS):
            if _text(lot_result, "cbc:TenderResultCode") == "selec-w":
                winning_tenders.update(_texts(lot_result, "efac:LotTender/cbc:ID"))
        for tender in result.findall("efac:LotTender", NS):
            if _text(tender, "cbc:ID") in winning_tenders:
                winners += party_names.get(_text(tender, "efac:TenderingParty/cbc:ID"), [])

    return NoticeSummary(
        notice_id=notice_id,
        version=_text(root, "cbc:VersionID"),
        kind=kind,
        subtype=subtype,
        notice_type=_text(root, "cbc:NoticeTypeCode"),
        title=title,
        description=description,
        buyer_name=buyer_name,
        buyer_id=buyer_id,
        procedure_code=_text(root, "cac:TenderingProcess/cbc:ProcedureCode"),
        nature=nature,
        cpv_main=cpv_main,
        cpv_additional=_unique(cpv_additional),
        nuts=_unique(nuts),
        deadline=min(deadlines) if deadlines else None,
        issue_date=issue_date,
        publication_date=publication_date,
        estimated_value=estimated,
        currency=currency,
        lots=tuple(lots),
        changed_notice_id=changed_notice_id,
        changed_notice_version=changed_version,
        cancelled=cancelled,
        language=_text(root, "cbc:NoticeLanguageCode"),
        contract_folder_id=_text(root, "cbc:ContractFolderID"),
        legal_basis=_text(root, "cbc:RegulatoryDomain"),
        awarded_value=awarded_value,
        winners=_unique(winners),
        warnings=tuple(warnings),
    )
