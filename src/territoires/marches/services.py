"""Writes on consultations: drafting, lots, DCE, publication, amendments, closing, outcome.

Every function checks the actor's permission in the consultation's body (or,
for the company side, the actor's company), runs in one transaction, writes
the journal and schedules e-mails on commit. Status changes go through
`Consultation.transition_to`, which enforces `models.TRANSITIONS`; the portal's
`Notice` follows every change through `notices.notice_upsert`.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.core.files import stored_file_put
from territoires.core.mail import email_schedule
from territoires.interop.cpv import cpv_error, parse_cpv
from territoires.journal.services import journal_record
from territoires.marches.models import (
    Award,
    Consultation,
    DceFile,
    DceVersion,
    Lot,
    NoticeKind,
    NoticeSource,
    NoticeState,
    Question,
    Retrait,
    Status,
)
from territoires.marches.notices import NoticeRecord, notice_upsert
from territoires.marches.reference import cpv_catalogue, nuts_catalogue
from territoires.tenancy import access
from territoires.tenancy.models import Body, Service

CONSULTATION_FIELDS = (
    "reference", "title", "object", "nature", "procedure", "cpv_main", "cpv_additional", "nuts", "commune",
    "estimated_value", "closes_at", "dume_required", "signature_required", "variants_allowed",
    "contact_name", "contact_email", "contact_phone",
)
LOT_FIELDS = ("title", "description", "cpv_main", "estimated_value")
# Shortest time between publication and the closing date that we accept at all; the
# legal minimum depends on the procedure and is the buyer's responsibility.
MIN_PUBLICATION_DAYS = 1


def require(actor, body: Body, perm: str = "marches.manage") -> None:
    """The one permission check of the buyer side: service subscribed and permission held."""
    access.require_service(body, Service.MARCHES)
    access.require_perm(actor, body, perm)


def _cpv_code(value: str, field: str, errors: dict) -> str:
    """'45233140-2' or '45233140' → '45233140'; a French error otherwise. Words typed instead of
    a code (no JS, or no choice made) get the closest codes as suggestions."""
    value = (value or "").strip()
    catalogue = cpv_catalogue()
    if error := cpv_error(value, catalogue):
        if value and not any(ch.isdigit() for ch in value):
            matches = catalogue.search(value, limit=3)
            error = (_("Choisissez un code CPV. Codes proches de « %(v)s » : %(codes)s.")
                     % {"v": value, "codes": " ; ".join(f"{m.full} {m.label_fr}" for m in matches)}
                     if matches else _("Aucun code CPV ne correspond à « %(v)s ».") % {"v": value})
        errors[field] = error
        return value
    return parse_cpv(value)[0]


def _lock(consultation: Consultation) -> Consultation:
    """Lock the row for this transaction and bring the caller's instance up to date, so the
    caller's object and the database agree after the service returns."""
    list(Consultation.objects.select_for_update().filter(pk=consultation.pk).values_list("pk"))
    consultation.refresh_from_db()
    return consultation


def _clean_fields(body: Body, data: dict) -> dict:
    errors: dict[str, str] = {}
    data = dict(data)
    for name in ("reference", "title", "object", "contact_name", "contact_phone"):
        if name in data and isinstance(data[name], str):
            data[name] = data[name].strip()
    if "cpv_main" in data:
        data["cpv_main"] = _cpv_code(data["cpv_main"], "cpv_main", errors)
    if "cpv_additional" in data:
        codes = []
        for raw in data["cpv_additional"] or []:
            code = _cpv_code(raw, "cpv_additional", errors)
            if code not in codes and code != data.get("cpv_main"):
                codes.append(code)
        data["cpv_additional"] = codes
    if data.get("nuts") is not None:
        entry = nuts_catalogue().get(data["nuts"])
        if entry is None or entry.level != 3:
            errors["nuts"] = _("Choisissez un département de la région (code NUTS de niveau 3).")
        else:
            data["nuts"] = entry.code
    value = data.get("estimated_value")
    if value is not None and Decimal(value) < 0:
        errors["estimated_value"] = _("La valeur estimée ne peut pas être négative.")
    closes_at = data.get("closes_at")
    if closes_at is not None and timezone.is_naive(closes_at):
        data["closes_at"] = timezone.make_aware(closes_at)
    if errors:
        raise ValidationError(errors)
    return data


