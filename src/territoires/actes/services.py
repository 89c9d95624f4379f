"""Writes on acts: drafting, files, posting for transmission.

Every function checks the actor's permission in the act's body, runs in one
transaction, writes the journal, and schedules background work on commit.
Status changes go through `Acte.transition_to`, which enforces `models.TRANSITIONS`.
"""

from datetime import date
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.actes import rules
from territoires.actes.models import Acte, ActeFile, FileRole, Status
from territoires.core.files import stored_file_put
from territoires.core.models import StoredFile
from territoires.journal.services import journal_record
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service

DRAFT_FIELDS = ("nature", "numero_interne", "objet", "decision_date", "matiere_code", "document_papier")


def require(actor, body: Body, perm: str) -> None:
    """The one permission check of e-actes writes: service subscribed and permission held."""
    access.require_service(body, Service.ACTES)
    access.require_perm(actor, body, perm)


def _check_draft_fields(body: Body, data: dict, classification) -> dict:
    errors = {}
    numero = data["numero_interne"]
    from territoires.interop.actes.naming import numero_interne_error

    if error := numero_interne_error(numero):
        errors["numero_interne"] = error
    if len(data["objet"]) > 500:
        errors["objet"] = _("L'objet dépasse 500 caractères.")
    if data["decision_date"] > timezone.localdate():
        errors["decision_date"] = _("La date de décision ne peut pas être dans le futur.")
    if error := rules.matiere_error(classification, data["matiere_code"]):
        errors["matiere_code"] = error
    return errors


def acte_create(
    *,
    actor,
    body: Body,
    nature: str,
    numero_interne: str,
    objet: str,
    decision_date: date,
    matiere_code: str,
    document_papier: bool = False,
) -> Acte:
    """Create a draft act on the body's current classification."""
    require(actor, body, "actes.draft")
    classification = rules.current_classification(body)
    data = {
        "nature": nature, "numero_interne": numero_interne, "objet": objet.strip(),
        "decision_date": decision_date, "matiere_code": matiere_code, "document_papier": document_papier,
    }
    if errors := _check_draft_fields(body, data, classification):
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            acte = Acte.objects.create(body=body, classification=classification, created_by=actor, **data)
    except IntegrityError:
        raise ValidationError(
            {"numero_interne": _("Le numéro %(n)s est déjà utilisé par un autre acte de l'organisme.")
             % {"n": numero_interne}}
        ) from None
    journal_record(actor=actor, action="actes.acte.create", body=body, target=acte,
                   summary=f"{acte.numero_interne} – {acte.objet[:100]}", payload=data)
    return acte


def acte_update(*, actor, acte: Acte, **changes) -> Acte:
    """Change a draft's fields; the act moves to the body's current classification."""
    require(actor, acte.body, "actes.draft")
    unknown = set(changes) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if not acte.is_editable:
            raise ValidationError(_("Seul un brouillon peut être modifié."))
        data = {name: getattr(acte, name) for name in DRAFT_FIELDS} | changes
        data["objet"] = data["objet"].strip()
        classification = rules.current_classification(acte.body)
        if errors := _check_draft_fields(acte.body, data, classification):
            raise ValidationError(errors)
        if Acte.objects.filter(body=acte.body, numero_interne=data["numero_interne"]).exclude(pk=acte.pk).exists():
            raise ValidationError(
                {"numero_interne": _("Le numéro %(n)s est déjà utilisé par un autre acte de l'organisme.")
                 % {"n": data["numero_interne"]}}
            )
        for name, value in data.items():
            setattr(acte, name, value)
        acte.classification = classification
        acte.save(update_fields=[*DRAFT_FIELDS, "classification"])
        journal_record(actor=actor, action="actes.acte.update", body=acte.body, target=acte,
                       summary=acte.numero_interne, payload=data)
    return acte


