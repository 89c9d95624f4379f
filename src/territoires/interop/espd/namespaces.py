"""Namespaces and root elements of ESPD documents (UBL 2.3, ESPD-EDM v4)."""

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
QAR = "urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2"
QAQ = "urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationRequest-2"

NS = {"cbc": CBC, "cac": CAC}

# Clark name of the root -> (kind, XSD file in xsd/maindoc/).
ROOTS = {
    f"{{{QAR}}}QualificationApplicationResponse": ("response", "UBL-QualificationApplicationResponse-2.3.xsd"),
    f"{{{QAQ}}}QualificationApplicationRequest": ("request", "UBL-QualificationApplicationRequest-2.3.xsd"),
}

UBL_VERSION = "2.3"
EDM_VERSION = "4.1.0"
PROFILE_EXECUTION_ID = "ESPD-EDMv4.1.0"  # code of ProfileExecutionID.gc (version 4.1.0)