def consultation_create(*, actor, body: Body, **fields) -> Consultation:
    """A new draft; nothing is public until `consultation_publish`."""
    require(actor, body)
    data = _clean_fields(body, {name: fields[name] for name in CONSULTATION_FIELDS if name in fields})
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(body=body, created_by=actor, **data)
    except IntegrityError:
        raise ValidationError({"reference": _("La référence %(r)s est déjà utilisée par une autre consultation.")
                               % {"r": data.get("reference", "")}}) from None
    journal_record(actor=actor, action="marches.consultation.create", body=body, target=consultation,
                   summary=f"{consultation.reference} – {consultation.title[:100]}",
                   payload={"reference": consultation.reference})
    return consultation


def consultation_update(*, actor, consultation: Consultation, **fields) -> Consultation:
    """Edit a draft. Once published, changes go through an amendment (`dce_amend`)."""
    require(actor, consultation.body)
    if consultation.status != Status.DRAFT:
        raise ValidationError(_("Une consultation publiée se modifie par un avis rectificatif (modificatif du DCE)."))
    data = _clean_fields(consultation.body, {name: fields[name] for name in CONSULTATION_FIELDS if name in fields})
    for name, value in data.items():
        setattr(consultation, name, value)
    try:
        with transaction.atomic():
            consultation.save()
    except IntegrityError:
        raise ValidationError({"reference": _("La référence %(r)s est déjà utilisée par une autre consultation.")
                               % {"r": consultation.reference}}) from None
    journal_record(actor=actor, action="marches.consultation.update", body=consultation.body,
                   target=consultation, summary=consultation.reference, payload={"fields": sorted(data)})
    return consultation


