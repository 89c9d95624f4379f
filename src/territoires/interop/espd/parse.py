"""Read an ESPD response (ours or another platform's) back into an `EspdSummary`.

Used to show the DUME to the buyer. Lenient on purpose: a missing element
gives None (and, when it matters, a French line in `warnings`), never an
exception. Criteria are recognised by their taxonomy UUID or their code in the
EU criterion list; answers are found through our property paths when the
document uses them, else through the first yes/no question of the criterion,
so ESPD 2.x documents (UUID property identifiers) read too. What is refused,
with a French `EspdError`, is what is not an ESPD response at all, and unsafe
XML (see schema.parse_espd_xml).
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

from territoires.interop.espd import criteria as C
from territoires.interop.espd.data import EspdSummary, ExclusionSummary, Turnover
from territoires.interop.espd.errors import EspdError
from territoires.interop.espd.namespaces import NS
from territoires.interop.espd.schema import (
    MAX_ESPD_BYTES,
    XmlSource,
    espd_root_info,
    parse_espd_xml,
)
from territoires.interop.espd.schema import validate_espd as _validate

_BY_UUID = {criterion.uuid: criterion for criterion in C.EXCLUSION_GROUNDS}
# The α indicator: ESPD 1.x/2.0 regulated UUID, and the one of ESPD 2.1.
_ALL_SATISFIED_UUIDS = {C.ALL_SATISFIED_UUID, "f4dc58dd-af45-4602-a4c8-3dca30fac082"}


def _text(node, path: str) -> str | None:
    found = node.find(path, NS)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _indicator(value: str | None) -> bool | None:
    if value is None:
        return None
    value = value.strip().lower()
    if value in {"true", "1"}:
        return True
    if value in {"false", "0"}:
        return False
    return None


def _year(value: str | None) -> int | None:
    try:
        return date.fromisoformat(value[:10]).year if value else None
    except ValueError:
        return None


class _Answers:
    """Responses of the document, by the property they answer, in document order."""

    def __init__(self, root):
        self.by_property = defaultdict(list)
        for response in root.findall("cac:TenderingCriterionResponse", NS):
            property_id = _text(response, "cbc:ValidatedCriterionPropertyID")
            if property_id:
                self.by_property[property_id].append(response)

    def first(self, property_id: str | None):
        responses = self.by_property.get(property_id) if property_id else None
        return responses[0] if responses else None

    def indicator(self, property_id: str | None) -> bool | None:
        response = self.first(property_id)
        return None if response is None else _indicator(
            _text(response, "cac:ResponseValue/cbc:ResponseIndicator"))

    def description(self, property_id: str | None) -> str | None:
        response = self.first(property_id)
        return None if response is None else _text(response, "cac:ResponseValue/cbc:Description")


def _properties(criterion_element) -> list[tuple[str, str | None, str | None]]:
    """(id, TypeCode, ValueDataTypeCode) of every property of a criterion, in document order."""
    found = []
    for prop in criterion_element.iter(f"{{{NS['cac']}}}TenderingCriterionProperty"):
        prop_id = _text(prop, "cbc:ID")
        if prop_id:
            found.append((prop_id, _text(prop, "cbc:TypeCode"), _text(prop, "cbc:ValueDataTypeCode")))
    return found


def _main_question(properties) -> str | None:
    for prop_id, type_code, data_type in properties:
        if type_code in (None, "QUESTION") and data_type == "INDICATOR":
            return prop_id
    return None


def _exclusion(element, known: C.Criterion | None, answers: _Answers) -> ExclusionSummary:
    properties = _properties(element)
    shape = known.shape if known else None
    prefix = None
    if shape is not None:
        # Our own path scheme, whatever the prefix the producer gave this criterion.
        for prop_id, _type, _data in properties:
            if prop_id.endswith("/" + shape.answer):
                prefix = prop_id[: -len(shape.answer) - 1]
                break

    def path(relative):
        return f"{prefix}/{relative}" if prefix is not None and relative else None

    main = path(shape.answer) if prefix is not None else _main_question(properties)
    breached = answers.indicator(main)
    description = measures = None
    if breached:
        description = answers.description(path(shape.detail)) if prefix is not None else None
        if description is None:
            description = answers.description(main)
        if description is None and prefix is None:
            # Unknown tree: the first free text answered after the main question.
            for prop_id, _type, data_type in properties:
                if data_type == "DESCRIPTION" and answers.description(prop_id):
                    description = answers.description(prop_id)
                    break
        if prefix is not None and shape.measures and answers.indicator(path(shape.measures)):
            measures = answers.description(path(shape.measures_text))
    return ExclusionSummary(
        code=_text(element, "cbc:CriterionTypeCode"),
        criterion_id=_text(element, "cbc:ID"),
        name=_text(element, "cbc:Name"),
        breached=breached,
        description=description,
        measures=measures,
    )


def _turnovers(element, answers: _Answers, warnings: list[str]) -> tuple[Turnover, ...]:
    periods, amounts = [], []
    for prop_id, _type, data_type in _properties(element):
        for response in answers.by_property.get(prop_id, ()):
            if data_type == "PERIOD":
                periods.append(_year(_text(response, "cac:ApplicablePeriod/cbc:EndDate"))
                               or _year(_text(response, "cac:ApplicablePeriod/cbc:StartDate")))
            elif data_type == "AMOUNT":
                amount = response.find("cac:ResponseValue/cbc:ResponseAmount", NS)
                if amount is not None:
                    amounts.append(amount)
    if len(periods) != len(amounts):
        warnings.append("Chiffre d'affaires : exercices et montants ne se correspondent pas.")
    result = []
    for year, amount in zip(periods, amounts, strict=False):
        try:
            value = Decimal((amount.text or "").strip())
        except InvalidOperation:
            warnings.append(f"Montant de chiffre d'affaires illisible : {amount.text!r}.")
            continue
        if year is None:
            warnings.append("Exercice de chiffre d'affaires illisible.")
            continue
        result.append(Turnover(year=year, amount=value, currency=amount.get("currencyID") or "EUR"))
    return tuple(result)


def _siret(party) -> str | None:
    if party is None:
        return None
    for ident in party.findall("cac:PartyIdentification/cbc:ID", NS):
        if ident.get("schemeName") == "SIRET" and ident.text:
            return ident.text.strip()
    for path in ("cac:PartyIdentification/cbc:ID", "cac:PartyLegalEntity/cbc:CompanyID"):
        for ident in party.findall(path, NS):
            value = (ident.text or "").replace(" ", "").strip()
            if len(value) == 14 and value.isdigit():
                return value
    return None


def _vat(party) -> str | None:
    if party is None:
        return None
    for ident in party.findall("cac:PartyIdentification/cbc:ID", NS):
        if ident.get("schemeID") == "VAT" and ident.text:
            return ident.text.strip()
    return _text(party, "cac:PartyTaxScheme/cbc:CompanyID")


def summarize_espd(root: etree._Element) -> EspdSummary:
    """The EspdSummary of an already parsed (safe) ESPD response root."""
    kind, _xsd = espd_root_info(root)
    if kind != "response":
        raise EspdError("Ce document est une demande de DUME (celle de l'acheteur), pas la réponse "
                        "d'un opérateur économique.")
    warnings: list[str] = []
    answers = _Answers(root)
    party = root.find("cac:EconomicOperatorParty/cac:Party", NS)
    if party is None:
        warnings.append("Aucun opérateur économique dans ce DUME.")
    exclusions, all_satisfied, turnovers = [], None, ()
    for element in root.findall("cac:TenderingCriterion", NS):
        criterion_id = _text(element, "cbc:ID")
        code = _text(element, "cbc:CriterionTypeCode")
        known = _BY_UUID.get(criterion_id) or C.EXCLUSIONS_BY_CODE.get(code)
        if known is not None:
            exclusions.append(_exclusion(element, known, answers))
        elif criterion_id in _ALL_SATISFIED_UUIDS or (code or "").endswith("ALL_SATISFIED"):
            all_satisfied = answers.indicator(_main_question(_properties(element)))
        elif criterion_id == C.GENERAL_TURNOVER.uuid or code == C.GENERAL_TURNOVER.code:
            turnovers = _turnovers(element, answers, warnings)
    if not exclusions:
        warnings.append("Aucun motif d'exclusion reconnu dans ce DUME.")
    missing = [e.name or e.code or "?" for e in exclusions if e.breached is None]
    if missing:
        warnings.append("Motifs d'exclusion sans réponse : " + ", ".join(missing) + ".")
    lots = tuple(
        lot for lot in (e.text.strip() for e in root.findall("cac:ProcurementProjectLot/cbc:ID", NS) if e.text)
        if lot != "LOT-0000"
    )
    issue = _text(root, "cbc:IssueDate")
    try:
        issue_date = date.fromisoformat(issue[:10]) if issue else None
    except ValueError:
        warnings.append(f"Date d'émission illisible : {issue!r}.")
        issue_date = None
    return EspdSummary(
        id=_text(root, "cbc:ID"),
        uuid=_text(root, "cbc:UUID"),
        profile=_text(root, "cbc:ProfileExecutionID"),
        contract_folder_id=_text(root, "cbc:ContractFolderID"),
        issue_date=issue_date,
        buyer_name=_text(root, "cac:ContractingParty/cac:Party/cac:PartyName/cbc:Name"),
        operator_name=_text(party, "cac:PartyName/cbc:Name") if party is not None else None,
        siret=_siret(party),
        vat_number=_vat(party),
        size=_text(party, "cbc:IndustryClassificationCode") if party is not None else None,
        email=_text(party, "cac:Contact/cbc:ElectronicMail") if party is not None else None,
        exclusions=tuple(exclusions),
        all_selection_criteria_satisfied=all_satisfied,
        turnovers=turnovers,
        lots=lots,
        warnings=tuple(warnings),
    )


def parse_espd_response(source: XmlSource, *, reference_dir: Path | None = None,
                        max_bytes: int = MAX_ESPD_BYTES) -> EspdSummary:
    """Read an ESPD response safely; with `reference_dir`, check it against the XSD first."""
    root = parse_espd_xml(source, max_bytes=max_bytes)
    if reference_dir is not None:
        _validate(root, reference_dir)
    return summarize_espd(root)


__all__ = ["parse_espd_response", "summarize_espd"]