def acte_file_store(*, name: str, data: bytes | IO[bytes], role: str, nature: str) -> StoredFile:
    """Check an uploaded file against the protocol and store it; raise with a French reason.

    Kept apart from attaching, so a form that fails elsewhere can keep the
    file it already received (the user does not upload 20 MB twice).
    """
    content = data if isinstance(data, bytes) else data.read()
    if error := rules.file_error(name=name, data=content, role=role, nature=nature):
        raise ValidationError({"file": error})
    return stored_file_put(content, content_type=rules.CONTENT_TYPES[rules.extension_of(name)])


def acte_file_attach(*, actor, acte: Acte, stored: StoredFile, name: str, role: str, typology: str) -> ActeFile:
    """Attach a checked file as the main document (replacing it) or as an annex."""
    require(actor, acte.body, "actes.draft")
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body", "classification").get(pk=acte.pk)
        if not acte.is_editable:
            raise ValidationError(_("Seul un brouillon peut être modifié."))
        if error := rules.typology_error(acte.classification, acte.nature, typology):
            raise ValidationError({"typology": error})
        kept = acte.files.select_related("stored")
        if role == FileRole.MAIN:
            kept = kept.exclude(role=FileRole.MAIN)  # the new main document replaces the old one
        if sum(f.stored.size for f in kept) + stored.size > rules.MAX_TOTAL_BYTES:
            raise ValidationError({"file": _("L'ensemble des fichiers dépasserait 150 Mo, la limite de la préfecture.")})
        if role == FileRole.MAIN:
            acte.files.filter(role=FileRole.MAIN).delete()
            position = 0
        else:
            position = acte.files.filter(role=FileRole.ANNEX).count() + 1
        item = ActeFile.objects.create(acte=acte, role=role, position=position, typology=typology,
                                       name=name[:255], stored=stored, uploaded_by=actor)
        journal_record(actor=actor, action="actes.file.attach", body=acte.body, target=acte,
                       summary=f"{FileRole(role).label} : {name}",
                       payload={"sha256": stored.sha256, "size": stored.size, "typology": typology})
    return item


def acte_file_remove(*, actor, item: ActeFile) -> None:
    require(actor, item.acte.body, "actes.draft")
    with transaction.atomic():
        acte = Acte.objects.locked().get(pk=item.acte_id)
        if not acte.is_editable:
            raise ValidationError(_("Seul un brouillon peut être modifié."))
        item.delete()
        for position, annex in enumerate(acte.files.filter(role=FileRole.ANNEX), start=1):
            if annex.position != position:
                annex.position = position
                annex.save(update_fields=["position"])
        journal_record(actor=actor, action="actes.file.remove", body=acte.body, target=acte,
                       summary=item.name, payload={"sha256": item.stored.sha256})


def acte_post(*, actor, acte: Acte) -> Acte:
    """Hand a ready draft over for transmission; the worker sends it."""
    require(actor, acte.body, "actes.transmit")
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body", "classification").get(pk=acte.pk)
        if acte.status != Status.DRAFT:
            raise ValidationError(_("Cet acte a déjà été déposé pour transmission."))
        if problems := rules.acte_problems(acte):
            raise ValidationError(problems)
        acte.transition_to(Status.POSTED, posted_at=timezone.now(), last_error="")
        journal_record(actor=actor, action="actes.acte.post", body=acte.body, target=acte,
                       summary=acte.id_acte)
        from territoires.actes.tasks import transmit_acte

        acte_id = acte.pk
        transaction.on_commit(lambda: transmit_acte.enqueue(acte_id))
    return acte


def actes_post_batch(*, actor, body: Body, actes: list[Acte]) -> tuple[list[Acte], dict[int, list[str]]]:
    """Post several drafts; return those posted and, per act id, why the others were not."""
    posted, refused = [], {}
    for acte in actes:
        if acte.body_id != body.pk:
            raise PermissionDenied
        try:
            posted.append(acte_post(actor=actor, acte=acte))
        except ValidationError as error:
            refused[acte.pk] = error.messages
    return posted, refused


