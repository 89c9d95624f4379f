"""Namespaces and root elements of eForms notices (UBL 2.3 + eForms extensions)."""

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
EXT = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
EFAC = "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1"
EFBC = "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1"
EFEXT = "http://data.europa.eu/p27/eforms-ubl-extensions/1"

CN = "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
CAN = "urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2"
PIN = "urn:oasis:names:specification:ubl:schema:xsd:PriorInformationNotice-2"

NS = {"cbc": CBC, "cac": CAC, "ext": EXT, "efac": EFAC, "efbc": EFBC, "efext": EFEXT}

# Clark name of the root -> (kind before looking for efac:Changes, XSD file in maindoc/).
ROOTS = {
    f"{{{CN}}}ContractNotice": ("contract", "UBL-ContractNotice-2.3.xsd"),
    f"{{{CAN}}}ContractAwardNotice": ("award", "UBL-ContractAwardNotice-2.3.xsd"),
    f"{{{PIN}}}PriorInformationNotice": ("prior", "UBL-PriorInformationNotice-2.3.xsd"),
}

# The SDK version our XML follows: notice-types/*.json say sdkVersion 1.15.1, and
# cbc:CustomizationID carries only major.minor ("eforms-sdk-1.15").
CUSTOMIZATION_ID = "eforms-sdk-1.15"
