"""Writing namespaced XML with lxml, the same way in every builder (eForms, ESPD…)."""

from lxml import etree


class XmlWriter:
    """`q("cbc:ID")` gives the Clark name; `sub(parent, "cbc:ID", text, **attrs)` appends a child.

    Attribute values and text are turned into strings here, so builders can pass
    numbers and dates' ISO strings alike.
    """

    def __init__(self, namespaces: dict[str, str]):
        self.namespaces = namespaces

    def q(self, name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{self.namespaces[prefix]}}}{local}"

    def sub(self, parent, name: str, text=None, **attrs):
        element = etree.SubElement(parent, self.q(name), {key: str(value) for key, value in attrs.items()})
        if text is not None:
            element.text = str(text)
        return element
