"""Small lxml helpers shared by the builders and the parser.

The schema has attributeFormDefault="qualified": every attribute, even local
ones such as Date or Nombre, carries the actes: prefix (insee:SIREN for the
SIREN). Writers always qualify; readers also accept unqualified attributes
and elements, which some producers emit.
"""

from datetime import date

from lxml import etree

from territoires.interop.actes.codes import ACTES_NS, INSEE_NS, NSMAP

XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'


def q(name: str) -> str:
    return f"{{{ACTES_NS}}}{name}"


def qi(name: str) -> str:
    return f"{{{INSEE_NS}}}{name}"


def iso(value: date) -> str:
    return value.isoformat()


def root_element(name: str, **attrs: str) -> etree._Element:
    element = etree.Element(q(name), nsmap=NSMAP)
    for key, value in attrs.items():
        element.set(q(key), value)
    return element


def sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, q(name))
    for key, value in attrs.items():
        element.set(q(key), value)
    if text is not None:
        element.text = text
    return element


def serialize(root: etree._Element) -> bytes:
    """ISO-8859-1 bytes with the declaration written the way the ministry writes it.

    Characters outside Latin-1 (€, œ, ’) become numeric references, so nothing is lost.
    """
    body = etree.tostring(root, encoding="ISO-8859-1", xml_declaration=False, pretty_print=True)
    return XML_DECLARATION + body


# Reading ---------------------------------------------------------------------------------


def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [child for child in element if isinstance(child.tag, str) and local(child) == name]


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    found = children(element, name)
    return found[0] if found else None


def text(element: etree._Element | None, name: str) -> str | None:
    found = child(element, name)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def attr(element: etree._Element | None, name: str) -> str | None:
    """Attribute by local name, whatever its namespace (qualified or not)."""
    if element is None:
        return None
    for key in (q(name), qi(name), name):
        value = element.get(key)
        if value is not None:
            return value.strip()
    for key, value in element.attrib.items():
        if etree.QName(key).localname == name:
            return value.strip()
    return None


def is_nil(element: etree._Element | None) -> bool:
    if element is None:
        return False
    nil = element.get("{http://www.w3.org/2001/XMLSchema-instance}nil")
    return nil in {"true", "1"}


def read_date(raw: str | None, label: str, warnings: list[str]) -> date | None:
    """xs:date leniently: "2024-01-02", also with a time zone ("Z", "+01:00"); None + warning if unreadable."""
    if raw is None or raw == "":
        return None
    value = raw.strip()
    if value.endswith("Z"):
        value = value[:-1]
    elif len(value) > 10 and value[10] in "+-":
        value = value[:10]
    try:
        return date.fromisoformat(value)
    except ValueError:
        warnings.append(f"Date illisible pour {label} : « {raw} ».")
        return None
