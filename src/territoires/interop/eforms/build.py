"""Contract notices (subtype 16) and award notices (subtype 29) as eForms XML.

The XSD is loose on purpose (business rules are in the SDK Schematrons), so
the element order and content aim at the SDK's notice structure (the fields of
notice-types/16.json and 29.json, where each lives in the XML), not just at
what the XSD accepts: the notice must also pass TED's Schematron checks later,
which we cannot run here (the Schematrons are not in the reference folder). Identifiers inside the notice
(ORG-, LOT-, RES-, TEN-, TPA-, CON-) follow the SDK's schemes.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree

from territoires.interop.eforms.data import AwardNoticeData, ContractNoticeData, Lot, Organization
from territoires.interop.eforms.errors import NoticeError
from territoires.interop.eforms.namespaces import CAN, CN, CUSTOMIZATION_ID, NS
from territoires.interop.xmlbuild import XmlWriter

PARIS = ZoneInfo("Europe/Paris")
_NSMAP_BASE = {"cac": NS["cac"], "cbc": NS["cbc"], "efac": NS["efac"], "efbc": NS["efbc"],
               "efext": NS["efext"], "ext": NS["ext"]}


_writer = XmlWriter(NS)
_q, _sub = _writer.q, _writer.sub


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NoticeError(f"La date « {what} » doit comporter un fuseau horaire.")
    return value


def _offset(value: datetime) -> str:
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "Z"
    sign = "+" if minutes > 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d") + _offset(value)


def _time(value: datetime) -> str:
    return value.strftime("%H:%M:%S") + _offset(value)


def _day(value: date) -> str:
    """A calendar date with the Paris offset of that day, as eForms dates carry one."""
    return _date(datetime.combine(value, time(12), tzinfo=PARIS))


def _amount(parent, name: str, value: Decimal, currency: str):
    return _sub(parent, name, f"{Decimal(value):.2f}", currencyID=currency)


def _organization(parent, org: Organization, *, buyer: bool = False) -> None:
    organization = _sub(parent, "efac:Organization")
    if buyer:
        _sub(organization, "efbc:AcquiringCPBIndicator", "false")
        _sub(organization, "efbc:AwardingCPBIndicator", "false")
    company = _sub(organization, "efac:Company")
    if org.website:
        _sub(company, "cbc:WebsiteURI", org.website)
    _sub(_sub(company, "cac:PartyIdentification"), "cbc:ID", org.id, schemeName="organization")
    _sub(_sub(company, "cac:PartyName"), "cbc:Name", org.name, languageID="FRA")
    address = _sub(company, "cac:PostalAddress")
    if org.street:
        _sub(address, "cbc:StreetName", org.street)
    _sub(address, "cbc:CityName", org.city)
    _sub(address, "cbc:PostalZone", org.postal_code)
    _sub(address, "cbc:CountrySubentityCode", org.nuts, listName="nuts")
    _sub(_sub(address, "cac:Country"), "cbc:IdentificationCode", org.country, listName="country")
    if org.company_id:
        _sub(_sub(company, "cac:PartyLegalEntity"), "cbc:CompanyID", org.company_id)
    if org.phone or org.email:
        contact = _sub(company, "cac:Contact")
        if org.phone:
            _sub(contact, "cbc:Telephone", org.phone)
        if org.email:
            _sub(contact, "cbc:ElectronicMail", org.email)


def _header(root, data, *, notice_type_list: str, organizations: list[Organization], extension_hook=None):
    """UBLExtensions (organisations, subtype) and the cbc header common to 16 and 29."""
    issued_at = _aware(data.issued_at, "date d'émission")
    extension = _sub(_sub(_sub(_sub(root, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent"),
                     "efext:EformsExtension")
    if extension_hook is not None:
        extension_hook(extension)  # efac:NoticeResult comes before NoticeSubType
    _sub(_sub(extension, "efac:NoticeSubType"), "cbc:SubTypeCode", data.subtype, listName="notice-subtype")
    orgs = _sub(extension, "efac:Organizations")
    for index, org in enumerate(organizations):
        _organization(orgs, org, buyer=index == 0)
    _sub(root, "cbc:UBLVersionID", "2.3")
    _sub(root, "cbc:CustomizationID", CUSTOMIZATION_ID)
    _sub(root, "cbc:ID", data.notice_id, schemeName="notice-id")
    _sub(root, "cbc:ContractFolderID", data.contract_folder_id)
    _sub(root, "cbc:IssueDate", _date(issued_at))
    _sub(root, "cbc:IssueTime", _time(issued_at))
    _sub(root, "cbc:VersionID", data.version)
    _sub(root, "cbc:RegulatoryDomain", data.regulatory_domain)
    _sub(root, "cbc:NoticeTypeCode", data.notice_type, listName=notice_type_list)


def _contracting_party(root, data) -> None:
    party = _sub(root, "cac:ContractingParty")
    _sub(_sub(party, "cac:ContractingPartyType"), "cbc:PartyTypeCode", data.buyer_legal_type,
         listName="buyer-legal-type")
    _sub(_sub(party, "cac:ContractingActivity"), "cbc:ActivityTypeCode", data.buyer_activity,
         listName="authority-activity")
    _sub(_sub(_sub(party, "cac:Party"), "cac:PartyIdentification"), "cbc:ID", data.buyer.id,
         schemeName="organization")


def _location(parent, nuts: str) -> None:
    address = _sub(_sub(parent, "cac:RealizedLocation"), "cac:Address")
    _sub(address, "cbc:CountrySubentityCode", nuts, listName="nuts")
    _sub(_sub(address, "cac:Country"), "cbc:IdentificationCode", "FRA", listName="country")


def _project(parent, *, id_, title, description, nature, cpv_main, cpv_additional, nuts, value, currency,
             language, duration_months=None, scheme="InternalID"):
    project = _sub(parent, "cac:ProcurementProject")
    if id_:
        _sub(project, "cbc:ID", id_, schemeName=scheme)
    _sub(project, "cbc:Name", title, languageID=language)
    _sub(project, "cbc:Description", description, languageID=language)
    _sub(project, "cbc:ProcurementTypeCode", nature, listName="contract-nature")
    if value is not None:
        _amount(_sub(project, "cac:RequestedTenderTotal"), "cbc:EstimatedOverallContractAmount", value, currency)
    _sub(_sub(project, "cac:MainCommodityClassification"), "cbc:ItemClassificationCode", cpv_main,
         listName="cpv")
    for code in cpv_additional:
        _sub(_sub(project, "cac:AdditionalCommodityClassification"), "cbc:ItemClassificationCode", code,
             listName="cpv")
    for code in nuts:
        _location(project, code)
    if duration_months:
        _sub(_sub(project, "cac:PlannedPeriod"), "cbc:DurationMeasure", duration_months, unitCode="MONTH")
    return project


_NATURES = {"works", "supplies", "services"}


def _check_common(data) -> None:
    if data.nature not in _NATURES:
        raise NoticeError(f"Nature du marché inconnue : « {data.nature} » (travaux « works », "
                          "fournitures « supplies » ou services « services »).")
    if not data.lots:
        raise NoticeError("Un avis doit comporter au moins un lot.")
    ids = [lot.id for lot in data.lots]
    if len(set(ids)) != len(ids):
        raise NoticeError("Deux lots portent le même identifiant.")


def build_contract_notice(data: ContractNoticeData) -> bytes:
    """A contract notice (subtype 16 by default) as UTF-8 eForms XML.

    Raises NoticeError (French) when a lot has no deadline or a date is naive:
    a notice with a wrong deadline is worse than no notice.
    """
    _check_common(data)
    for lot in data.lots:
        if lot.deadline is None:
            raise NoticeError(f"Le lot {lot.id} n'a pas de date limite de réception des offres.")
        _aware(lot.deadline, f"date limite du lot {lot.id}")
    root = etree.Element(f"{{{CN}}}ContractNotice", nsmap={None: CN, **_NSMAP_BASE})
    _header(root, data, notice_type_list="competition", organizations=[data.buyer, data.review_body])
    _sub(root, "cbc:NoticeLanguageCode", data.language)
    _contracting_party(root, data)
    terms = _sub(root, "cac:TenderingTerms")
    lot_distribution = _sub(terms, "cac:LotDistribution")
    _sub(lot_distribution, "cbc:MaximumLotsAwardedNumeric", len(data.lots))
    _sub(lot_distribution, "cbc:MaximumLotsSubmittedNumeric", len(data.lots))
    _sub(_sub(root, "cac:TenderingProcess"), "cbc:ProcedureCode", data.procedure_code,
         listName="procurement-procedure-type")
    _project(root, id_=data.reference, title=data.title, description=data.description, nature=data.nature,
             cpv_main=data.cpv_main, cpv_additional=data.cpv_additional, nuts=data.nuts,
             value=data.estimated_value, currency=data.currency, language=data.language)
    for lot in data.lots:
        _contract_lot(root, data, lot)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _contract_lot(root, data: ContractNoticeData, lot: Lot) -> None:
    element = _sub(root, "cac:ProcurementProjectLot")
    _sub(element, "cbc:ID", lot.id, schemeName="Lot")
    terms = _sub(element, "cac:TenderingTerms")
    _sub(terms, "cbc:VariantConstraintCode", "allowed" if data.variants_allowed else "not-allowed",
         listName="permission")
    _sub(terms, "cbc:RecurringProcurementIndicator", "false")
    documents = _sub(terms, "cac:CallForTendersDocumentReference")
    _sub(documents, "cbc:ID", "DCE")
    _sub(documents, "cbc:DocumentType", "non-restricted-document")
    _sub(_sub(documents, "cac:Attachment"), "cac:ExternalReference").append(
        _uri(data.documents_url))
    criterion = _sub(_sub(terms, "cac:AwardingTerms"), "cac:AwardingCriterion")
    sub = _sub(criterion, "cac:SubordinateAwardingCriterion")
    _sub(sub, "cbc:AwardingCriterionTypeCode", "price", listName="award-criterion-type")
    _sub(sub, "cbc:Description", "Prix", languageID=data.language)
    _sub(_sub(terms, "cac:TenderRecipientParty"), "cbc:EndpointID", data.submission_url)
    _sub(_sub(terms, "cac:TenderValidityPeriod"), "cbc:DurationMeasure", "4", unitCode="MONTH")
    _sub(_sub(_sub(_sub(terms, "cac:AppealTerms"), "cac:AppealReceiverParty"), "cac:PartyIdentification"),
         "cbc:ID", data.review_body.id, schemeName="organization")
    _sub(_sub(terms, "cac:Language"), "cbc:ID", data.language)
    process = _sub(element, "cac:TenderingProcess")
    _sub(process, "cbc:SubmissionMethodCode", "required", listName="esubmission")
    _sub(process, "cbc:GovernmentAgreementConstraintIndicator", "true")
    deadline = _sub(process, "cac:TenderSubmissionDeadlinePeriod")
    _sub(deadline, "cbc:EndDate", _date(lot.deadline))
    _sub(deadline, "cbc:EndTime", _time(lot.deadline))
    _project(element, id_=None, title=lot.title, description=lot.description, nature=data.nature,
             cpv_main=lot.cpv_main, cpv_additional=lot.cpv_additional, nuts=lot.nuts or data.nuts,
             value=lot.estimated_value, currency=data.currency, language=data.language,
             duration_months=lot.duration_months)


def _uri(url: str):
    element = etree.Element(_q("cbc:URI"))
    element.text = url
    return element


def build_award_notice(data: AwardNoticeData) -> bytes:
    """A contract award notice (subtype 29 by default) as UTF-8 eForms XML.

    Results go in efac:NoticeResult (as the SDK does), not in cac:TenderResult:
    one LotResult, LotTender, SettledContract and TenderingParty per award.
    """
    _check_common(data)
    if not data.awards:
        raise NoticeError("Un avis d'attribution doit comporter au moins une attribution.")
    lot_ids = {lot.id for lot in data.lots}
    for award in data.awards:
        if award.lot_id not in lot_ids:
            raise NoticeError(f"L'attribution vise un lot inconnu : {award.lot_id}.")
    winners = []
    for award in data.awards:
        if award.winner.id not in {w.id for w in winners}:
            winners.append(award.winner)

    def results(extension):
        result = _sub(extension, "efac:NoticeResult")
        _amount(result, "cbc:TotalAmount", sum((a.amount for a in data.awards), Decimal(0)), data.currency)
        for n, award in enumerate(data.awards, start=1):
            lot_result = _sub(result, "efac:LotResult")
            _sub(lot_result, "cbc:ID", f"RES-{n:04d}", schemeName="result")
            _sub(lot_result, "cbc:TenderResultCode", "selec-w", listName="winner-selection-status")
            _sub(_sub(lot_result, "efac:LotTender"), "cbc:ID", f"TEN-{n:04d}", schemeName="tender")
            if award.tenders_received is not None:
                stats = _sub(lot_result, "efac:ReceivedSubmissionsStatistics")
                _sub(stats, "efbc:StatisticsCode", "tenders", listName="received-submission-type")
                _sub(stats, "efbc:StatisticsNumeric", award.tenders_received)
            _sub(_sub(lot_result, "efac:SettledContract"), "cbc:ID", award.contract_id, schemeName="contract")
            _sub(_sub(lot_result, "efac:TenderLot"), "cbc:ID", award.lot_id, schemeName="Lot")
        for n, award in enumerate(data.awards, start=1):
            tender = _sub(result, "efac:LotTender")
            _sub(tender, "cbc:ID", f"TEN-{n:04d}", schemeName="tender")
            _sub(tender, "cbc:RankCode", "1")
            _amount(_sub(tender, "cac:LegalMonetaryTotal"), "cbc:PayableAmount", award.amount, data.currency)
            _sub(_sub(tender, "efac:TenderingParty"), "cbc:ID", f"TPA-{n:04d}", schemeName="tendering-party")
            _sub(_sub(tender, "efac:TenderLot"), "cbc:ID", award.lot_id, schemeName="Lot")
        for n, award in enumerate(data.awards, start=1):
            contract = _sub(result, "efac:SettledContract")
            _sub(contract, "cbc:ID", award.contract_id, schemeName="contract")
            _sub(contract, "cbc:IssueDate", _day(award.contract_date))
            _sub(contract, "cbc:Title", award.contract_title, languageID=data.language)
            _sub(_sub(contract, "efac:LotTender"), "cbc:ID", f"TEN-{n:04d}", schemeName="tender")
        for n, award in enumerate(data.awards, start=1):
            party = _sub(result, "efac:TenderingParty")
            _sub(party, "cbc:ID", f"TPA-{n:04d}", schemeName="tendering-party")
            _sub(_sub(party, "efac:Tenderer"), "cbc:ID", award.winner.id, schemeName="organization")

    root = etree.Element(f"{{{CAN}}}ContractAwardNotice", nsmap={None: CAN, **_NSMAP_BASE})
    _header(root, data, notice_type_list="result", organizations=[data.buyer, data.review_body, *winners],
            extension_hook=results)
    _sub(root, "cbc:NoticeLanguageCode", data.language)
    _contracting_party(root, data)
    _sub(_sub(root, "cac:TenderingProcess"), "cbc:ProcedureCode", data.procedure_code,
         listName="procurement-procedure-type")
    _project(root, id_=data.reference, title=data.title, description=data.description, nature=data.nature,
             cpv_main=data.cpv_main, cpv_additional=(), nuts=data.nuts, value=None, currency=data.currency,
             language=data.language)
    for lot in data.lots:
        element = _sub(root, "cac:ProcurementProjectLot")
        _sub(element, "cbc:ID", lot.id, schemeName="Lot")
        terms = _sub(element, "cac:TenderingTerms")
        _sub(_sub(_sub(_sub(terms, "cac:AppealTerms"), "cac:AppealReceiverParty"), "cac:PartyIdentification"),
             "cbc:ID", data.review_body.id, schemeName="organization")
        _sub(_sub(element, "cac:TenderingProcess"), "cbc:GovernmentAgreementConstraintIndicator", "true")
        _project(element, id_=None, title=lot.title, description=lot.description, nature=data.nature,
                 cpv_main=lot.cpv_main, cpv_additional=lot.cpv_additional, nuts=lot.nuts or data.nuts,
                 value=lot.estimated_value, currency=data.currency, language=data.language)
    # BT-1451 winner decision date; the XSD requires at least one cac:TenderResult.
    _sub(_sub(root, "cac:TenderResult"), "cbc:AwardDate", _day(min(a.contract_date for a in data.awards)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
