"""Training sessions of the GIP's catalogue and the bodies' registrations to them.

A session belongs to the platform (the operator runs it); a registration is
tenant-owned: it carries the body that registered the agent, so each body only
ever sees its own registrations.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoires.tenancy.models import Body, Service


class Audience(models.TextChoices):
    AGENTS = "agents", _("Agents")
    ELUS = "elus", _("Élus")
    ALL = "tous", _("Agents et élus")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Programmée")
    CANCELLED = "cancelled", _("Annulée")


class TrainingSession(models.Model):
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    service = models.CharField(_("service concerné"), max_length=20, choices=Service.choices)
    audience = models.CharField(_("public"), max_length=10, choices=Audience.choices,
                                default=Audience.AGENTS)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    duration_hours = models.DecimalField(
        _("durée en heures"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("Laisser vide pour compter le temps entre le début et la fin."),
    )
    place = models.TextField(_("lieu"), blank=True)
    is_remote = models.BooleanField(_("à distance"), default=False)
    connection_info = models.TextField(_("informations de connexion"), blank=True)
    capacity = models.PositiveIntegerField(_("nombre de places"))
    trainer_name = models.CharField(_("formateur ou formatrice"), max_length=200)
    status = models.CharField(max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    registration_deadline = models.DateTimeField(_("date limite d'inscription"), null=True,
                                                 blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session de formation")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="training_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="training_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La fin doit être postérieure au début.")
        if self.capacity is not None and self.capacity < 1:
            errors["capacity"] = _("Prévoyez au moins une place.")
        if self.is_remote and not self.connection_info.strip():
            errors["connection_info"] = _(
                "Indiquez les informations de connexion d'une session à distance."
            )
        if not self.is_remote and not self.place.strip():
            errors["place"] = _("Indiquez le lieu, ou cochez « à distance ».")
        if self.registration_deadline and self.starts_at and self.registration_deadline > self.starts_at:
            errors["registration_deadline"] = _(
                "La date limite d'inscription doit précéder le début de la session."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def hours(self) -> Decimal:
        """Duration shown on certificates: the declared one, else end minus start."""
        if self.duration_hours is not None:
            return self.duration_hours
        seconds = (self.ends_at - self.starts_at) / timedelta(seconds=1)
        return (Decimal(seconds) / 3600).quantize(Decimal("0.1"))

    def registration_closed_reason(self, now=None) -> str:
        """Why nobody can register now (French, user-facing), or "" if open."""
        now = now or timezone.now()
        if self.is_cancelled:
            return _("Cette session a été annulée : les inscriptions sont fermées.")
        if now >= self.starts_at:
            return _("Cette session a déjà commencé : les inscriptions sont fermées.")
        if self.registration_deadline and now > self.registration_deadline:
            local = timezone.localtime(self.registration_deadline)
            return _("Les inscriptions à cette session sont closes depuis le %(date)s.") % {
                "date": local.strftime("%d/%m/%Y à %H:%M")
            }
        return ""

    @property
    def confirmed(self) -> int:
        """Confirmed registrations; selectors annotate it, else one query."""
        count = getattr(self, "confirmed_count", None)
        if count is None:
            count = self.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        return count

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.confirmed, 0)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmée")
    WAITING = "waiting", _("Liste d'attente")
    CANCELLED = "cancelled", _("Annulée")


class Registration(models.Model):
    """One agent of one body in one session; the waiting list is ordered by creation."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT,
                                related_name="registrations")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="training_registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                      on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=RegistrationStatus.choices)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "agent"],
                condition=~Q(status="cancelled"),
                name="registration_one_active_per_agent",
            )
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.agent} – {self.session}"

    @property
    def certificate_number(self) -> str:
        """Stable and unique: year of the session and the registration's id."""
        year = timezone.localtime(self.session.starts_at).year
        return f"FORM-{year}-{self.pk:06d}"

    @property
    def is_active(self) -> bool:
        return self.status != RegistrationStatus.CANCELLED