def acte_back_to_draft(*, actor, acte: Acte) -> Acte:
    """Take back a posted act not yet sent, or correct an act the prefecture refused."""
    require(actor, acte.body, "actes.transmit")
    with transaction.atomic():
        acte = Acte.objects.locked().get(pk=acte.pk)
        fields = {}
        if acte.status in {Status.ANOMALY, Status.ERROR}:
            fields["round"] = acte.round + 1
        if acte.status == Status.POSTED and acte.outgoing.filter(code="1-1", round=acte.round).exists():
            raise ValidationError(_("L'archive de cet acte est déjà construite : il ne peut plus être repris."))
        acte.transition_to(Status.DRAFT, **fields)
        journal_record(actor=actor, action="actes.acte.redraft", body=acte.body, target=acte,
                       summary=acte.numero_interne)
    return acte


def acte_retransmit(*, actor, acte: Acte) -> Acte:
    """Post the same archive again after its sending failed for good."""
    from territoires.actes.models import Transmission, TransmissionStatus
    from territoires.actes.tasks import send_transmission

    require(actor, acte.body, "actes.transmit")
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if acte.status != Status.ERROR:
            raise ValidationError(_("Seul un acte en erreur de transmission peut être renvoyé."))
        message = acte.outgoing.get(code="1-1", round=acte.round)
        Transmission.objects.filter(pk=message.transmission_id, status=TransmissionStatus.FAILED).update(
            status=TransmissionStatus.BUILT, attempts=0, next_attempt_at=None
        )
        acte.transition_to(Status.IN_TRANSMISSION)
        journal_record(actor=actor, action="actes.acte.retransmit", body=acte.body, target=acte,
                       summary=acte.id_acte)
        transmission_id = message.transmission_id
        transaction.on_commit(lambda: send_transmission.enqueue(transmission_id))
    return acte


def acte_publish(*, actor, acte: Acte, published_on: date, signatory: str, signatory_title: str) -> Acte:
    """Publish an act: the date, who signed it and in what capacity, and a frozen PDF.

    Since 1 July 2022 publication is electronic by default; the published file
    is stored once (content-addressed) and never replaced.
    """
    from territoires.actes import documents

    require(actor, acte.body, "actes.publish")
    errors = {}
    if not signatory.strip():
        errors["signatory"] = _("Indiquez le nom du signataire.")
    if not signatory_title.strip():
        errors["signatory_title"] = _("Indiquez la qualité du signataire (maire, président…).")
    if published_on > timezone.localdate():
        errors["published_on"] = _("La date de publication ne peut pas être dans le futur.")
    elif published_on < acte.decision_date:
        errors["published_on"] = _("Un acte ne peut pas être publié avant d'avoir été décidé.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if acte.status in {Status.DRAFT, Status.CANCELLED}:
            raise ValidationError(_("Seul un acte déposé ou transmis peut être publié."))
        if acte.published_on is not None:
            raise ValidationError(_("Cet acte est déjà publié."))
        acte.published_on = published_on
        acte.publication_signatory = signatory.strip()
        acte.publication_signatory_title = signatory_title.strip()
        acte.published_file = stored_file_put(documents.publication_pdf(acte), content_type="application/pdf")
        acte.save(update_fields=["published_on", "publication_signatory", "publication_signatory_title",
                                 "published_file"])
        journal_record(actor=actor, action="actes.acte.publish", body=acte.body, target=acte,
                       summary=f"{acte.id_acte} – {published_on.isoformat()}",
                       payload={"sha256": acte.published_file.sha256, "signatory": acte.publication_signatory})
    return acte


def acte_notify(*, actor, acte: Acte, notified_on: date) -> Acte:
    """Record that an individual decision was notified to the person concerned."""
    require(actor, acte.body, "actes.publish")
    if notified_on > timezone.localdate():
        raise ValidationError({"notified_on": _("La date de notification ne peut pas être dans le futur.")})
    with transaction.atomic():
        acte = Acte.objects.locked().select_related("body").get(pk=acte.pk)
        if acte.status in {Status.DRAFT, Status.CANCELLED}:
            raise ValidationError(_("Seul un acte déposé ou transmis peut être notifié."))
        acte.notified_on = notified_on
        acte.save(update_fields=["notified_on"])
        journal_record(actor=actor, action="actes.acte.notify", body=acte.body, target=acte,
                       summary=f"{acte.id_acte} – {notified_on.isoformat()}")
    return acte
