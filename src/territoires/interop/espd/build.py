"""The structured DUME: an ESPD response (and request) as UBL 2.3 XML, ESPD-EDM v4.1.0.

Which ESPD. ESPD-EDM 2.x had two profiles: "regulated" (the form of
Regulation (EU) 2016/7: the buyer states its selection requirements in the
procurement documents, the operator may answer with the global indicator α)
and "self-contained"/"extended" (every requirement and answer structured in
the ESPD). Since v3 there is a single model, identified by
`cbc:ProfileExecutionID` only (`ESPD-EDMv4.1.0`, the latest non-alpha release,
whose XSDs are in `reference/marches/espd/xsd`); there is no CustomizationID
or ProfileID any more. What we write is the regulated use of that model,
because that is the French practice the simplified candidature follows:
buyers state their requirements in the règlement de consultation, not in a
structured ESPD request, so the operator answers every exclusion ground,
gives its general turnover when known (pre-filled from API Entreprise), and
declares that it satisfies all selection criteria (α). An extended DUME would
need the buyer's structured requirements, which we do not have.

The document. UBL-2.3 `QualificationApplicationResponse` (ESPD-EDM v4 is
based on UBL 2.3; UBL 2.2 has the same elements but older XSDs): header
(UBLVersionID 2.3, ProfileExecutionID ESPD-EDMv4.1.0, VersionID 4.1.0 as in
the v4 samples), the buyer (`cac:ContractingParty`), the operator
(`cac:EconomicOperatorParty`, with SIRET, VAT number, size, NAF code, legal
form, creation date, share capital, headcount band), the procedure and its
lots, one `cac:TenderingCriterion` per criterion answered (tree described in
criteria.py) then one `cac:TenderingCriterionResponse` per answer, pointing
to its property by `cbc:ValidatedCriterionPropertyID`. The sworn statement of
part VI is carried as `cbc:Note`; the contract notice, when known, as an
`cac:AdditionalDocumentReference`.

Deterministic: identifiers of responses and response values are UUID v5
derived from the document UUID given by the caller, so the same input gives
the same bytes. Only the XSD is checked here (see schema.py); ESPD-EDM business
rules (Schematron) are not in the reference folder and were not run.
"""

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from territoires.interop.espd import criteria as C
from territoires.interop.espd.data import EspdResponseData, ExclusionAnswer, Operator, Procedure
from territoires.interop.espd.errors import EspdError
from territoires.interop.espd.namespaces import (
    CAC,
    CBC,
    EDM_VERSION,
    NS,
    PROFILE_EXECUTION_ID,
    QAQ,
    QAR,
    UBL_VERSION,
)
from territoires.interop.xmlbuild import XmlWriter

PARIS = ZoneInfo("Europe/Paris")
_NSMAP = {"cac": CAC, "cbc": CBC}
_UUID_SCHEME = "ISO/IEC 9834-8:2008 - 4UUID"
_COUNTRY_LIST = "http://publications.europa.eu/resource/authority/country"
_SIZE_LIST = ("http://publications.europa.eu/resource/authority/economic-operator-size", "20250924-0")
_ROLE_LIST = ("http://publications.europa.eu/resource/authority/eo-role-type", "20211208-0")
_PROCEDURE_LIST = "http://publications.europa.eu/resource/authority/procurement-procedure-type"
SIZES = {"micro", "small", "medium", "sme", "large"}
ROLES = {"sole-tenderer", "group-lead", "group-mem", "subcont", "oeron"}
_SIRET = re.compile(r"^\d{14}$")
_SIREN_SIRET = re.compile(r"^(\d{9}|\d{14})$")
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_writer = XmlWriter(NS)
_q, _sub = _writer.q, _writer.sub


def _clean(value: str, what: str) -> str:
    """`value` unchanged, or EspdError when it holds characters XML cannot carry."""
    if _NOT_XML.search(value):
        raise EspdError(f"Le champ « {what} » contient des caractères non autorisés "
                        "(caractères de contrôle).")
    return value


def _required(value: str | None, what: str) -> str:
    if value is None or not value.strip():
        raise EspdError(f"Le champ « {what} » est obligatoire.")
    return _clean(value, what)


