"""Reads of the catalogue and of registrations, scoped by body or by actor."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from territoires.accounts.models import User
from territoires.formations.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)
from territoires.tenancy import access
from territoires.tenancy.models import Body


def _with_counts(qs: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return qs.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waiting_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
        ),
    )


def sessions_upcoming(*, service: str = "") -> QuerySet[TrainingSession]:
    """The public catalogue: scheduled sessions that have not started."""
    qs = TrainingSession.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
    if service:
        qs = qs.filter(service=service)
    return _with_counts(qs).order_by("starts_at", "pk")


def sessions_open_for_registration() -> QuerySet[TrainingSession]:
    now = timezone.now()
    return sessions_upcoming().filter(
        Q(registration_deadline__isnull=True) | Q(registration_deadline__gte=now)
    )


def session_get(*, session_id: int) -> TrainingSession:
    """Any session (the catalogue is public); DoesNotExist otherwise."""
    return _with_counts(TrainingSession.objects.all()).get(pk=session_id)


def sessions_for_operator(*, actor) -> QuerySet[TrainingSession]:
    access.require_platform_perm(actor, "platform.manage_training")
    return _with_counts(TrainingSession.objects.all()).order_by("-starts_at", "-pk")


def session_participants(*, actor, session: TrainingSession) -> QuerySet[Registration]:
    access.require_platform_perm(actor, "platform.manage_training")
    return (
        Registration.objects.filter(session=session)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("agent", "body")
        .order_by("status", "created_at", "pk")
    )


def body_agents(*, body: Body) -> QuerySet[User]:
    """The people one may register for this body: its active agents, nobody else."""
    return User.objects.filter(
        is_active=True, memberships__body=body, memberships__is_active=True
    ).order_by("last_name", "first_name", "email")


def registrations_visible(*, actor, body: Body) -> QuerySet[Registration]:
    """A body's registrations as the actor may see them.

    Whoever registers agents for the body sees all of the body's registrations;
    an agent sees only their own.
    """
    qs = Registration.objects.filter(body=body).select_related("session", "agent")
    if not access.has_perm(actor, body, "formations.register"):
        qs = qs.filter(agent=actor)
    return qs.order_by("-session__starts_at", "created_at")


def registration_for_certificate(*, actor, registration_id: int) -> Registration:
    """An attended registration whose certificate the actor may download.

    The agent themself, the body's administrators and the operator's training
    staff; anybody else gets DoesNotExist (a 404: not even its existence leaks).
    """
    registration = (
        Registration.objects.select_related("session", "body", "agent")
        .filter(pk=registration_id, attended=True, status=RegistrationStatus.CONFIRMED)
        .first()
    )
    if registration is None or not getattr(actor, "is_authenticated", False):
        raise Registration.DoesNotExist
    if (
        registration.agent_id == actor.pk
        or access.has_perm(actor, registration.body, "formations.register")
        or "platform.manage_training" in access.platform_permissions(actor)
    ):
        return registration
    raise Registration.DoesNotExist


def waiting_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waiting."""
    if registration.status != RegistrationStatus.WAITING:
        return None
    ahead = Registration.objects.filter(
        session_id=registration.session_id, status=RegistrationStatus.WAITING
    ).filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1
