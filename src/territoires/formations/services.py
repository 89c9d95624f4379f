"""Writes on the training catalogue: sessions (operator) and registrations (bodies).

Seats are counted with the session row locked (`select_for_update`), so two
concurrent registrations cannot both take the last seat: on PostgreSQL the
second waits for the first to commit; on SQLite the IMMEDIATE transaction mode
serialises writers.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from territoires.accounts.models import User
from territoires.core.mail import email_schedule
from territoires.formations.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)
from territoires.journal.services import journal_record
from territoires.tenancy import access
from territoires.tenancy.models import Body, Membership, Service

MANAGE = "platform.manage_training"

SESSION_FIELDS = (
    "title", "description", "service", "audience", "starts_at", "ends_at", "duration_hours",
    "place", "is_remote", "connection_info", "capacity", "trainer_name", "registration_deadline",
)


def _session_url(session: TrainingSession) -> str:
    return settings.PUBLIC_URL + reverse("formations:session_detail", args=[session.pk])


def _notify(registration: Registration, template: str, subject: str) -> None:
    session = registration.session
    email_schedule(
        to=registration.agent.email,
        subject=subject % {"title": session.title},
        template=f"formations/emails/{template}.txt",
        context={"registration": registration, "session": session,
                 "body": registration.body, "url": _session_url(session)},
    )


def _lock_session(session: TrainingSession) -> TrainingSession:
    return TrainingSession.objects.select_for_update().get(pk=session.pk)


def _confirmed_count(session: TrainingSession) -> int:
    return Registration.objects.filter(session=session, status=RegistrationStatus.CONFIRMED).count()


def _promote_waiting(*, actor, session: TrainingSession) -> list[Registration]:
    """Fill free seats from the waiting list, first come first served.

    The caller holds the lock on the session row.
    """
    free = session.capacity - _confirmed_count(session)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.select_related("agent", "body", "session")
        .filter(session=session, status=RegistrationStatus.WAITING)
        .order_by("created_at", "pk")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at"])
        journal_record(actor=actor, action="formations.registration.promote",
                       body=registration.body, target=registration,
                       summary=f"{registration.agent.email} – {session.title}")
        _notify(registration, "promoted", _("Une place s'est libérée : %(title)s"))
    return promoted


def training_session_create(*, actor, **fields) -> TrainingSession:
    """Create a session (operator staff). `actor=None` means a system command."""
    if actor is not None:
        access.require_platform_perm(actor, MANAGE)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        session = TrainingSession(**fields)
        session.full_clean(exclude=["status"])
        session.save()
        journal_record(actor=actor, action="formations.session.create", target=session,
                       summary=session.title,
                       payload={"starts_at": session.starts_at, "capacity": session.capacity})
    return session


def training_session_update(*, actor, session: TrainingSession, **fields) -> TrainingSession:
    """Change a scheduled session; more seats promote the waiting list."""
    access.require_platform_perm(actor, MANAGE)
    unknown = set(fields) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    with transaction.atomic():
        session = _lock_session(session)
        if session.is_cancelled:
            raise ValidationError(_("Cette session est annulée : elle ne peut plus être modifiée."))
        for name, value in fields.items():
            setattr(session, name, value)
        session.full_clean(exclude=["status"])
        confirmed = _confirmed_count(session)
        if session.capacity < confirmed:
            raise ValidationError({"capacity": _(
                "Il y a déjà %(count)s inscrits confirmés : la capacité ne peut pas être inférieure."
            ) % {"count": confirmed}})
        session.save(update_fields=list(fields))
        journal_record(actor=actor, action="formations.session.update", target=session,
                       summary=session.title, payload={"fields": sorted(fields)})
        _promote_waiting(actor=actor, session=session)
    return session


def training_session_cancel(*, actor, session: TrainingSession) -> TrainingSession:
    """Cancel a session and tell every registered or waiting agent."""
    access.require_platform_perm(actor, MANAGE)
    with transaction.atomic():
        session = _lock_session(session)
        if session.is_cancelled:
            raise ValidationError(_("Cette session est déjà annulée."))
        session.status = SessionStatus.CANCELLED
        session.cancelled_at = timezone.now()
        session.save(update_fields=["status", "cancelled_at"])
        registrations = (
            Registration.objects.select_related("agent", "body", "session")
            .filter(session=session)
            .exclude(status=RegistrationStatus.CANCELLED)
        )
        for registration in registrations:
            _notify(registration, "session_cancelled", _("Session annulée : %(title)s"))
        journal_record(actor=actor, action="formations.session.cancel", target=session,
                       summary=session.title)
    return session


def _require_may_register(actor, body: Body, agent: User) -> None:
    """The body's registrars may register anyone of the body; an agent, themself."""
    if access.has_perm(actor, body, "formations.register"):
        return
    if getattr(actor, "pk", None) == agent.pk and access.has_perm(actor, body, "body.view"):
        return
    raise PermissionDenied("formations.register")