def _offset(value: datetime) -> str:
    minutes = int(value.utcoffset().total_seconds() // 60)
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _amount(parent, name: str, value: Decimal, currency: str):
    return _sub(parent, name, f"{Decimal(value):.2f}", currencyID=currency)


def _criterion_id(parent, name: str, value: str):
    return _sub(parent, name, value, schemeID="Criterion", schemeAgencyID="OP",
                schemeVersionID=C.SCHEME_VERSION)


def _country(parent, code: str) -> None:
    _sub(_sub(parent, "cac:Country"), "cbc:IdentificationCode", code, listID=_COUNTRY_LIST,
         listAgencyID="ISO", listName="country")


# --- checks ----------------------------------------------------------------------------------------

def _check_operator(operator: Operator) -> None:
    if not _SIRET.match(operator.siret or ""):
        raise EspdError(f"SIRET invalide : « {operator.siret} » (14 chiffres attendus).")
    if operator.size is not None and operator.size not in SIZES:
        raise EspdError(f"Taille d'entreprise inconnue : « {operator.size} » (micro, small, medium, "
                        "sme ou large).")
    years = [entry.year for entry in operator.turnovers]
    if len(set(years)) != len(years):
        raise EspdError("Deux chiffres d'affaires portent sur le même exercice.")
    for entry in operator.turnovers:
        if not 1900 <= entry.year <= 9999:
            raise EspdError(f"Exercice invalide : {entry.year}.")
        if Decimal(entry.amount) < 0:
            raise EspdError(f"Le chiffre d'affaires de {entry.year} ne peut pas être négatif.")
    _required(operator.name, "raison sociale")
    _required(operator.city, "commune")
    _required(operator.postal_code, "code postal")
    _required(operator.contact_name, "personne à contacter")
    _required(operator.email, "adresse électronique")
    for what, value in (("rue", operator.street), ("téléphone", operator.phone),
                        ("numéro de TVA", operator.vat_number), ("forme juridique", operator.legal_form),
                        ("code NAF", operator.naf), ("site internet", operator.website)):
        if value is not None:
            _clean(value, what)


def _check_answers(answers: tuple[ExclusionAnswer, ...]) -> dict[str, ExclusionAnswer]:
    by_code: dict[str, ExclusionAnswer] = {}
    for answer in answers:
        criterion = C.EXCLUSIONS_BY_CODE.get(answer.code)
        if criterion is None:
            raise EspdError(f"Motif d'exclusion inconnu : « {answer.code} ».")
        if answer.code in by_code:
            raise EspdError(f"Le motif d'exclusion « {criterion.name} » est renseigné deux fois.")
        if answer.breached and not answer.description.strip():
            raise EspdError(f"Motif d'exclusion « {criterion.name} » : une réponse « oui » doit être "
                            "expliquée.")
        if not answer.breached and (answer.description.strip() or answer.measures.strip()):
            raise EspdError(f"Motif d'exclusion « {criterion.name} » : une explication n'est attendue "
                            "qu'avec une réponse « oui ».")
        if answer.measures.strip() and criterion.shape.measures is None:
            raise EspdError(f"Motif d'exclusion « {criterion.name} » : ce motif ne prévoit pas de "
                            "mesures correctrices.")
        _clean(answer.description, f"explication ({criterion.name})")
        _clean(answer.measures, f"mesures ({criterion.name})")
        by_code[answer.code] = answer
    return by_code


def _check(data: EspdResponseData) -> dict[str, ExclusionAnswer]:
    if data.issued_at.tzinfo is None or data.issued_at.utcoffset() is None:
        raise EspdError("La date d'émission du DUME doit comporter un fuseau horaire.")
    try:
        uuid.UUID(data.uuid)
    except (ValueError, AttributeError, TypeError):
        raise EspdError(f"Identifiant UUID invalide : « {data.uuid} ».") from None
    if not data.sworn_statement:
        raise EspdError("Le DUME doit comporter la déclaration sur l'honneur de l'opérateur économique.")
    if data.role not in ROLES:
        raise EspdError(f"Rôle de l'opérateur inconnu : « {data.role} ».")
    _required(data.id, "identifiant du DUME")
    _check_procedure(data.procedure)
    _check_operator(data.operator)
    return _check_answers(data.exclusions)


def _check_procedure(procedure: Procedure) -> None:
    if not _SIREN_SIRET.match(procedure.buyer_id or ""):
        raise EspdError(f"SIRET ou SIREN de l'acheteur invalide : « {procedure.buyer_id} ».")
    _required(procedure.buyer_name, "nom de l'acheteur")
    _required(procedure.reference, "référence de la consultation")
    _clean(procedure.title, "objet de la consultation")
    _clean(procedure.description, "description de la consultation")
    if len(set(procedure.lots)) != len(procedure.lots):
        raise EspdError("Un lot est cité deux fois.")
    for lot in procedure.lots:
        _required(lot, "lot")


# --- document parts --------------------------------------------------------------------------------

def _header(root, *, id_: str, uuid_: str, folder: str, issued_at: datetime, agency: str,
            procedure_code: str | None) -> None:
    local = issued_at.astimezone(PARIS) if issued_at.utcoffset() is not None else issued_at
    _sub(root, "cbc:UBLVersionID", UBL_VERSION, schemeAgencyID="OASIS-UBL-TC")
    _sub(root, "cbc:ProfileExecutionID", PROFILE_EXECUTION_ID, schemeAgencyID="OP",
         schemeVersionID=EDM_VERSION)
    _sub(root, "cbc:ID", id_, schemeAgencyID=agency)
    _sub(root, "cbc:CopyIndicator", "false")
    _sub(root, "cbc:UUID", uuid_, schemeID=_UUID_SCHEME, schemeAgencyID=agency,
         schemeVersionID=EDM_VERSION)
    _sub(root, "cbc:ContractFolderID", folder, schemeAgencyID=agency)
    _sub(root, "cbc:IssueDate", local.strftime("%Y-%m-%d"))
    _sub(root, "cbc:IssueTime", local.strftime("%H:%M:%S") + _offset(local))
    _sub(root, "cbc:VersionID", EDM_VERSION, schemeAgencyID="OP", schemeVersionID=EDM_VERSION)
    if procedure_code:
        _sub(root, "cbc:ProcedureCode", procedure_code, listID=_PROCEDURE_LIST, listAgencyID="OP")


def _folder(procedure: Procedure) -> str:
    """The eForms procedure UUID when a notice exists (ESPD and notice then share it), else our reference."""
    return procedure.contract_folder_id or procedure.reference


def _contracting_party(root, procedure: Procedure) -> None:
    party = _sub(_sub(root, "cac:ContractingParty"), "cac:Party")
    scheme = "SIRET" if len(procedure.buyer_id) == 14 else "SIREN"
    _sub(_sub(party, "cac:PartyIdentification"), "cbc:ID", procedure.buyer_id, schemeID="NATIONAL",
         schemeName=scheme)
    _sub(_sub(party, "cac:PartyName"), "cbc:Name", procedure.buyer_name)
    _country(_sub(party, "cac:PostalAddress"), procedure.buyer_country)


def _classification(parent, operator: Operator) -> None:
    """NAF code and headcount band, both from the SIRENE register: one scheme, one category each."""
    if not (operator.naf or operator.headcount_band):
        return
    scheme = _sub(_sub(parent, "cac:QualifyingParty"), "cac:BusinessClassificationScheme")
    _sub(scheme, "cbc:ID", "SIRENE")
    _sub(scheme, "cbc:Name", "Répertoire SIRENE (INSEE)")
    for name, code in (("NAF", operator.naf), ("TEFEN", operator.headcount_band)):
        if code:
            category = _sub(scheme, "cac:ClassificationCategory")
            _sub(category, "cbc:Name", name)
            _sub(category, "cbc:CodeValue", code)


def _economic_operator(root, data: EspdResponseData) -> None:
    operator = data.operator
    eo = _sub(root, "cac:EconomicOperatorParty")
    _classification(eo, operator)
    _sub(_sub(eo, "cac:EconomicOperatorRole"), "cbc:RoleCode", data.role, listID=_ROLE_LIST[0],
         listAgencyID="OP", listVersionID=_ROLE_LIST[1])
    party = _sub(eo, "cac:Party")
    if operator.website:
        _sub(party, "cbc:WebsiteURI", operator.website)
    if operator.size:
        _sub(party, "cbc:IndustryClassificationCode", operator.size, listID=_SIZE_LIST[0],
             listAgencyID="OP", listVersionID=_SIZE_LIST[1])
    _sub(_sub(party, "cac:PartyIdentification"), "cbc:ID", operator.siret, schemeID="NATIONAL",
         schemeName="SIRET")
    if operator.vat_number:
        _sub(_sub(party, "cac:PartyIdentification"), "cbc:ID", operator.vat_number, schemeID="VAT")
    _sub(_sub(party, "cac:PartyName"), "cbc:Name", operator.name)
    address = _sub(party, "cac:PostalAddress")
    if operator.street:
        _sub(address, "cbc:StreetName", operator.street)
    _sub(address, "cbc:CityName", operator.city)
    _sub(address, "cbc:PostalZone", operator.postal_code)
    _country(address, operator.country)
    if operator.vat_number:
        tax = _sub(party, "cac:PartyTaxScheme")
        _sub(tax, "cbc:CompanyID", operator.vat_number, schemeID="VAT")
        _sub(_sub(tax, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = _sub(party, "cac:PartyLegalEntity")
    _sub(legal, "cbc:RegistrationName", operator.name)
    _sub(legal, "cbc:CompanyID", operator.siret, schemeID="NATIONAL", schemeName="SIRET")
    if operator.created_on:
        _sub(legal, "cbc:RegistrationDate", operator.created_on.isoformat())
    if operator.legal_form_code:
        _sub(legal, "cbc:CompanyLegalFormCode", operator.legal_form_code,
             listName="categorie-juridique-insee")
    if operator.legal_form:
        _sub(legal, "cbc:CompanyLegalForm", operator.legal_form)
    if operator.share_capital is not None:
        _amount(legal, "cbc:CorporateStockAmount", operator.share_capital, operator.capital_currency)
    contact = _sub(party, "cac:Contact")
    _sub(contact, "cbc:Name", operator.contact_name)
    if operator.phone:
        _sub(contact, "cbc:Telephone", operator.phone)
    _sub(contact, "cbc:ElectronicMail", operator.email)


def _project(root, procedure: Procedure, language: str) -> None:
    project = _sub(root, "cac:ProcurementProject")
    _sub(project, "cbc:ID", procedure.reference, schemeName="InternalID")
    if procedure.title:
        _sub(project, "cbc:Name", procedure.title, languageID=language)
    if procedure.description:
        _sub(project, "cbc:Description", procedure.description, languageID=language)
    for lot in procedure.lots or ("LOT-0000",):  # ESPD convention for a procedure without lots
        _sub(_sub(root, "cac:ProcurementProjectLot"), "cbc:ID", lot, schemeName="Lot")


def _group(parent, prefix: str, group: C.Group, *, name: str = "cac:TenderingCriterionPropertyGroup"):
    element = _sub(parent, name)
    group_id = f"{prefix}/{group.suffix}"
    _criterion_id(element, "cbc:ID", group_id)
    _sub(element, "cbc:PropertyGroupTypeCode", group.type_code, listID="property-group-type",
         listAgencyID="OP", listVersionID=C.SCHEME_VERSION)
    for prop in group.props:
        prop_element = _sub(element, "cac:TenderingCriterionProperty")
        _criterion_id(prop_element, "cbc:ID", f"{group_id}/{prop.suffix}")
        _sub(prop_element, "cbc:Description", prop.label)
        _sub(prop_element, "cbc:TypeCode", prop.kind, listID="criterion-element-type", listAgencyID="OP",
             listVersionID=C.SCHEME_VERSION)
        _sub(prop_element, "cbc:ValueDataTypeCode", prop.data_type, listID="response-data-type",
             listAgencyID="OP", listVersionID=C.SCHEME_VERSION)
    for subgroup in group.subgroups:
        _group(element, group_id, subgroup, name="cac:SubsidiaryTenderingCriterionPropertyGroup")


def _criterion(root, criterion: C.Criterion) -> None:
    element = _sub(root, "cac:TenderingCriterion")
    _criterion_id(element, "cbc:ID", criterion.uuid)
    if criterion is C.ALL_SATISFIED:
        list_id, agency, version = C.ALL_SATISFIED_LIST
        _sub(element, "cbc:CriterionTypeCode", criterion.code, listID=list_id, listAgencyID=agency,
             listVersionID=version)
    else:
        _sub(element, "cbc:CriterionTypeCode", criterion.code, listID=C.CRITERION_LIST_ID, listAgencyID="OP",
             listVersionID=C.CRITERION_LIST_VERSION)
    _sub(element, "cbc:Name", criterion.name)
    _sub(element, "cbc:Description", criterion.question)
    for group in criterion.shape.groups:
        _group(element, criterion.prefix, group)


class _Responses:
    """Collects cac:TenderingCriterionResponse elements with deterministic identifiers."""

    def __init__(self, document_uuid: str, agency: str):
        self.namespace = uuid.UUID(document_uuid)
        self.agency = agency
        self.elements: list[etree._Element] = []
        self.seen: dict[str, int] = {}

    def _new(self, property_id: str):
        count = self.seen.get(property_id, 0)
        self.seen[property_id] = count + 1
        key = f"{property_id}#{count}"
        element = etree.Element(_q("cac:TenderingCriterionResponse"), nsmap=_NSMAP)
        _sub(element, "cbc:ID", uuid.uuid5(self.namespace, key), schemeID=_UUID_SCHEME,
             schemeAgencyID=self.agency)
        _criterion_id(element, "cbc:ValidatedCriterionPropertyID", property_id)
        self.elements.append(element)
        return element, key

    def _value(self, element, key: str):
        value = _sub(element, "cac:ResponseValue")
        _sub(value, "cbc:ID", uuid.uuid5(self.namespace, key + "/value"), schemeID=_UUID_SCHEME,
             schemeAgencyID=self.agency)
        return value

    def indicator(self, property_id: str, answer: bool, description: str = "") -> None:
        element, key = self._new(property_id)
        value = self._value(element, key)
        if description:
            _sub(value, "cbc:Description", description)
        _sub(value, "cbc:ResponseIndicator", "true" if answer else "false")

    def text(self, property_id: str, text: str) -> None:
        element, key = self._new(property_id)
        _sub(self._value(element, key), "cbc:Description", text)

    def amount(self, property_id: str, amount: Decimal, currency: str) -> None:
        element, key = self._new(property_id)
        _amount(self._value(element, key), "cbc:ResponseAmount", amount, currency)

    def day(self, property_id: str, day: date) -> None:
        element, key = self._new(property_id)
        _sub(self._value(element, key), "cbc:ResponseDate", day.isoformat())

    def period(self, property_id: str, start: date, end: date) -> None:
        element, _key = self._new(property_id)
        period = _sub(element, "cac:ApplicablePeriod")
        _sub(period, "cbc:StartDate", start.isoformat())
        _sub(period, "cbc:EndDate", end.isoformat())


def _answer_exclusion(responses: _Responses, criterion: C.Criterion, answer: ExclusionAnswer | None) -> None:
    shape, prefix = criterion.shape, criterion.prefix
    if answer is None or not answer.breached:
        responses.indicator(f"{prefix}/{shape.answer}", False)
        return
    description = answer.description.strip()
    if shape.detail:
        responses.indicator(f"{prefix}/{shape.answer}", True)
        responses.text(f"{prefix}/{shape.detail}", description)
    else:  # no free-text question in this tree: the explanation goes with the answer itself
        responses.indicator(f"{prefix}/{shape.answer}", True, description)
    if shape.measures:
        measures = answer.measures.strip()
        responses.indicator(f"{prefix}/{shape.measures}", bool(measures))
        if measures:
            responses.text(f"{prefix}/{shape.measures_text}", measures)


def _answer_turnover(responses: _Responses, operator: Operator) -> None:
    prefix = C.GENERAL_TURNOVER.prefix
    responses.indicator(f"{prefix}/{C.GENERAL_TURNOVER.shape.answer}", True)
    for entry in sorted(operator.turnovers, key=lambda entry: entry.year, reverse=True):
        responses.period(f"{prefix}/{C.TURNOVER_PERIOD}", date(entry.year, 1, 1), date(entry.year, 12, 31))
        responses.amount(f"{prefix}/{C.TURNOVER_AMOUNT}", entry.amount, entry.currency)
    if operator.created_on:
        responses.day(f"{prefix}/{C.TURNOVER_SET_UP}", operator.created_on)


def _notice_reference(root, procedure: Procedure) -> None:
    if procedure.notice_id:
        reference = _sub(root, "cac:AdditionalDocumentReference")
        _sub(reference, "cbc:ID", procedure.notice_id, schemeName="notice-id")
        _sub(reference, "cbc:DocumentTypeCode", "TED_CN", listID="docrefcontent-type", listAgencyID="OP")


def build_espd_response(data: EspdResponseData) -> bytes:
    """The operator's ESPD response (structured DUME) as UTF-8 XML, ESPD-EDM v4.1.0.

    Every exclusion ground of criteria.EXCLUSION_GROUNDS is answered ("no"
    unless `data.exclusions` says otherwise), the general turnover is given when
    known, and the global indicator α carries `all_selection_criteria_satisfied`.
    Raises EspdError (French) on inconsistent input: a DUME with a wrong answer
    is worse than no DUME.
    """
    answers = _check(data)
    procedure, operator = data.procedure, data.operator
    root = etree.Element(f"{{{QAR}}}QualificationApplicationResponse", nsmap={None: QAR, **_NSMAP})
    _header(root, id_=data.id, uuid_=data.uuid, folder=_folder(procedure), issued_at=data.issued_at,
            agency=data.agency_id, procedure_code=procedure.procedure_code)
    _sub(root, "cbc:Note", C.SWORN_STATEMENT, languageID=data.language)
    _contracting_party(root, procedure)
    _economic_operator(root, data)
    _project(root, procedure, data.language)
    answered = [*C.EXCLUSION_GROUNDS, C.ALL_SATISFIED]
    if operator.turnovers:
        answered.append(C.GENERAL_TURNOVER)
    for criterion in answered:
        _criterion(root, criterion)
    responses = _Responses(data.uuid, data.agency_id)
    for criterion in C.EXCLUSION_GROUNDS:
        _answer_exclusion(responses, criterion, answers.get(criterion.code))
    responses.indicator(f"{C.ALL_SATISFIED.prefix}/{C.ALL_SATISFIED.shape.answer}",
                        data.all_selection_criteria_satisfied)
    if operator.turnovers:
        _answer_turnover(responses, operator)
    root.extend(responses.elements)
    _notice_reference(root, procedure)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_espd_request(*, id_: str, uuid_: str, issued_at: datetime, procedure: Procedure,
                       agency_id: str = "TERRITOIRES", language: str = "FRA",
                       with_turnover: bool = False) -> bytes:
    """The buyer's ESPD request (QualificationApplicationRequest) for the same criteria.

    It lists every exclusion ground of the simplified candidature, the global
    indicator α and, with `with_turnover`, the general yearly turnover.
    """
    if issued_at.tzinfo is None or issued_at.utcoffset() is None:
        raise EspdError("La date d'émission du DUME doit comporter un fuseau horaire.")
    try:
        uuid.UUID(uuid_)
    except (ValueError, AttributeError, TypeError):
        raise EspdError(f"Identifiant UUID invalide : « {uuid_} ».") from None
    _required(id_, "identifiant du DUME")
    _check_procedure(procedure)
    root = etree.Element(f"{{{QAQ}}}QualificationApplicationRequest", nsmap={None: QAQ, **_NSMAP})
    _header(root, id_=id_, uuid_=uuid_, folder=_folder(procedure), issued_at=issued_at,
            agency=agency_id, procedure_code=procedure.procedure_code)
    _contracting_party(root, procedure)
    _project(root, procedure, language)
    requested = [*C.EXCLUSION_GROUNDS, C.ALL_SATISFIED]
    if with_turnover:
        requested.append(C.GENERAL_TURNOVER)
    for criterion in requested:
        _criterion(root, criterion)
    _notice_reference(root, procedure)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


__all__ = ["build_espd_request", "build_espd_response"]