def lot_save(*, actor, consultation: Consultation, lot: Lot | None = None, **fields) -> Lot:
    """Add a lot (numbered after the last one) or edit one, while the consultation is a draft."""
    require(actor, consultation.body)
    if consultation.status != Status.DRAFT:
        raise ValidationError(_("Les lots ne se modifient plus après la publication."))
    errors: dict[str, str] = {}
    data = {name: fields[name] for name in LOT_FIELDS if name in fields}
    data["title"] = (data.get("title") or "").strip()
    if not data["title"]:
        errors["title"] = _("Donnez un intitulé au lot.")
    if data.get("cpv_main"):
        data["cpv_main"] = _cpv_code(data["cpv_main"], "cpv_main", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if lot is None:
            last = consultation.lots.aggregate(n=Max("number"))["n"] or 0
            lot = Lot.objects.create(consultation=consultation, number=last + 1, **data)
        else:
            if lot.consultation_id != consultation.pk:
                raise PermissionDenied
            for name, value in data.items():
                setattr(lot, name, value)
            lot.save()
        journal_record(actor=actor, action="marches.lot.save", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} lot {lot.number}", payload=data)
    return lot


def lot_delete(*, actor, lot: Lot) -> None:
    consultation = lot.consultation
    require(actor, consultation.body)
    if consultation.status != Status.DRAFT:
        raise ValidationError(_("Les lots ne se modifient plus après la publication."))
    with transaction.atomic():
        number = lot.number
        lot.delete()
        # Keep numbering without gaps: lot 3 becomes lot 2 when lot 2 goes.
        for later in consultation.lots.filter(number__gt=number).order_by("number"):
            later.number -= 1
            later.save(update_fields=["number"])
        journal_record(actor=actor, action="marches.lot.delete", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} lot {number}")


# --- DCE ---------------------------------------------------------------------------------------

def dce_max_bytes() -> int:
    """Published limit (C3, CE 506640): shown on the upload form, enforced here."""
    return settings.MARCHES_DCE_MAX_MB * 1024 * 1024


def dce_published(consultation: Consultation) -> DceVersion | None:
    return consultation.dce_versions.filter(published_at__isnull=False).order_by("-number").first()


def dce_draft(consultation: Consultation) -> DceVersion | None:
    return consultation.dce_versions.filter(published_at__isnull=True).first()


def _dce_draft_for_edit(actor, consultation: Consultation) -> DceVersion:
    """The version being prepared; created on first use, starting from the published files."""
    draft = dce_draft(consultation)
    if draft is not None:
        return draft
    current = dce_published(consultation)
    draft = DceVersion.objects.create(consultation=consultation, number=(current.number + 1) if current else 1,
                                      created_by=actor)
    if current is not None:
        DceFile.objects.bulk_create(DceFile(version=draft, stored=f.stored, name=f.name) for f in current.files.all())
    return draft


def _check_editable_dce(consultation: Consultation) -> None:
    if consultation.status not in (Status.DRAFT, Status.PUBLISHED):
        raise ValidationError(_("Le DCE d'une consultation clôturée ne se modifie plus."))


def dce_file_add(*, actor, consultation: Consultation, name: str, data: bytes | IO[bytes],
                 content_type: str = "application/octet-stream") -> DceFile:
    """Add (or replace, same name) a file in the DCE being prepared."""
    require(actor, consultation.body)
    _check_editable_dce(consultation)
    name = (name or "").replace("/", "_").replace("\\", "_").strip()[:200]
    if not name:
        raise ValidationError({"file": _("Le fichier n'a pas de nom.")})
    size = len(data) if isinstance(data, bytes) else getattr(data, "size", None)
    if size is not None and size > dce_max_bytes():
        raise ValidationError({"file": _("Le fichier dépasse la taille maximale de %(n)s Mo.")
                               % {"n": settings.MARCHES_DCE_MAX_MB}})
    if size == 0:
        raise ValidationError({"file": _("Le fichier est vide.")})
    stored = stored_file_put(data, content_type=content_type)
    with transaction.atomic():
        draft = _dce_draft_for_edit(actor, consultation)
        item, _created = DceFile.objects.update_or_create(version=draft, name=name, defaults={"stored": stored})
        journal_record(actor=actor, action="marches.dce.file_add", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} v{draft.number} {name}",
                       payload={"name": name, "sha256": stored.sha256, "size": stored.size})
    return item


def dce_file_remove(*, actor, consultation: Consultation, item: DceFile) -> None:
    require(actor, consultation.body)
    _check_editable_dce(consultation)
    if item.version.consultation_id != consultation.pk or item.version.published_at is not None:
        raise ValidationError(_("Seuls les fichiers du DCE en préparation peuvent être retirés."))
    with transaction.atomic():
        item.delete()
        journal_record(actor=actor, action="marches.dce.file_remove", body=consultation.body,
                       target=consultation, summary=f"{consultation.reference} {item.name}")


def downloaders_emails(consultation: Consultation) -> list[str]:
    """Everyone identified who took the DCE or asked a question: they receive amendments and answers."""
    emails = set()
    for email, user_email in consultation.retraits.values_list("email", "user__email"):
        emails.add((email or user_email or "").lower())
    for (email,) in consultation.questions.values_list("asked_by__email"):
        emails.add((email or "").lower())
    emails.discard("")
    return sorted(emails)


# --- publication and life cycle ----------------------------------------------------------------

def publication_problems(consultation: Consultation, now: datetime | None = None) -> list[str]:
    """What still prevents publication, in French, for the page and for `consultation_publish`."""
    now = now or timezone.now()
    problems = []
    if not consultation.contact_email:
        problems.append(_("Indiquez le courriel du contact de la consultation."))
    if not consultation.closes_at:
        problems.append(_("Indiquez la date et l'heure limites de remise des offres."))
    elif not consultation.is_test and consultation.closes_at < now + timedelta(days=MIN_PUBLICATION_DAYS):
        problems.append(_("La date limite de remise des offres doit laisser au moins un jour aux entreprises."))
    draft = dce_draft(consultation)
    if draft is None or not draft.files.exists():
        problems.append(_("Déposez au moins un document dans le DCE."))
    return problems