def registration_create(*, actor, body: Body, session: TrainingSession, agent: User) -> Registration:
    """Register an agent of `body`; a full session puts them on the waiting list."""
    _require_may_register(actor, body, agent)
    access.require_service(body, Service.FORMATIONS)
    if not (agent.is_active and Membership.objects.filter(
            user=agent, body=body, is_active=True).exists()):
        raise ValidationError({"agent": _("Cette personne n'est pas un agent actif de %(body)s.")
                               % {"body": body.name}})
    with transaction.atomic():
        session = _lock_session(session)
        reason = session.registration_closed_reason()
        if reason:
            raise ValidationError({"session": reason})
        if Registration.objects.filter(session=session, agent=agent).exclude(
                status=RegistrationStatus.CANCELLED).exists():
            raise ValidationError({"agent": _("%(name)s est déjà inscrit(e) à cette session.")
                                   % {"name": agent.get_full_name() or agent.email}})
        full = _confirmed_count(session) >= session.capacity
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    session=session, body=body, agent=agent, registered_by=actor,
                    status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
                )
        except IntegrityError:
            raise ValidationError({"agent": _("Cette personne est déjà inscrite à cette session.")}) from None
        journal_record(actor=actor, action="formations.registration.create", body=body,
                       target=registration, summary=f"{agent.email} – {session.title}",
                       payload={"session": session.pk, "status": registration.status})
        if full:
            _notify(registration, "waiting", _("Liste d'attente : %(title)s"))
        else:
            _notify(registration, "confirmed", _("Inscription confirmée : %(title)s"))
    return registration


def registration_cancel(*, actor, registration: Registration) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the first in the waiting list.

    Returns the promoted registrations (for the page's message).
    """
    body = registration.body
    if not (
        (registration.agent_id == getattr(actor, "pk", None) and access.has_perm(actor, body, "body.view"))
        or access.has_perm(actor, body, "formations.register")
        or MANAGE in access.platform_permissions(actor)
    ):
        raise PermissionDenied("formations.register")
    with transaction.atomic():
        session = _lock_session(registration.session)
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            raise ValidationError(_("Cette inscription est déjà annulée."))
        if timezone.now() >= session.starts_at:
            raise ValidationError(
                _("La session a déjà commencé : l'inscription ne peut plus être annulée.")
            )
        was = registration.status
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
        journal_record(actor=actor, action="formations.registration.cancel", body=body,
                       target=registration, summary=f"{registration.agent.email} – {session.title}",
                       payload={"previous_status": was})
        promoted = []
        if was == RegistrationStatus.CONFIRMED and not session.is_cancelled:
            promoted = _promote_waiting(actor=actor, session=session)
    return promoted


def attendance_record(*, actor, session: TrainingSession, attended: dict[int, bool]) -> int:
    """Record who attended (operator); attendance makes the certificate available.

    Returns the number of registrations updated.
    """
    access.require_platform_perm(actor, MANAGE)
    with transaction.atomic():
        session = _lock_session(session)
        if session.is_cancelled:
            raise ValidationError(_("Cette session est annulée : il n'y a pas de présence à saisir."))
        if timezone.now() < session.starts_at:
            raise ValidationError(
                _("La présence ne peut être saisie qu'à partir du début de la session.")
            )
        registrations = {
            r.pk: r for r in Registration.objects.select_for_update().filter(
                session=session, status=RegistrationStatus.CONFIRMED, pk__in=list(attended))
        }
        unknown = set(attended) - set(registrations)
        if unknown:
            raise ValidationError(_("Inscription inconnue pour cette session : %(ids)s.")
                                  % {"ids": ", ".join(str(i) for i in sorted(unknown))})
        now = timezone.now()
        changed = 0
        for pk, present in attended.items():
            registration = registrations[pk]
            issued = registration.certificate_issued_at
            if present and issued is None:
                issued = now
            elif not present:
                issued = None
            if registration.attended == present and registration.certificate_issued_at == issued:
                continue
            registration.attended = bool(present)
            registration.certificate_issued_at = issued
            registration.save(update_fields=["attended", "certificate_issued_at"])
            changed += 1
        journal_record(actor=actor, action="formations.attendance", target=session,
                       summary=session.title,
                       payload={str(pk): bool(v) for pk, v in sorted(attended.items())})
    return changed
