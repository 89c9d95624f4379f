"""`territoires actes parse FILE` on an archive, a message, a 7-2 and bad input."""

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from territoires.interop import actes as a
from tests.interop.actes.conftest import FIXTURES
from tests.interop.actes.samples import EMITTER


def _run(path) -> dict:
    out = io.StringIO()
    call_command("actes", "parse", str(path), stdout=out)
    return json.loads(out.getvalue())


def test_parse_archive(tmp_path):
    message = a.acte_message(
        EMITTER, numero_interne="D201717", nature_code=1, decision_date=date(2017, 7, 17),
        matiere_codes=(7, 1), objet="Budget supplémentaire", classification_date=date(2017, 1, 1),
        document=a.Attachment(b"%PDF-1.7", "pdf"),
    )
    archive = a.cl_archive(trigram="SLO", emitter=EMITTER, return_emails=["a@mairie-exemple.fr"],
                           messages=[message], day=date(2017, 7, 17), counter=5)
    path = tmp_path / archive.name
    path.write_bytes(archive.data)
    result = _run(path)
    assert result["archive"] == "SLO-EACT--214502494--20170717-5.tar.gz"
    assert [(m["root"], m["code"]) for m in result["messages"]] == [("EnveloppeCLMISILL", None), ("Acte", "1-1")]
    acte = result["messages"][1]
    assert acte["id_acte"] == "045-214502494-20170717-D201717-DE"
    assert acte["decision_date"] == "2017-07-17"
    assert acte["objet"] == "Budget supplémentaire"
    assert acte["warnings"] == []


def test_parse_single_message():
    name = "021-212100011-20261102-DEL2026_01-DE-1-2_0.xml"
    result = _run(FIXTURES / name)
    (message,) = result["messages"]
    assert message["file"] == name
    assert message["root"] == "ARActe"
    assert message["code"] == "1-2"
    assert message["id_acte"] == "021-212100011-20261102-DEL2026_01-DE"
    assert message["date_reception"] == "2026-11-03"
    assert message["nature"] == 1
    assert message["detail"] is None


def test_parse_envelope_and_anomaly_with_warnings():
    assert _run(FIXTURES / "EACT--SPREF0211-212100011-20261103-1.xml")["messages"][0]["code"] is None
    (anomaly,) = _run(FIXTURES / "ANO_EACT--212100011--20261102-4.xml")["messages"]
    assert anomaly["root"] == "AnomalieEnveloppe"
    assert anomaly["nature"] == 999
    assert anomaly["detail"].startswith("ODT-VERIF-17")
    assert any("999" in w for w in anomaly["warnings"])
    assert any(w.startswith("Schéma : ") for w in anomaly["warnings"])


def test_parse_classification():
    (message,) = _run(FIXTURES / "021-212100011----7-2_0.xml")["messages"]
    assert message["code"] == "7-2"
    assert message["classification_date"] == "2025-01-15"
    assert message["matieres"][:3] == ["1", "1.1", "1.1.1"]
    assert "7.10" in message["matieres"]


def test_unreadable_input_fails_in_french(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<pas du xml")
    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("actes", "parse", str(path))
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(b"\x1f\x8b" + b"not really gzip")
    with pytest.raises(CommandError, match="Archive illisible"):
        call_command("actes", "parse", str(archive))
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("actes", "parse", str(tmp_path / "absent.tar.gz"))