def notice_record(consultation: Consultation) -> NoticeRecord:
    """The consultation as the portal lists it."""
    if consultation.status in (Status.AWARDED,):
        kind = NoticeKind.AWARD
    else:
        kind = NoticeKind.CONTRACT
    return NoticeRecord(
        source=NoticeSource.TERRITOIRES, source_id=str(consultation.notice_id), kind=kind,
        state=NoticeState.CANCELLED if consultation.status == Status.CANCELLED else NoticeState.ACTIVE,
        title=consultation.title, description=consultation.object, buyer_name=consultation.body.name,
        buyer_id=consultation.body.siret or consultation.body.siren, procedure=consultation.procedure,
        nature=consultation.nature, cpv_main=consultation.cpv_main,
        cpv_additional=tuple(consultation.cpv_additional), nuts=consultation.nuts,
        published_on=timezone.localdate(consultation.published_at) if consultation.published_at else None,
        deadline=None if consultation.is_test else consultation.closes_at,
        estimated_value=consultation.estimated_value,
        url=settings.PUBLIC_URL + consultation.get_absolute_url(),
    )


def _sync_notice(consultation: Consultation) -> None:
    notice_upsert(notice_record(consultation), consultation=consultation)


def consultation_publish(*, actor, consultation: Consultation) -> Consultation:
    """Publish the consultation, its DCE version 1 and its notice on the portal."""
    require(actor, consultation.body)
    with transaction.atomic():
        _lock(consultation)
        if consultation.status != Status.DRAFT:
            raise ValidationError(_("Cette consultation est déjà publiée."))
        if problems := publication_problems(consultation):
            raise ValidationError(problems)
        now = timezone.now()
        consultation.transition_to(Status.PUBLISHED)
        consultation.published_at = now
        consultation.save()
        DceVersion.objects.filter(consultation=consultation, published_at__isnull=True).update(published_at=now)
        _sync_notice(consultation)
        journal_record(actor=actor, action="marches.consultation.publish", body=consultation.body,
                       target=consultation, summary=consultation.reference,
                       payload={"closes_at": consultation.closes_at.isoformat()})
    return consultation


def dce_amend(*, actor, consultation: Consultation, note: str, closes_at: datetime | None = None) -> DceVersion:
    """Publish the DCE being prepared as an amendment (modificatif), optionally postponing the
    deadline, and e-mail every identified downloader."""
    require(actor, consultation.body)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Décrivez la modification pour les entreprises.")})
    with transaction.atomic():
        _lock(consultation)
        if consultation.status != Status.PUBLISHED:
            raise ValidationError(_("Seule une consultation en cours peut faire l'objet d'un modificatif."))
        draft = dce_draft(consultation)
        if closes_at is not None:
            if timezone.is_naive(closes_at):
                closes_at = timezone.make_aware(closes_at)
            if not consultation.is_test and closes_at < consultation.closes_at:
                raise ValidationError({"closes_at": _("Un modificatif ne peut pas avancer la date limite.")})
            consultation.closes_at = closes_at
            consultation.save(update_fields=["closes_at", "updated_at"])
        if draft is None:
            current = dce_published(consultation)
            draft = DceVersion.objects.create(consultation=consultation, number=current.number + 1, created_by=actor)
            DceFile.objects.bulk_create(DceFile(version=draft, stored=f.stored, name=f.name)
                                        for f in current.files.all())
        if not draft.files.exists():
            raise ValidationError(_("Le DCE modifié doit contenir au moins un document."))
        draft.note = note
        draft.published_at = timezone.now()
        draft.save()
        _sync_notice(consultation)
        recipients = downloaders_emails(consultation)
        for email in recipients:
            email_schedule(to=email, subject=_("Modification de la consultation %(r)s") % {"r": consultation.reference},
                           template="marches/emails/amendment.txt",
                           context={"consultation": consultation, "version": draft,
                                    "url": settings.PUBLIC_URL + consultation.get_absolute_url()})
        journal_record(actor=actor, action="marches.dce.amend", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} v{draft.number}",
                       payload={"note": note, "notified": len(recipients),
                                "closes_at": consultation.closes_at.isoformat()})
    return draft


