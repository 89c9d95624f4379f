"""Archives: deterministic when written, defensive when read, complete end to end."""

import gzip
import io
import tarfile
from datetime import date

import pytest

from territoires.interop import actes as a
from territoires.interop.actes.errors import ArchiveError
from tests.interop.actes.conftest import fixture_bytes
from tests.interop.actes.samples import EMITTER

MEMBERS = [("EACT--214502494--20170717-5.xml", b"<a/>"), ("doc_1.pdf", b"%PDF-1.7 fake")]


def _tar(entries, compress=True) -> bytes:
    """A hand-made (possibly hostile) archive: entries are TarInfo-tweaking callables."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, content, tweak in entries:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            if tweak:
                tweak(info)
            tar.addfile(info, io.BytesIO(content) if info.isreg() else None)
    return gzip.compress(raw.getvalue()) if compress else raw.getvalue()


def test_pack_is_deterministic():
    first = a.pack(MEMBERS, mtime=1500249600)
    assert first == a.pack(MEMBERS, mtime=1500249600)
    assert first != a.pack(MEMBERS, mtime=1500249601)
    assert first[:2] == b"\x1f\x8b"
    with tarfile.open(fileobj=io.BytesIO(first)) as tar:
        infos = tar.getmembers()
    assert [(i.name, i.mtime, i.uid, i.gid, i.mode, i.uname) for i in infos] == [
        (name, 1500249600, 0, 0, 0o644, "") for name, _ in MEMBERS
    ]


def test_pack_unpack_round_trip():
    assert a.unpack(a.pack(MEMBERS)) == MEMBERS


@pytest.mark.parametrize("name", ["../evil.xml", "dir/x.xml", "délibération.pdf", "", "a b.pdf"])
def test_pack_refuses_bad_names(name):
    with pytest.raises(ArchiveError):
        a.pack([(name, b"x")])


def test_pack_refuses_duplicates_and_empty():
    with pytest.raises(ArchiveError, match="double"):
        a.pack([("a.xml", b""), ("a.xml", b"")])
    with pytest.raises(ArchiveError, match="vide"):
        a.pack([])


@pytest.mark.parametrize(
    ("entries", "fragment"),
    [
        ([("../../etc/cron.d/x", b"x", None)], "chemin interdit"),
        ([("sub/x.xml", b"x", None)], "chemin interdit"),
        ([("/abs.xml", b"x", None)], "chemin interdit"),
        ([("link.xml", b"", lambda i: (setattr(i, "type", tarfile.SYMTYPE), setattr(i, "linkname", "/etc/passwd")))],
         "lien"),
        ([("hard.xml", b"", lambda i: (setattr(i, "type", tarfile.LNKTYPE), setattr(i, "linkname", "a.xml")))],
         "lien"),
        ([("dev", b"", lambda i: setattr(i, "type", tarfile.CHRTYPE))], "fichier ordinaire"),
        ([("fifo", b"", lambda i: setattr(i, "type", tarfile.FIFOTYPE))], "fichier ordinaire"),
        ([("a.xml", b"1", None), ("a.xml", b"2", None)], "double"),
    ],
    ids=["traversal", "subdir", "absolute", "symlink", "hardlink", "device", "fifo", "duplicate"],
)
def test_unpack_refuses_hostile_members(entries, fragment):
    with pytest.raises(ArchiveError, match=fragment):
        a.unpack(_tar(entries))


def test_unpack_limits_member_count_and_total_size():
    many = _tar([(f"f{i}.pdf", b"x", None) for i in range(11)])
    assert len(a.unpack(many, max_members=11)) == 11
    with pytest.raises(ArchiveError, match="plus de 10 fichiers"):
        a.unpack(many, max_members=10)
    big = _tar([("a.pdf", b"x" * 600, None), ("b.pdf", b"x" * 600, None)])
    with pytest.raises(ArchiveError, match="décompressé"):
        a.unpack(big, max_total=1000)


@pytest.mark.parametrize("data", [b"", b"not an archive", gzip.compress(b"garbage" * 100)],
                         ids=["empty", "text", "gzip-garbage"])
def test_unpack_refuses_garbage(data):
    with pytest.raises(ArchiveError):
        a.unpack(data)


def test_unpack_refuses_truncated_archive():
    data = a.pack([("a.pdf", b"x" * 5000)])
    with pytest.raises(ArchiveError):
        a.unpack(data[: len(data) // 2])


def test_unpack_accepts_plain_tar():
    assert a.unpack(_tar([("a.xml", b"<a/>", None)], compress=False)) == [("a.xml", b"<a/>")]


# Complete archives ---------------------------------------------------------------------


def _batch():
    deliberation = a.acte_message(
        EMITTER, numero_interne="D201717", nature_code=1, decision_date=date(2017, 7, 17),
        matiere_codes=(7, 1), objet="Budget supplémentaire 2017", classification_date=date(2017, 1, 1),
        document=a.Attachment(b"%PDF-1.7 deliberation", "pdf"),
        annexes=[a.Attachment(b"%PDF-1.7 signature", "pdf", "99_SE"),
                 a.Attachment(b"<DocumentBudgetaire/>", "xml", "99_BU")],
    )
    arrete = a.acte_message(
        EMITTER, numero_interne="A2017_12", nature_code=3, decision_date=date(2017, 7, 16),
        matiere_codes=(4, 2), objet="Recrutement d'un agent contractuel", classification_date=date(2017, 1, 1),
        document=a.Attachment(b"%PDF-1.7 arrete", "pdf"), document_papier=True,
    )
    return deliberation, arrete


def test_complete_archive_with_a_batch(reference_dir):
    deliberation, arrete = _batch()
    archive = a.cl_archive(trigram="SLO", emitter=EMITTER, return_emails=["actes@mairie-exemple.fr"],
                           messages=[deliberation, arrete], day=date(2017, 7, 17), counter=5,
                           reference_dir=reference_dir)
    assert archive.name == "SLO-EACT--214502494--20170717-5.tar.gz"
    assert archive.members == (
        "EACT--214502494--20170717-5.xml",
        "045-214502494-20170717-D201717-DE-1-1_0.xml",
        "99_DE-045-214502494-20170717-D201717-DE-1-1_1.pdf",
        "99_SE-045-214502494-20170717-D201717-DE-1-1_2.pdf",
        "99_BU-045-214502494-20170717-D201717-DE-1-1_3.xml",
        "045-214502494-20170716-A2017_12-AI-1-1_0.xml",
        "99_AI-045-214502494-20170716-A2017_12-AI-1-1_1.pdf",
    )
    again = a.cl_archive(trigram="SLO", emitter=EMITTER, return_emails=["actes@mairie-exemple.fr"],
                         messages=list(_batch()), day=date(2017, 7, 17), counter=5)
    assert again.data == archive.data

    parsed = a.parse_archive(archive.data, archive.name, reference_dir=reference_dir)
    assert parsed.warnings == []
    assert parsed.envelope.root == "EnveloppeCLMISILL"
    assert [m.id_acte for m in parsed.messages] == [deliberation.id_acte, arrete.id_acte]
    assert all(m.warnings == [] for m in parsed.all_messages())
    # The budget XML is an attached file, not mistaken for a message.
    assert parsed.files["99_BU-045-214502494-20170717-D201717-DE-1-1_3.xml"] == b"<DocumentBudgetaire/>"
    assert parsed.messages[1].document_papier is True


def test_archive_validation_stops_invalid_messages(reference_dir):
    deliberation, _ = _batch()
    broken = a.OutgoingMessage(deliberation.file_name, deliberation.xml.replace(b"D201717", b"D" * 20),
                               deliberation.files)
    with pytest.raises(a.ActesSchemaError):
        a.cl_archive(trigram="SLO", emitter=EMITTER, return_emails=["a@b.fr"], messages=[broken],
                     day=date(2017, 7, 17), counter=1, reference_dir=reference_dir)


def test_archive_inconsistencies_are_warnings():
    deliberation, arrete = _batch()
    archive = a.cl_archive(trigram="SLO", emitter=EMITTER, return_emails=["a@b.fr"],
                           messages=[deliberation], day=date(2017, 7, 17), counter=2)
    members = a.unpack(archive.data)
    tampered = [m for m in members if not m[0].endswith("_2.pdf")]
    tampered += [("extra.pdf", b"?"), (arrete.file_name, arrete.xml)]
    parsed = a.parse_archive(a.pack(tampered))
    assert any("non listé par l'enveloppe" in w for w in parsed.warnings)
    assert any("« extra.pdf »" in w for w in parsed.warnings)
    assert any("_2.pdf" in w and "absent" in w for w in parsed.messages[0].warnings)


def test_prefecture_archive_and_anomaly_id_from_envelope(reference_dir):
    deliberation, _ = _batch()
    sent = a.parse_message(deliberation.xml, deliberation.file_name).acte
    anomaly = a.message_with_files(
        deliberation.id_acte, "1-3",
        lambda refs: a.build_anomalie_acte(sent, date_anomalie=date(2017, 7, 18), nature=1,
                                           detail="ODT-VERIF-01", classification_date_en_cours=date(2017, 6, 1)),
    )
    archive = a.prefecture_archive(sender=a.PrefectureSender("45", 1), siren="214502494",
                                   messages=[anomaly], day=date(2017, 7, 18), counter=3,
                                   reference_dir=reference_dir)
    assert archive.name == "EACT--SPREF0451-214502494-20170718-3.tar.gz"
    # Renamed member: the id must then come from the echoed act and the envelope.
    members = [(name.replace(deliberation.id_acte, "renamed"), content) for name, content in a.unpack(archive.data)]
    envelope = members[0][1].replace(deliberation.id_acte.encode(), b"renamed")
    parsed = a.parse_archive(a.pack([(members[0][0], envelope), *members[1:]]))
    assert parsed.messages[0].code == "1-3"
    assert parsed.messages[0].id_acte == deliberation.id_acte


def test_archive_of_received_fixtures(reference_dir):
    """The ministry's answer: envelope + AR, parsed through parse_any."""
    envelope = "EACT--SPREF0211-212100011-20261103-1.xml"
    ar = "021-212100011-20261102-DEL2026_01-DE-1-2_0.xml"
    data = a.pack([(envelope, fixture_bytes(envelope)), (ar, fixture_bytes(ar))])
    parsed = a.parse_any(data, "reponse.tar.gz", reference_dir=reference_dir)
    assert parsed.warnings == []
    assert [m.code for m in parsed.all_messages()] == [None, "1-2"]
    assert parsed.messages[0].date_reception == date(2026, 11, 3)


def test_hostile_message_inside_an_archive_is_kept_as_a_file():
    from tests.interop.actes.test_schema import XXE

    parsed = a.parse_archive(a.pack([("x-6-1_0.xml", XXE)]))
    assert parsed.messages == []
    assert any("DOCTYPE" in w for w in parsed.warnings)
