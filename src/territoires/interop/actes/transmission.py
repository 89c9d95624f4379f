"""Assembling complete archives: name the files, build the envelope, pack.

Services call these rather than the individual builders so that file names,
IDActe, envelope listing and archive name are always consistent with each
other. Passing `reference_dir` validates every XML against the XSD first:
an archive the ministry would refuse is never produced.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from territoires.interop.actes.archive import pack
from territoires.interop.actes.build import build_acte, build_enveloppe_cl_misill
from territoires.interop.actes.build_pref import build_enveloppe_misill_cl
from territoires.interop.actes.codes import nature
from territoires.interop.actes.data import (
    ActeData,
    Archive,
    Attachment,
    Emitter,
    EnvelopeData,
    FileRef,
    OutgoingMessage,
    PrefectureSender,
    Referent,
)
from territoires.interop.actes.naming import (
    archive_name,
    envelope_name,
    id_acte,
    message_file_name,
    prefecture_envelope_name,
)
from territoires.interop.actes.schema import validate


def _name_files(stem: str, code: str, attachments: Sequence[Attachment], default_typology: str | None,
                start: int = 1) -> list[tuple[FileRef, bytes]]:
    named = []
    for index, attachment in enumerate(attachments, start=start):
        name = message_file_name(stem, code, index, attachment.extension,
                                 attachment.typology or default_typology)
        named.append((FileRef(name, attachment.signature), attachment.content))
    return named


def message_with_files(stem: str, code: str, build: Callable[[list[FileRef]], bytes],
                       attachments: Sequence[Attachment] = (), *,
                       id_acte: str | None = None) -> OutgoingMessage:
    """Name `attachments` _1, _2… after `stem`, then build the XML from those names.

    e.g. message_with_files(id, "2-2", lambda refs: build_reponse_courrier_simple(ref, refs[0]), [pdf])
    """
    named = _name_files(stem, code, attachments, None)
    xml = build([ref for ref, _ in named])
    return OutgoingMessage(
        file_name=message_file_name(stem, code, 0, "xml"), xml=xml,
        files=tuple((ref.name, content) for ref, content in named), id_acte=id_acte,
    )


def acte_message(emitter: Emitter, *, numero_interne: str, nature_code: int, decision_date: date,
                 matiere_codes: Sequence[int], objet: str, classification_date: date,
                 document: Attachment, annexes: Sequence[Attachment] = (),
                 document_papier: bool = False, precedent_id_acte: str | None = None) -> OutgoingMessage:
    """A 1-1 with its files named "{typology}-{IDActe}-1-1_{n}.{ext}".

    Files without a typology get the nature's default one (99_DE, 99_AI…).
    """
    kind = nature(nature_code)
    identifier = id_acte(emitter.departement, emitter.siren, decision_date, numero_interne, kind.abbr)
    named = _name_files(identifier, "1-1", [document, *annexes], kind.default_typology)
    acte = ActeData(
        numero_interne=numero_interne, nature_code=kind.code, decision_date=decision_date,
        matiere_codes=tuple(matiere_codes), objet=objet, classification_date=classification_date,
        document=named[0][0], annexes=tuple(ref for ref, _ in named[1:]),
        document_papier=document_papier, precedent_id_acte=precedent_id_acte,
    )
    return OutgoingMessage(
        file_name=message_file_name(identifier, "1-1", 0, "xml"), xml=build_acte(acte),
        files=tuple((ref.name, content) for ref, content in named), id_acte=identifier,
    )


def _midnight(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _members(envelope: tuple[str, bytes], messages: Sequence[OutgoingMessage]) -> list[tuple[str, bytes]]:
    members = [envelope]
    for message in messages:
        members.append((message.file_name, message.xml))
        members.extend(message.files)
    return members


def _check(xmls: Sequence[bytes], reference_dir: Path | None) -> None:
    if reference_dir is not None:
        for xml in xmls:
            validate(xml, reference_dir)


def cl_archive(*, trigram: str, emitter: Emitter, return_emails: Sequence[str],
               messages: Sequence[OutgoingMessage], day: date, counter: int, test: bool = False,
               referent: Referent | None = None, mtime: int | None = None,
               reference_dir: Path | None = None) -> Archive:
    """Collectivité → préfecture archive; several messages make a batch under one envelope."""
    if not messages:
        raise ValueError("Une archive doit contenir au moins un message.")
    env_name = envelope_name(emitter.siren, day, counter, test)
    envelope = build_enveloppe_cl_misill(EnvelopeData(
        emitter, tuple(return_emails), tuple(FileRef(m.file_name) for m in messages), referent))
    _check([envelope, *(m.xml for m in messages)], reference_dir)
    members = _members((env_name, envelope), messages)
    return Archive(
        name=archive_name(trigram, emitter.siren, day, counter, test),
        data=pack(members, _midnight(day) if mtime is None else mtime),
        envelope_name=env_name, members=tuple(name for name, _ in members),
    )


def prefecture_archive(*, sender: PrefectureSender, siren: str, messages: Sequence[OutgoingMessage],
                       day: date, counter: int, test: bool = False, referent: Referent | None = None,
                       mtime: int | None = None, reference_dir: Path | None = None) -> Archive:
    """Préfecture → collectivité archive (simulator): "EACT--SPREF…" envelope, same stem for the archive."""
    if not messages:
        raise ValueError("Une archive doit contenir au moins un message.")
    arrondissement = 1 if sender.arrondissement is None else sender.arrondissement
    env_name = prefecture_envelope_name(sender.departement, arrondissement, siren, day, counter, test)
    envelope = build_enveloppe_misill_cl(sender, siren=siren, messages=[m.file_name for m in messages],
                                         referent=referent)
    _check([envelope, *(m.xml for m in messages)], reference_dir)
    members = _members((env_name, envelope), messages)
    return Archive(
        name=env_name.removesuffix(".xml") + ".tar.gz",
        data=pack(members, _midnight(day) if mtime is None else mtime),
        envelope_name=env_name, members=tuple(name for name, _ in members),
    )