def consultation_cancel(*, actor, consultation: Consultation, reason: str) -> Consultation:
    """Declare the procedure sans suite; downloaders are told."""
    require(actor, consultation.body)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'abandon de la procédure.")})
    with transaction.atomic():
        _lock(consultation)
        consultation.transition_to(Status.CANCELLED)
        consultation.cancel_reason = reason
        consultation.save()
        _sync_notice(consultation)
        for email in downloaders_emails(consultation):
            email_schedule(to=email, subject=_("Consultation %(r)s abandonnée") % {"r": consultation.reference},
                           template="marches/emails/cancelled.txt",
                           context={"consultation": consultation})
        journal_record(actor=actor, action="marches.consultation.cancel", body=consultation.body,
                       target=consultation, summary=consultation.reference, payload={"reason": reason})
    return consultation


def consultations_close_due(now: datetime | None = None) -> int:
    """Close every published consultation whose deadline has passed (periodic; idempotent)."""
    now = now or timezone.now()
    closed = 0
    due = Consultation.objects.filter(status=Status.PUBLISHED, is_test=False, closes_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            consultation = Consultation.objects.select_for_update().get(pk=pk)
            if consultation.status != Status.PUBLISHED or consultation.closes_at > now:
                continue
            consultation.transition_to(Status.CLOSED)
            consultation.save()
            _sync_notice(consultation)
            journal_record(actor=None, action="marches.consultation.close", body=consultation.body,
                           target=consultation, summary=consultation.reference)
            closed += 1
    return closed


def award_save(*, actor, consultation: Consultation, lot: Lot | None, winner_siret: str, winner_name: str,
               winner_postal_code: str, winner_city: str, amount: Decimal, contract_date,
               tenders_received: int | None = None,
               duration_months: int | None = None) -> Award:
    """Record (or correct) who won a lot, before the outcome is declared."""
    from territoires.interop.siren import normalize, siret_error

    require(actor, consultation.body)
    if consultation.status != Status.CLOSED:
        raise ValidationError(_("L'attribution se saisit après la clôture de la consultation."))
    siret = normalize(winner_siret or "")
    errors = {}
    if error := siret_error(siret):
        errors["winner_siret"] = error
    if not (winner_name or "").strip():
        errors["winner_name"] = _("Indiquez le nom du titulaire.")
    if not (winner_city or "").strip() or not (winner_postal_code or "").strip():
        errors["winner_city"] = _("Indiquez le code postal et la commune du titulaire.")
    if amount is None or Decimal(amount) <= 0:
        errors["amount"] = _("Le montant doit être positif.")
    if lot is not None and lot.consultation_id != consultation.pk:
        raise PermissionDenied
    if lot is None and consultation.lots.exists():
        errors["lot"] = _("Choisissez le lot attribué.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        award, _created = Award.objects.update_or_create(
            consultation=consultation, lot=lot,
            defaults={"winner_siret": siret, "winner_name": winner_name.strip(),
                      "winner_postal_code": winner_postal_code.strip(), "winner_city": winner_city.strip(),
                      "amount": amount,
                      "contract_date": contract_date, "tenders_received": tenders_received,
                      "duration_months": duration_months},
        )
        journal_record(actor=actor, action="marches.award.save", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} {lot or ''} {siret}",
                       payload={"siret": siret, "amount": str(amount), "lot": lot.number if lot else None})
    return award


