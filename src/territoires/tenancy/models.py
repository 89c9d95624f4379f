"""Member bodies, their subscriptions, agents' memberships and roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territoires.interop.siren import siren_error, siret_error
from territoires.tenancy.kinds import BodyKind, EpciForm, actes_nature_code
from territoires.tenancy.roles import BODY, PLATFORM


class Service(models.TextChoices):
    ACTES = "actes", _("Actes (télétransmission)")
    MARCHES = "marches", _("Salle des marchés")
    CIRCUITS = "circuits", _("Circuits courts")
    SITE = "site", _("Site internet")
    DEMARCHES = "demarches", _("Démarches en ligne")
    FORMATIONS = "formations", _("Formations")


def validate_siren(value: str) -> None:
    error = siren_error(value)
    if error:
        raise ValidationError(error, code="siren")


class Commune(models.Model):
    """Reference list of the region's communes (COG 2018), with centroids."""

    insee_code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=100)
    departement = models.CharField(max_length=3, db_index=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement})"


class Body(models.Model):
    """A member body (organisme adhérent): the tenant of every service."""

    siren = models.CharField(_("SIREN"), max_length=9, unique=True, validators=[validate_siren])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=BodyKind.choices)
    epci_form = models.CharField(
        _("forme de l'EPCI"), max_length=20, choices=EpciForm.choices, blank=True
    )
    siret = models.CharField(_("SIRET du siège"), max_length=14, blank=True)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    departement = models.CharField(_("département"), max_length=3, blank=True)
    arrondissement = models.CharField(_("arrondissement"), max_length=2, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    nuts3 = models.CharField(_("code NUTS 3"), max_length=5, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisme")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.siret and (siret_error(self.siret) or not self.siret.startswith(self.siren)):
            raise ValidationError({"siret": _("Le SIRET doit être valide et commencer par le SIREN.")})
        if self.kind == BodyKind.EPCI and not self.epci_form:
            raise ValidationError({"epci_form": _("Précisez la forme de l'EPCI.")})
        if self.kind != BodyKind.EPCI and self.epci_form:
            raise ValidationError({"epci_form": _("Seul un EPCI a une forme.")})

    @property
    def actes_nature_code(self) -> str:
        return actes_nature_code(self.kind, self.epci_form)


class Subscription(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="subscriptions")
    service = models.CharField(max_length=20, choices=Service.choices)
    is_active = models.BooleanField(default=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "service"], name="subscription_unique")
        ]


class Role(models.Model):
    """A named set of permissions, in a body or platform-wide (see roles.py)."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=[(BODY, BODY), (PLATFORM, PLATFORM)])
    permissions = models.JSONField(default=list)
    requires_second_factor = models.BooleanField(default=False)

    class Meta:
        ordering = ["scope", "label"]

    def __str__(self) -> str:
        return self.label


class Membership(models.Model):
    """An agent working for a body, with their roles in that body."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    roles = models.ManyToManyField(Role, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "body"], name="membership_unique")]


class OperatorStaff(models.Model):
    """Operator (GIP) staff, with platform-wide roles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator"
    )
    roles = models.ManyToManyField(Role, related_name="+")


class Invitation(models.Model):
    """An e-mailed invitation to join a body; the token is stored hashed."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    roles = models.ManyToManyField(Role, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class MembershipRequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Acceptée")
    REJECTED = "rejected", _("Refusée")


class MembershipRequest(models.Model):
    """A body's request to join the grouping (adhésion), decided by the operator."""

    siren = models.CharField(_("SIREN"), max_length=9, validators=[validate_siren])
    name = models.CharField(_("nom de l'organisme"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=BodyKind.choices)
    epci_form = models.CharField(_("forme de l'EPCI"), max_length=20, choices=EpciForm.choices, blank=True)
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    contact_name = models.CharField(_("nom du contact"), max_length=200)
    contact_email = models.EmailField(_("adresse électronique du contact"))
    services = models.JSONField(_("services demandés"), default=list)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        max_length=10, choices=MembershipRequestStatus.choices, default=MembershipRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class Notification(models.Model):
    """A message for one user, optionally about one body (shown on the agent home)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