def consultation_conclude(*, actor, consultation: Consultation, outcome: str) -> Consultation:
    """Declare the outcome: awarded (every lot has its winner) or unsuccessful (infructueuse)."""
    require(actor, consultation.body)
    with transaction.atomic():
        _lock(consultation)
        if outcome == Status.AWARDED:
            lots = list(consultation.lots.all())
            awarded = set(consultation.awards.values_list("lot_id", flat=True))
            missing = [lot for lot in lots if lot.pk not in awarded] if lots else ([] if awarded else [None])
            if missing:
                raise ValidationError(_("Saisissez le titulaire de chaque lot avant de déclarer l'attribution."))
        elif outcome != Status.UNSUCCESSFUL:
            raise ValidationError(_("Issue inconnue."))
        consultation.transition_to(outcome)
        consultation.save()
        _sync_notice(consultation)
        if outcome == Status.AWARDED:
            from territoires.marches.essential import decp_prefill

            decp_prefill(consultation)
        journal_record(actor=actor, action=f"marches.consultation.{outcome}", body=consultation.body,
                       target=consultation, summary=consultation.reference)
    return consultation


# --- companies' side: downloads and questions ------------------------------------------------

def _company_of(user):
    """The company a logged-in company user acts for, or None."""
    from territoires.marches.companies import membership_for_user

    membership = membership_for_user(user)
    return membership.company if membership else None


def retrait_record(*, consultation: Consultation, user=None, name: str = "", email: str = "") -> Retrait:
    """Register a DCE download (A8). Identification is optional (D1); a logged-in user is identified."""
    if consultation.status == Status.DRAFT:
        raise PermissionDenied
    version = dce_published(consultation)
    if version is None:
        raise ValidationError(_("Le DCE n'est pas encore disponible."))
    user = user if getattr(user, "is_authenticated", False) else None
    with transaction.atomic():
        retrait = Retrait.objects.create(
            consultation=consultation, version=version, user=user, company=_company_of(user),
            name=(name or "").strip()[:200], email=(email or "").strip().lower(),
        )
        journal_record(actor=user, action="marches.dce.download", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} v{version.number}",
                       payload={"identified": bool(user or retrait.email)})
    return retrait


def question_ask(*, actor, consultation: Consultation, text: str) -> Question:
    """A company user asks the buyer a question while the consultation is open."""
    company = _company_of(actor)
    if company is None:
        raise PermissionDenied(_("Seul un compte entreprise peut poser une question."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Écrivez votre question.")})
    if len(text) > 5000:
        raise ValidationError({"text": _("La question dépasse 5 000 caractères.")})
    if not consultation.is_open():
        raise ValidationError(_("La consultation est close : les questions ne sont plus reçues."))
    with transaction.atomic():
        question = Question.objects.create(consultation=consultation, asked_by=actor, company=company, text=text)
        if consultation.contact_email:
            email_schedule(to=consultation.contact_email,
                           subject=_("Nouvelle question sur la consultation %(r)s") % {"r": consultation.reference},
                           template="marches/emails/question.txt",
                           context={"consultation": consultation, "question": question,
                                    "url": settings.PUBLIC_URL + consultation.get_buyer_url()})
        journal_record(actor=actor, action="marches.question.ask", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} question {question.pk}", payload={"text": text})
    return question


def question_answer(*, actor, question: Question, answer: str) -> Question:
    """Publish the answer on the consultation, without the asker's identity, and e-mail it to
    every identified downloader (the asker included)."""
    consultation = question.consultation
    require(actor, consultation.body)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Écrivez la réponse.")})
    if consultation.status not in (Status.PUBLISHED, Status.CLOSED):
        raise ValidationError(_("Cette consultation n'accepte plus de réponses."))
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        first = question.answered_at is None
        question.answer = answer
        question.answered_at = timezone.now()
        question.answered_by = actor
        question.save()
        recipients = downloaders_emails(consultation)
        for email in recipients:
            email_schedule(to=email, subject=_("Réponse à une question sur la consultation %(r)s")
                           % {"r": consultation.reference},
                           template="marches/emails/answer.txt",
                           context={"consultation": consultation, "question": question, "corrected": not first,
                                    "url": settings.PUBLIC_URL + consultation.get_absolute_url()})
        journal_record(actor=actor, action="marches.question.answer", body=consultation.body, target=consultation,
                       summary=f"{consultation.reference} question {question.pk}",
                       payload={"answer": answer, "notified": len(recipients)})
    return question

